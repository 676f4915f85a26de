"""time_source: received — lateness by the grader's own first-seen time, not the student's."""

from __future__ import annotations

import json
from pathlib import Path

from grader.app.demo import run_demo
from grader.app.grade import grade_assignment


def test_received_time_is_the_first_grading_and_stays(tmp_path: Path) -> None:
    root = tmp_path / "course"
    demo = run_demo(root, grade=False)
    assignment = root / "assignment.yaml"
    text = assignment.read_text(encoding="utf-8")
    # The manifests all claim to be on time for the demo's deadline; move the deadline into
    # the past and judge by receipt instead: everyone who handed in is now years late.
    text = text.replace("due: 2026-11-30T23:59:00+00:00", "due: 2020-01-01T00:00:00+00:00")
    text = text.replace("time_source: manifest", "time_source: received")
    assignment.write_text(text, encoding="utf-8")
    out = tmp_path / "results"

    grade_assignment(assignment, demo.submissions, out, key_dir=demo.problem_sets, jobs=1)
    first = json.loads((out / "s001.json").read_text(encoding="utf-8"))
    assert first["late"]["time_source"] == "received"
    assert first["late"]["penalty_percent"] == 100.0  # more than max_days late
    assert first["score"] == 0 and first["raw_score"] == 42
    received = first["late"]["submitted_at"]

    grade_assignment(assignment, demo.submissions, out, key_dir=demo.problem_sets, jobs=1,
                     force=True)
    again = json.loads((out / "s001.json").read_text(encoding="utf-8"))
    assert again["late"]["submitted_at"] == received  # first seen, not regraded-at
