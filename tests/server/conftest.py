"""A generated course for the server's tests, and helpers that make its students' archives.

Three students; typed answers (KL divergence, 2+2 points as the spec says) and a function
(softmax, 10 points). reveal: never, so no expected answer may reach a student; the due date is
in the past with no penalty, so every result says how late the server's clock found it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.app.fabricate import Course
from servekit import ASSIGNMENT, ROSTER, SECRET, SECRET_ENV


@pytest.fixture(scope="session")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    os.environ[SECRET_ENV] = SECRET
    return Course.create(tmp_path_factory.mktemp("serve-course"), ASSIGNMENT, ROSTER)


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
