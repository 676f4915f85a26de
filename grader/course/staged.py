"""Files of a whole run written all or nothing: staged beside the output, moved in at the end.

`grader generate` streams students (each set is planned, written and dropped, so memory does
not grow with the class), yet a run that is refused (problem sets already handed out would
change) or fails half-way must leave the output as it was. Files whose bytes differ from what
is on disk are written (durably) into a hidden staging folder inside the output; `commit`
renames them into place, `discard` removes them. Unchanged files are never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from grader.core.fsutil import atomic_write_bytes

STAGE_PREFIX = ".grader-generate-"


class StagedWrites:
    """Collects a run's changed files on disk; nothing in `out` changes before `commit`."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.created = not self.out.exists()
        self.out.mkdir(parents=True, exist_ok=True)
        self.stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=self.out))
        self.pending: list[Path] = []  # relative paths, in the order they were staged
        self.unchanged = 0

    def add(self, files: dict[Path, bytes]) -> None:
        """Stage every file whose bytes differ from the output's; count the others."""
        for rel, data in files.items():
            try:
                if (self.out / rel).read_bytes() == data:
                    self.unchanged += 1
                    continue
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                pass
            atomic_write_bytes(self.stage / rel, data)
            self.pending.append(Path(rel))

    def commit(self) -> int:
        """Move every staged file into place (each rename atomic); the number moved."""
        try:
            for rel in self.pending:
                target = self.out / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.stage / rel, target)
        finally:  # interrupted: what was moved is complete, the rest is dropped
            self.close()
        return len(self.pending)

    def discard(self) -> None:
        """Drop what was staged; an output folder this run created goes too if left empty."""
        self.close()
        if self.created:
            with contextlib.suppress(OSError):
                self.out.rmdir()

    def close(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)
