"""What the server's tests share: the course they serve, its students, a correct solution, and
helpers that make archives and wait for grading. A plain module, not conftest.py: tests import
these names, and `from conftest import ...` finds whichever conftest.py pytest loaded last
(tests/unit has one too).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from grader.app.fabricate import Course

SECRET_ENV = "GRADER_SERVE_TEST_SECRET"
SECRET = "serve-test-secret-4f7d0c1e9a"  # grepped for in every response a student receives
ASSIGNMENT = f"""\
id: serve1
title: Serve test
secret: {{env: {SECRET_ENV}}}
exercises:
  - info-kl-divergence
  - impl-softmax
reveal: never
due: 2020-01-01T00:00:00+00:00
late: {{policy: none}}
attempts: 4
sandbox: {{time_limit: 4, memory_mb: 512}}
"""
ROSTER = "id,name,email\nana,Ana Souza,ana@example.edu\nbob,Bob Li,bob@example.edu\n" \
         "cy,Cy Tran,cy@example.edu\n"
STABLE = """\
import numpy as np

def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()
"""
MAX_SCORE = 14.0  # kl_pq 2 + kl_qp 2 + softmax 10



def archive(course: Course, sid: str, answers: dict | str, solution: str | None = STABLE, *,
            when: dt.datetime | None = None, name: str | None = None) -> bytes:
    """The bytes `grader submit` would write for this student (manifest time `when`)."""
    when = when or dt.datetime(2019, 12, 31, tzinfo=dt.timezone.utc)  # the student's clock
    return course.archive(sid, answers, solution, when, name=name or f"{sid}.zip").read_bytes()


def wait_graded(get: Any, number: int, *, seconds: float = 60) -> dict:
    """Poll GET /api/submissions/N (through `get`) until graded; the last answer."""
    deadline = time.monotonic() + seconds
    while True:
        state = get(f"/api/submissions/{number}").json()
        if state["state"] in ("graded", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.2)
