"""When work came in, what the late policy takes off for it, and whether answers are revealed.

The submission time is the `time` in a `grader submit` archive's manifest, the files'
modification time, or when grading first saw the submission (recorded in the gradebook), as
the assignment's `late.time_source` says (a plain folder has no manifest, so its file time is
used). The first two come from the student's machine; only `received` is the grader's own.
Days late are *started* days past the deadline plus grace.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

from grader.course.assignment import Assignment
from grader.grading.results import LateInfo
from grader.student.submission import Submission

Source = Literal["manifest", "file", "received", "none"]
DAY = dt.timedelta(days=1)


def submission_time(sub: Submission, source: str, received: str | None = None
                    ) -> tuple[dt.datetime | None, Source, str]:
    """(time in UTC or None, where it came from, a note when the preferred source was absent)."""
    if source == "received":
        stamp = _parse_time(received)
        if stamp is not None:
            return stamp, "received", ""
    if source == "manifest" and sub.manifest is not None:
        stamp = _parse_time(sub.manifest.time)
        if stamp is not None:
            return stamp, "manifest", ""
    note = "" if source == "file" else "No manifest time: the files' modification time was used."
    if sub.mtime is not None:
        return dt.datetime.fromtimestamp(sub.mtime, dt.timezone.utc), "file", note
    return None, "none", "The submission time is unknown."


def _parse_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
        return stamp.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):  # "9999-12-31T23:00-05:00" is past the calendar's end
        return None


def late_info(assignment: Assignment, sub: Submission | None, *,
              received: str | None = None) -> LateInfo:
    """The late finding shown on a result: time, days late, penalty, and a sentence.

    `received` is when grading first saw this submission (for time_source: received).
    """
    if sub is None:
        return LateInfo(None, "none", 0, 0.0, "No submission.")
    when, source, note = submission_time(sub, assignment.late.time_source, received)
    shown = _iso(when) if when else None
    if when is None:
        return LateInfo(None, "none", 0, 0.0, f"{note} No late penalty was applied.")
    if assignment.due is None:
        return LateInfo(shown, source, 0, 0.0, _join(note, "No deadline is set."))
    days = days_late(when, assignment.due, assignment.late.grace_minutes)
    penalty, sentence = _penalty(assignment, days)
    return LateInfo(shown, source, days, penalty, _join(note, sentence))


def days_late(when: dt.datetime, due: dt.datetime, grace_minutes: float) -> int:
    """Started days past due + grace: one second late is one day late."""
    delta = when - (due + dt.timedelta(minutes=grace_minutes))
    return 0 if delta <= dt.timedelta(0) else math.ceil(delta / DAY)


def _penalty(assignment: Assignment, days: int) -> tuple[float, str]:
    due = _iso(assignment.due) if assignment.due else ""
    late = assignment.late
    if days == 0:
        return 0.0, f"Submitted on time (deadline {due})."
    span = f"{days} day{'s' if days != 1 else ''} late"
    if late.policy == "none":
        return 0.0, f"Submitted {span} (deadline {due}); no late penalty applies."
    if late.policy == "cutoff":
        return 100.0, (f"Submitted {span} (deadline {due}); work after the deadline scores 0 "
                       "(hard cut-off).")
    if late.max_days is not None and days > late.max_days:
        return 100.0, (f"Submitted {span} (deadline {due}), more than the {late.max_days} "
                       "allowed: the score is 0.")
    percent = min(100.0, days * late.penalty_per_day)
    return percent, (f"Submitted {span} (deadline {due}): {percent:g}% late penalty "
                     f"({late.penalty_per_day:g}% per started day).")


def apply_penalty(raw: float, late: LateInfo | None) -> float:
    """The score after the late penalty, rounded like every score (4 decimals)."""
    share = 1.0 - (late.penalty_percent / 100.0 if late else 0.0)
    return round(raw * share, 4)


def reveal_now(assignment: Assignment, now: dt.datetime) -> tuple[bool, str]:
    """Whether results may show expected answers now, and a warning when the policy cannot tell."""
    if assignment.reveal == "always":
        return True, ""
    if assignment.reveal == "never":
        return False, ""
    if assignment.due is None:
        return False, ("reveal is after_due but the assignment has no due date: expected "
                       "answers are not shown")
    return now > assignment.due, ""


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)
