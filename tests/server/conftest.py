"""A generated course for the server's tests, and helpers that make its students' archives.

Three students; typed answers (KL divergence, 2+2 points as the spec says) and a function
(softmax, 10 points). reveal: never, so no expected answer may reach a student; the due date is
in the past with no penalty, so every result says how late the server's clock found it.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture(scope="session")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    os.environ[SECRET_ENV] = SECRET
    return Course.create(tmp_path_factory.mktemp("serve-course"), ASSIGNMENT, ROSTER)


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


@pytest.fixture(params=["sqlite", "postgres"])
def served(request: pytest.FixtureRequest, course: Course, tmp_path: Path) -> Iterator[Any]:
    """A fresh store for `course` (a state folder; on PostgreSQL, a new database too):
    (Course of the server, Store, token of each student)."""
    from grader.server import run

    database = request.getfixturevalue("postgres_database") \
        if request.param == "postgres" else None
    server_course, store = run.prepare(course.assignment, course.build, tmp_path / "state",
                                       database)
    tokens = {r.student_id: r.token for r in run.tokens(server_course, store, "http://x")}
    with pytest.MonkeyPatch.context() as mp:  # what `grader serve --database` passes on
        if database:
            mp.setenv("GRADER_DATABASE", database)
        yield server_course, store, tokens


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server from Debian's binaries on 127.0.0.1: its base address."""
    from pg import start_postgres

    yield from start_postgres()


@pytest.fixture
def postgres_database(postgres_server: str) -> str:
    """A new, empty database on the test server."""
    import uuid

    import psycopg

    name = f"serve_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{postgres_server}/{name}"
