"""Writing pages: atomic (temp file, rename) and only when the bytes change.

No fsync: a page is a rendering of the stored results, which `grader report` can always
redo, and a thousand fsyncs would cost more than rendering the pages.
"""

from __future__ import annotations

from pathlib import Path

from grader.core import fsutil


def write_if_changed(path: Path, text: str) -> bool:
    """Write text (UTF-8) to path unless it already holds exactly that; True when written."""
    return fsutil.write_if_changed(Path(path), text.encode("utf-8"), durable=False)
