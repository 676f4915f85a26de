"""A real `grader serve` process on 127.0.0.1: a student's `grader login` and `grader submit
--to` end to end, and a SIGKILL in the middle of a burst of uploads that loses nothing."""

from __future__ import annotations

import http.client

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from servekit import MAX_SCORE, archive
from grader.app.fabricate import Course
from proc import Server, env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
BURST_STUDENTS = [f"k{i:02d}" for i in range(10)]


def grader(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=120,
                          env=env(XDG_CONFIG_HOME=str(home), GRADER_TOKEN=""))


def test_student_logs_in_and_submits_from_the_cli(course, served, tmp_path) -> None:
    server_course, _, tokens = served
    server = Server(course.assignment, course.build, server_course.state_dir)
    try:
        # the student's own copy of the problem set: the right typed answers, no solution.py
        folder = tmp_path / "work" / course.folder("ana")
        shutil.copytree(course.build / course.folder("ana"), folder)
        (folder / "solution.py").unlink(missing_ok=True)
        (folder / "answers.yaml").write_text(yaml.safe_dump(course.right("ana")),
                                             encoding="utf-8")
        home = tmp_path / "home"
        out = grader("login", server.url, "--token", tokens["ana"], cwd=tmp_path, home=home)
        assert out.returncode == 0, out.stderr
        assert "as ana" in out.stdout
        assert (home / "grader" / "servers.json").stat().st_mode & 0o077 == 0
        out = grader("submit", str(folder), "--to", server.url, cwd=tmp_path, home=home)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "Score: 4/14" in out.stdout  # the typed parts; no solution.py handed in
        assert "kl_pq: 2/2 correct" in out.stdout
        assert f"{server.url}/me/attempts/1" in out.stdout
        out = grader("status", "1", cwd=tmp_path, home=home)
        assert out.returncode == 0 and "Score: 4/14" in out.stdout
        bad = grader("login", server.url, "--token", tokens["ana"] + "x", cwd=tmp_path,
                     home=tmp_path / "other")
        assert bad.returncode == 2 and "not signed in" in bad.stderr
        assert "Traceback" not in bad.stderr
    finally:
        server.stop()


@pytest.fixture(scope="module")
def burst_course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    from servekit import ASSIGNMENT, SECRET, SECRET_ENV
    import os

    os.environ[SECRET_ENV] = SECRET
    roster = "id,name,email\n" + "".join(f"{s},{s},{s}@example.edu\n" for s in BURST_STUDENTS)
    text = ASSIGNMENT.replace("attempts: 4\n", "")
    return Course.create(tmp_path_factory.mktemp("burst"), text, roster)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_during_a_burst_loses_no_acknowledged_submission(burst_course, tmp_path,
                                                                 backend, request,
                                                                 monkeypatch) -> None:
    from grader.server import run

    state = tmp_path / "state"
    database = request.getfixturevalue("postgres_database") if backend == "postgres" else None
    if database:
        monkeypatch.setenv("GRADER_DATABASE", database)
    c, store = run.prepare(burst_course.assignment, burst_course.build, state, database)
    tokens = {r.student_id: r.token for r in run.tokens(c, store, "http://x")}
    bodies = [(sid, archive(burst_course, sid, burst_course.right(sid)))
              for sid in BURST_STUDENTS for _ in range(3)]  # 30 uploads
    server = Server(burst_course.assignment, burst_course.build, state, jobs=1)
    acknowledged: list[tuple[int, str, str]] = []
    lock = threading.Lock()

    def send(item: tuple[str, bytes]) -> None:
        sid, data = item
        try:
            code, receipt = server.post("/api/submissions", tokens[sid], data)
        except (OSError, http.client.HTTPException):
            return  # the server died before answering in full: not acknowledged
        if code == 201:
            with lock:
                acknowledged.append((receipt["id"], sid, receipt["sha256"]))

    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(send, b) for b in bodies]
        while len(acknowledged) < 12:
            time.sleep(0.01)
        server.kill()
        for f in futures:
            f.result()
    assert 12 <= len(acknowledged) < 30  # some were cut off: the kill came mid-burst
    time.sleep(1.0)  # the orphaned worker notices its parent is gone and stops
    if not database:
        db = sqlite3.connect(state / "server.sqlite")
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()

    server = Server(burst_course.assignment, burst_course.build, state, jobs=1)
    try:
        teacher = tokens["(instructor)"]
        deadline = time.monotonic() + 120
        states = {}
        while time.monotonic() < deadline:
            states = {n: server.get(f"/api/submissions/{n}", teacher) for n, _, _ in
                      acknowledged}
            if all(s["state"] == "graded" for s in states.values()):
                break
            time.sleep(0.5)
        for number, sid, sha in acknowledged:
            s = states[number]
            assert (s["student_id"], s["sha256"], s["state"]) == (sid, sha, "graded")
            assert s["score"] == MAX_SCORE
        raw = dict(bodies)
        for number, sid, _ in acknowledged:
            with store.connect() as db:
                blob, = db.execute("SELECT archive FROM submissions WHERE id = ?",
                                   (number,)).fetchone()
            assert hashlib.sha256(blob).hexdigest() == hashlib.sha256(raw[sid]).hexdigest()
    finally:
        server.stop()
