"""Where a results folder's pages live, and whether they are current: without the renderers.

An unchanged regrade asks `pages_current` before anything else: when every result was reused
with its page on disk and index.html was rendered from the same results, nothing would be
written, so the report package (Jinja2, Markdown, MathML, matplotlib) is not even imported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from grader.grading.results import StudentResult
from grader.grading.stored import UNKNOWN_DIR

PROMPTS_DIR = "prompts"
ASSIGNMENT_FILE = "_assignment.json"  # folder names start with a letter or digit: never a student's
CLASS_STAMP = Path(".cache") / "index.stamp"  # what index.html was last rendered from


def page_href(r: StudentResult) -> str:
    """The student's page relative to DIR (unknown submitters' pages live in DIR/unknown/)."""
    name = quote(f"{r.folder}.html")
    return f"{UNKNOWN_DIR}/{name}" if r.status == "unknown_student" else name


def assignment_text(assignment: Any) -> str:
    """DIR/prompts/_assignment.json's text for an Assignment: its id and title."""
    doc = {"id": assignment.id, "title": assignment.title}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def class_stamp(stamp: str | None, title: Any, aid: str | None) -> str | None:
    """What index.html is rendered from: the results' stamp, the title and the assignment id."""
    if stamp is None:
        return None
    return hashlib.sha256(json.dumps([stamp, str(title), aid]).encode()).hexdigest()


def read_stamp(results_dir: Path) -> str | None:
    try:
        return (results_dir / CLASS_STAMP).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def pages_current(results_dir: Path, results: Sequence[StudentResult], assignment: Any, *,
                  reused: Collection[str], stamp: str | None) -> bool:
    """True when rendering these results would write nothing: every student's result was
    reused and their page exists, the assignment's file holds its id and title, and index.html
    was rendered from this stamp."""
    if stamp is None or assignment is None or not results:
        return False
    if any(r.student_id not in reused or not (results_dir / page_href(r)).is_file()
           for r in results):
        return False
    try:
        held = (results_dir / PROMPTS_DIR / ASSIGNMENT_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    ordered = min(results, key=lambda r: (r.student_id, r.folder))
    return (held == assignment_text(assignment) and (results_dir / "index.html").is_file()
            and read_stamp(results_dir) == class_stamp(stamp, assignment.title,
                                                       ordered.assignment_id))
