"""What the web process checks before it stores an upload, and the limits on how often.

The archive is read exactly as `grader grade` reads one (`read_archive`: bounded, nothing
extracted, no code imported). An archive that cannot be read at all, or that names another
student or assignment, is refused with a message and not counted as an attempt; everything else
(tampered included) is stored and graded as `grader grade` would grade it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from grader.course.assignment import Assignment
from grader.student.submission import (
    ANSWERS,
    MAX_ARCHIVE_BYTES,
    MAX_FILE_BYTES,
    META,
    SOLUTION,
    manifest_for,
    pack,
    read_archive,
    read_meta,
    shown,
)

PER_MINUTE = 20  # submissions of one student per minute, whatever `cooldown` allows


class Refused(Exception):
    """An upload the server will not store; the message is for the student, HTTP status kept."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def check_archive(data: bytes, *, student_id: str, assignment_id: str, scratch: Path) -> None:
    """Raise Refused when `data` is no archive of this student's work for this assignment."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise Refused(f"the archive is larger than {MAX_ARCHIVE_BYTES} bytes; hand in only "
                      f"{ANSWERS}, {SOLUTION} and {META}", 413)
    with tempfile.NamedTemporaryFile(dir=scratch, suffix=".zip") as fh:
        fh.write(data)
        fh.flush()
        sub = read_archive(Path(fh.name))
    unreadable = [p for p in sub.problems if p.startswith("not a readable zip")]
    if unreadable:
        raise Refused(f"{unreadable[0]}; upload the .zip that `grader submit` writes, or your "
                      f"{ANSWERS} and {SOLUTION}")
    m = sub.manifest
    if m is not None and m.student != student_id:
        raise Refused(f"this archive was made for student '{shown(str(m.student))}', and you are "
                      f"signed in as '{student_id}'; submit from your own problem-set folder")
    if m is not None and m.assignment != assignment_id:
        raise Refused(f"this archive is for assignment '{shown(str(m.assignment))}', not "
                      f"'{assignment_id}'")


def archive_from_files(files: dict[str, bytes], problem_set: Path) -> bytes:
    """The archive `grader submit` would make of these files, with the server's time.

    `problem_set` is the student's folder as generated (its grader.json says who and what).
    """
    for name, data in files.items():
        if len(data) > MAX_FILE_BYTES:
            raise Refused(f"{name} is larger than {MAX_FILE_BYTES} bytes", 413)
    if not any(files.get(n, b"").strip() for n in (ANSWERS, SOLUTION)):
        raise Refused(f"choose your {ANSWERS}, your {SOLUTION} or the archive to upload")
    meta = read_meta(problem_set)
    files = {**{n: d for n, d in files.items() if d}, META: (problem_set / META).read_bytes()}
    return pack(files, manifest_for(files, meta))


def limit_message(assignment: Assignment, previous: list[str], now: dt.datetime) -> str | None:
    """Why one more submission is refused now (`previous`: earlier received times), or None."""
    times = [dt.datetime.fromisoformat(t) for t in previous]
    if assignment.attempts is not None and len(times) >= assignment.attempts:
        return (f"you have used all {assignment.attempts} submissions this assignment allows; "
                "your last graded attempt is the one that counts")
    if times and assignment.cooldown:
        wait = (times[-1] + dt.timedelta(seconds=assignment.cooldown) - now).total_seconds()
        if wait > 0:
            return (f"please wait {int(wait) + 1} s before submitting again (this assignment "
                    f"allows one submission every {assignment.cooldown:g} s)")
    recent = [t for t in times if (now - t).total_seconds() < 60]
    if len(recent) >= PER_MINUTE:
        return (f"too many submissions: at most {PER_MINUTE} a minute; wait a minute and "
                "submit again")
    return None
