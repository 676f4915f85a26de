"""The server's parts on their own: tokens, limits, the assignment's new keys, the store."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import sqlite3
from pathlib import Path

import pytest

from grader.core.errors import SpecError
from grader.course.assignment import load_assignment
from grader.server import tokens
from grader.server.intake import limit_message
from grader.server.store import LimitReached, Store

SECRET = b"k" * 32


def ident(token: str, gens: dict[str, int] | None = None) -> tokens.Who | None:
    gens = gens or {}
    return tokens.identify(token, SECRET, "w3", known=lambda s: s in ("ana", "bob"),
                           generation=lambda s: gens.get(s, 0))


def test_a_student_token_is_the_documented_hmac() -> None:
    message = "student\0w3\0ana\0" + "0"
    mac = base64.urlsafe_b64encode(hmac.new(SECRET, message.encode(), hashlib.sha256)
                                   .digest()).decode().rstrip("=")
    assert tokens.student_token(SECRET, "w3", "ana", 0) == f"0.YW5h.{mac}"


def test_tokens_identify_their_holder_and_nothing_else() -> None:
    ana = tokens.student_token(SECRET, "w3", "ana", 0)
    assert ident(ana) == tokens.Who("ana", ana)
    assert ident(tokens.instructor_token(SECRET, "w3")).instructor  # type: ignore[union-attr]
    assert ident(tokens.student_token(b"other", "w3", "ana", 0)) is None  # another secret
    assert ident(tokens.student_token(SECRET, "w4", "ana", 0)) is None  # another assignment
    assert ident(tokens.student_token(SECRET, "w3", "zed", 0)) is None  # not on the roster
    assert ident(ana, {"ana": 1}) is None  # revoked
    assert ident(tokens.student_token(SECRET, "w3", "ana", 1), {"ana": 1}) is not None
    for junk in ("", "...", "a.b.c", "0.!!.x", "0." + "A" * 600 + ".x", ana + "A"):
        assert ident(junk) is None, junk


def test_csrf_field_is_bound_to_the_session() -> None:
    ana, bob = (tokens.student_token(SECRET, "w3", s, 0) for s in ("ana", "bob"))
    field = tokens.csrf_token(SECRET, ana)
    assert tokens.csrf_ok(SECRET, ana, field)
    assert not tokens.csrf_ok(SECRET, bob, field)
    assert not tokens.csrf_ok(SECRET, ana, "")


def assignment(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "a.yaml"
    path.write_text(f"id: a\ntitle: A\nexercises: [info-entropy]\n{extra}", encoding="utf-8")
    return path


def test_attempts_and_cooldown_are_read_and_checked(tmp_path: Path) -> None:
    a = load_assignment(assignment(tmp_path, "attempts: 3\ncooldown: 90\n"))
    assert (a.attempts, a.cooldown) == (3, 90.0)
    a = load_assignment(assignment(tmp_path, ""))
    assert (a.attempts, a.cooldown) == (None, 0.0)
    for bad, said in (("attempts: 0", "attempts: expected a whole number of submissions from 1"),
                      ("attempts: 2.5", "got 2.5"), ("attempts: true", "got True"),
                      ("cooldown: -1", "cooldown: expected seconds from 0 to 86400"),
                      ("cooldown: .nan", "got nan"), ("cooldown: 1e9", "got 1000000000.0")):
        with pytest.raises(SpecError) as info:
            load_assignment(assignment(tmp_path, bad + "\n"))
        assert said in str(info.value), bad
        assert "a.yaml:4:" in str(info.value)


def test_limit_messages(tmp_path: Path) -> None:
    a = load_assignment(assignment(tmp_path, "attempts: 2\ncooldown: 60\n"))
    now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
    assert limit_message(a, [], now) is None
    assert limit_message(a, ["2026-01-01T11:58:00+00:00"], now) is None
    assert limit_message(a, ["2026-01-01T11:59:30+00:00"], now) == (
        "please wait 31 s before submitting again (this assignment allows one submission "
        "every 60 s)")
    said = limit_message(a, ["2026-01-01T10:00:00+00:00"] * 2, now)
    assert said is not None and "used all 2 submissions" in said
    free = load_assignment(assignment(tmp_path, ""))
    burst = ["2026-01-01T11:59:50+00:00"] * 20
    said = limit_message(free, burst, now)
    assert said is not None and "at most 20 a minute" in said
    assert limit_message(free, burst[:19], now) is None


def test_store_is_migrated_once_and_refusals_store_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path)
    first = store.add_submission("ana", b"zip-bytes", via="cli")
    assert first.sha256 == hashlib.sha256(b"zip-bytes").hexdigest()
    with pytest.raises(LimitReached, match="no more"):
        store.add_submission("ana", b"x", via="cli", allowed=lambda times: "no more")
    again = Store(tmp_path)  # reopening migrates nothing twice
    assert [a.id for a in again.attempts("ana")] == [first.id]
    db = sqlite3.connect(tmp_path / "server.sqlite")
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_killed_worker_leaves_work_that_is_claimed_again(tmp_path: Path) -> None:
    store = Store(tmp_path)
    ids = [store.add_submission(s, b"z", via="cli").id for s in ("ana", "ana", "bob")]
    claimed = store.claim(10)
    # one per student in a batch (a batch's results are matched by student), oldest first
    assert [c[0] for c in claimed] == [ids[0], ids[2]]
    assert [c[0] for c in store.claim(10)] == [ids[1]]
    assert store.claim(10) == []
    assert store.requeue_unfinished() == 3  # the worker was killed: all three again
    assert [c[0] for c in store.claim(10)] == [ids[0], ids[2]]


def test_serve_tokens_csv_and_revoke_from_the_cli(course, tmp_path: Path) -> None:
    import csv

    from click.testing import CliRunner

    from servekit import SECRET, SECRET_ENV
    from grader.cli import cli

    runner = CliRunner(env={SECRET_ENV: SECRET})
    base = ["serve", str(course.assignment), "--key", str(course.build), "--state",
            str(tmp_path / "state")]
    out = runner.invoke(cli, [*base, "--tokens", "--url", "https://course.example/"])
    assert out.exit_code == 0, out.output
    lines = [line.split("\t") for line in out.output.splitlines()]
    assert [x[0] for x in lines] == ["ana", "bob", "cy", "(instructor)"]
    assert all(x[2] == f"https://course.example/login?token={x[1]}" for x in lines)
    out = runner.invoke(cli, [*base, "--revoke", "bob", "--csv", str(tmp_path / "t.csv")])
    assert out.exit_code == 0 and "revoked the token of bob (generation 1)" in out.output
    rows = list(csv.DictReader((tmp_path / "t.csv").open(encoding="utf-8")))
    assert (tmp_path / "t.csv").stat().st_mode & 0o077 == 0
    assert rows[0]["token"] == lines[0][1] and rows[1]["token"] != lines[1][1]
    assert rows[1]["token"].startswith("1.") and rows[1]["email"] == "bob@example.edu"
    out = runner.invoke(cli, [*base, "--revoke", "zed"])
    assert out.exit_code == 2 and "'zed' is not on the roster" in out.output


def test_the_web_process_does_not_load_the_code_running_machinery() -> None:
    """The sandbox and the grading engine live in the worker process only."""
    import subprocess
    import sys

    code = ("import sys, grader.server.app, grader.server.pages, grader.server.api, "
            "grader.server.instructor, grader.outputs.reports\n"
            "print(sorted(m for m in sys.modules if m.startswith(('grader.sandbox', "
            "'grader.grading.engine', 'grader.grading.parallel', 'grader.grading.functions'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "[]"
    worker = code.replace("grader.server.app,", "grader.server.worker,")
    out = subprocess.run([sys.executable, "-c", worker], capture_output=True, text=True,
                         timeout=60, check=True)
    assert "grader.sandbox" in out.stdout  # the check sees it where it is
