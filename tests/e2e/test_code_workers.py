"""Students with code are graded by forked workers, each with its own sandbox (parallel.py).

What must hold whatever process graded a student: the same result, byte for byte, as grading
in one process; and two workers' sandboxes never run student code under the same uid (one
student could otherwise signal or read another's running process).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grader.app.fabricate import Course
from grader.app.grade import grade_assignment
from grader.sandbox import Job, SandboxPool, sandbox_level
from grader.sandbox.platform import UID_BASE

SECRET_ENV = "GRADER_CODE_WORKERS_SECRET"
ASSIGNMENT = f"""\
id: code-workers
title: Code workers
secret: {{env: {SECRET_ENV}}}
exercises: [impl-softmax, impl-entropy]
reveal: always
"""
RIGHT = """\
import numpy as np

def softmax(z):
    e = np.exp(np.asarray(z, dtype=float) - np.max(z))
    return (e / e.sum()).tolist()

def entropy(p):
    p = np.asarray(p, dtype=float)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())
"""
WRONG = RIGHT.replace("- np.max(z)", "").replace("e / e.sum()", "e / (e.sum() + 1)")
RAISES = RIGHT.replace("    p = p[p > 0]\n", "    raise ValueError('no entropy today')\n")
UID = """\
import os, time

def softmax(z):
    time.sleep(0.2)
    return [float(os.getuid())] * len(z)
"""


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Course:
    monkeypatch.setenv(SECRET_ENV, "code-workers-secret-0123456789abcdef")
    roster = "id,name,email\n" + "".join(f"s{i},S {i},s{i}@example.org\n" for i in range(6))
    return Course.create(tmp_path, ASSIGNMENT, roster)


def results(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.json"))}


def test_forked_workers_give_the_bytes_one_process_gives(course: Course) -> None:
    for i, s in enumerate(course.roster):
        course.folder_submission(s["id"], {}, [RIGHT, WRONG, RAISES][i % 3])
    one, two = course.root / "one", course.root / "two"
    a = grade_assignment(course.assignment, course.subs, one, key_dir=course.build, jobs=1)
    b = grade_assignment(course.assignment, course.subs, two, key_dir=course.build, jobs=2)
    assert [r.score for r in a.results] == [r.score for r in b.results]
    assert len({r.score for r in a.results}) >= 3  # right, wrong and raising differ
    assert results(one) == results(two) and len(results(one)) == 6
    assert a.warnings == b.warnings


def test_a_pool_runs_student_code_under_its_own_slots_uid() -> None:
    if "uid" not in sandbox_level():
        pytest.skip("the uid layer needs root (run as an ordinary user, every zygote shares "
                    "that user's uid)")
    with SandboxPool(workers=1, first_slot=3) as pool:
        run = pool.run(Job("j", {"solution.py": UID.encode()}, {"softmax": [("c", [[1.0]], {})]}))
    assert run.outcomes["c"].value == [float(UID_BASE + 3)]


def test_two_workers_run_student_code_under_two_uids(course: Course) -> None:
    if "uid" not in sandbox_level():
        pytest.skip("the uid layer needs root (run as an ordinary user, every zygote shares "
                    "that user's uid)")
    for s in course.roster:
        course.folder_submission(s["id"], {}, UID)
    out = course.root / "out"
    grade_assignment(course.assignment, course.subs, out, key_dir=course.build, jobs=2)
    seen = set()
    for path in out.glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for ex in doc["exercises"]:
            for part in ex["parts"]:
                seen |= {c["output"][0] for c in part["cases"]
                         if c["visibility"] == "public" and c.get("output")}
    assert len(seen) == 2 and all(uid >= UID_BASE for uid in seen), seen
    assert os.getuid() not in seen
