"""The late policy (started days, per-day penalty, max days, cut-off, grace), the reveal policy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grader.course.assignment import Assignment, Late
from grader.grading.late import apply_penalty, days_late, late_info, reveal_now, submission_time
from grader.grading.results import LateInfo
from grader.student.documents import Manifest
from grader.student.submission import Submission

UTC = dt.timezone.utc
DUE = dt.datetime(2026, 3, 1, 23, 59, tzinfo=UTC)


def assignment(policy: str = "per_day", *, due: dt.datetime | None = DUE, reveal: str = "after_due",
               **late: object) -> Assignment:
    return Assignment(id="w", title="W", path=Path("w.yaml"), secret_source="env:X", entries=(),
                      reveal=reveal, due=due, late=Late(policy=policy, **late))  # type: ignore[arg-type]


def archive(when: str) -> Submission:
    return Submission(Path("w-s1.zip"), {"answers.yaml": b"x: 1"}, Manifest({}, time=when))


@pytest.mark.parametrize("delta, grace, expected", [
    (dt.timedelta(0), 0, 0),
    (dt.timedelta(seconds=-1), 0, 0),
    (dt.timedelta(seconds=1), 0, 1),  # one second late is one started day
    (dt.timedelta(days=1), 0, 1),
    (dt.timedelta(days=1, seconds=1), 0, 2),
    (dt.timedelta(minutes=10), 15, 0),  # within grace
    (dt.timedelta(minutes=16), 15, 1),
])
def test_days_late_counts_started_days_after_grace(delta, grace, expected):
    assert days_late(DUE + delta, DUE, grace) == expected


def test_per_day_penalty_and_max_days():
    a = assignment(penalty_per_day=10, max_days=3)
    two = late_info(a, archive("2026-03-03T12:00:00+00:00"))
    assert (two.days_late, two.penalty_percent, two.time_source) == (2, 20.0, "manifest")
    assert two.note == ("Submitted 2 days late (deadline 2026-03-01T23:59:00+00:00): 20% late "
                        "penalty (10% per started day).")
    four = late_info(a, archive("2026-03-05T00:00:00+00:00"))
    assert (four.days_late, four.penalty_percent) == (4, 100.0)
    assert "more than the 3 allowed" in four.note


def test_cutoff_zeroes_anything_late_and_none_only_reports():
    late = archive("2026-03-02T00:00:01+01:00")  # 23:00:01 UTC: on time
    assert late_info(assignment("cutoff"), late).penalty_percent == 0.0
    very = archive("2026-03-02T00:00:01Z")
    assert late_info(assignment("cutoff"), very).penalty_percent == 100.0
    info = late_info(assignment("none"), very)
    assert (info.days_late, info.penalty_percent) == (1, 0.0)
    assert "no late penalty applies" in info.note


def test_time_source_file_and_fallbacks():
    folder = Submission(Path("s1"), {"answers.yaml": b""}, None, (), mtime=DUE.timestamp() + 90000)
    info = late_info(assignment(penalty_per_day=5), folder)
    assert (info.time_source, info.days_late, info.penalty_percent) == ("file", 2, 10.0)
    assert info.note.startswith("No manifest time: the files' modification time was used.")
    zipped = Submission(Path("a.zip"), {}, Manifest({}, time="2026-03-10T00:00:00Z"),
                        mtime=DUE.timestamp())
    assert submission_time(zipped, "file")[1] == "file"
    assert submission_time(zipped, "manifest")[0] == dt.datetime(2026, 3, 10, tzinfo=UTC)
    unknown = late_info(assignment(), Submission(Path("x"), {}))
    assert (unknown.time_source, unknown.penalty_percent) == ("none", 0.0)
    assert late_info(assignment(due=None), archive("2030-01-01T00:00:00Z")).note == \
        "No deadline is set."
    assert late_info(assignment(), None) == LateInfo(None, "none", 0, 0.0, "No submission.")


def test_apply_penalty_rounds_to_four_decimals():
    assert apply_penalty(7.0, LateInfo("t", "file", 1, 10.0)) == 6.3
    assert apply_penalty(2 / 3, None) == 0.6667


def test_reveal_policy_uses_the_injected_clock():
    before, after = DUE - dt.timedelta(seconds=1), DUE + dt.timedelta(seconds=1)
    assert reveal_now(assignment(reveal="after_due"), before) == (False, "")
    assert reveal_now(assignment(reveal="after_due"), after) == (True, "")
    assert reveal_now(assignment(reveal="always"), before) == (True, "")
    assert reveal_now(assignment(reveal="never"), after) == (False, "")
    shown, warning = reveal_now(assignment(reveal="after_due", due=None), after)
    assert not shown and "no due date" in warning


def test_received_time_overrides_a_forged_manifest_time():
    """A student can write any time into a manifest; the grader's first-seen time is its own."""
    a = assignment(penalty_per_day=10, time_source="received")
    forged = archive("2026-03-01T12:00:00+00:00")  # claims to be on time
    info = late_info(a, forged, received="2026-03-03T08:00:00+00:00")
    assert (info.time_source, info.submitted_at) == ("received", "2026-03-03T08:00:00+00:00")
    assert (info.days_late, info.penalty_percent) == (2, 20.0)
    # Not yet recorded (e.g. a library call without a gradebook): fall back, and say so.
    fallback = late_info(a, forged)
    assert (fallback.time_source, fallback.penalty_percent) == ("none", 0.0)
