"""grade_all with a sandbox pool the caller keeps: batches share its zygotes, and it stays open
(the server's worker grades batch after batch this way)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import __version__
from grader.app.fabricate import SOFTMAX, Course
from grader.course.assignment import load_assignment
from grader.course.generate import load_library_for
from grader.grading import engine
from grader.grading.collect import collect
from grader.grading.keys import load_keys
from grader.grading.parallel import grade_all
from grader.sandbox import SandboxPool

SECRET_ENV = "GRADER_POOL_TEST_SECRET"
ASSIGNMENT = f"""\
id: pool
title: Pool
secret: {{env: {SECRET_ENV}}}
exercises:
  - impl-softmax
"""
ROSTER = "id,name,email\ns1,Ann,ann@example.org\ns2,Bob,bob@example.org\n"
WRONG = "def softmax(z):\n    return z\n"


@pytest.fixture
def batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Two one-student batches as the worker gets them, and the run's settings."""
    monkeypatch.setenv(SECRET_ENV, "pool-test-secret-7d6c5b4a3f2e1d0c")
    course = Course.create(tmp_path, ASSIGNMENT, ROSTER)
    course.folder_submission("s1", {}, SOFTMAX)
    course.folder_submission("s2", {}, WRONG)
    assignment = load_assignment(course.assignment)
    library = {e.id: e for e in load_library_for(assignment)}
    entries = collect(course.subs, load_keys(course.build / "key", assignment.id),
                      assignment.id)
    settings = engine.Settings(assignment, library, True, "none", __version__)
    return [[e] for e in entries], settings


def test_batches_share_the_callers_pool_which_stays_open(batches) -> None:
    groups, settings = batches
    scores: dict[str, tuple[float, float]] = {}
    with SandboxPool(workers=1) as pool:
        for group in groups:
            grade_all(group, settings, jobs=1, pool=pool, emit=lambda g: scores.update(
                {g.result.student_id: (g.result.score, g.result.max_score)}))
            assert not pool._closed  # left open for the next batch
        assert len(pool._all) == 1  # one zygote started, used by both batches
    assert scores["s1"][0] == scores["s1"][1] > 0  # the right softmax: every case
    assert scores["s2"][0] < scores["s2"][1]  # the identity: not every case


def test_without_a_pool_grade_all_opens_and_closes_its_own(batches) -> None:
    groups, settings = batches
    scores: dict[str, float] = {}
    (first,) = [g for g in groups if g[0].student_id == "s1"]
    grade_all(first, settings, jobs=1,
              emit=lambda g: scores.update({g.result.student_id: g.result.score}))
    assert scores["s1"] > 0
