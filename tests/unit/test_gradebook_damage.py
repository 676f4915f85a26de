"""A disk problem is never called damage (the file is kept); real damage is found and named.

Every case uses a real SQLite file: a read-only connection, a page limit standing in for a full
disk, a folder where the file should be, a second connection holding the write lock, a flipped
byte in a b-tree page, an edited schema_version, a dropped table.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.grading import gradebook as G
from grader.grading import gradebook_health as health
from grader.grading.rebuild import rebuild_gradebook
from grader.grading.results import ExerciseResult, LateInfo, PartResult, StudentResult

PAGE = 4096


def result(sid: str, score: float, *, received: str | None = None) -> StudentResult:
    parts = (PartResult("ex", "a", "scalar", score, 2.0, "correct", "fb", answer=1.5),)
    late = LateInfo(received, "received", 0, 0.0, "") if received else None
    return StudentResult("w1", sid, sid.title(), f"{sid}@x", sid, "graded", score, score, 2.0,
                         (ExerciseResult("ex", 1, "Ex", score, 2.0, parts),),
                         submission_sha256="sha-" + sid, late=late)


def healthy(path: Path, students: int = 300) -> Path:
    """A gradebook big enough to span many pages, checkpointed into the main file."""
    with G.Gradebook(path) as book:
        run = book.start_run(assignment="w1", grader_version="0", spec_hashes={},
                             sandbox_level="x")
        for i in range(students):
            book.record(run, result(f"s{i:03d}", 1.0), fingerprint="f", received_time=None,
                        path=f"subs/s{i:03d}")
        book.finish_run(run)
        book.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def connect_with(monkeypatch: pytest.MonkeyPatch, setup) -> None:
    """Make the gradebook's own connection go through `setup(path) -> Connection`."""
    real = sqlite3.connect
    monkeypatch.setattr(G.sqlite3, "connect", lambda path, **kw: setup(real, path, kw))


def assert_disk_message(exc: pytest.ExceptionInfo, path: Path, before: bytes | None,
                        what: str) -> None:
    text = str(exc.value)
    assert isinstance(exc.value, G.DiskError)
    assert what in text and "the file was left as it is" in text
    assert "damaged" not in text and "usable" not in text and "move it away" not in text.replace(
        "do not move it away", "")
    if before is not None:
        assert path.read_bytes() == before  # kept, byte for byte


# -- disk problems: exit 2, the file kept, nothing said about damage ---------------------------

def test_a_read_only_disk_is_reported_as_such(tmp_path, monkeypatch):
    path = healthy(tmp_path / "gradebook.sqlite")
    before = path.read_bytes()
    connect_with(monkeypatch, lambda real, p, kw: real(f"file:{p}?mode=ro", uri=True, **kw))
    with pytest.raises(G.DiskError) as exc:
        with G.Gradebook(path) as book:
            book.start_run(assignment="w1", grader_version="0", spec_hashes={},
                           sandbox_level="x")
    assert_disk_message(exc, path, before, "read-only")


def test_a_read_only_disk_when_the_gradebook_needs_migrating(tmp_path, monkeypatch):
    path = healthy(tmp_path / "gradebook.sqlite")
    with sqlite3.connect(path) as db:  # an older grader's file: migration 1 not yet applied
        db.executescript("DROP TABLE first_seen; UPDATE schema_version SET version = 1;")
    before = path.read_bytes()
    connect_with(monkeypatch, lambda real, p, kw: real(f"file:{p}?mode=ro", uri=True, **kw))
    with pytest.raises(G.DiskError) as exc:
        G.Gradebook(path)
    assert_disk_message(exc, path, before, "read-only")


def test_a_full_disk_mid_run_is_reported_as_such(tmp_path, monkeypatch):
    path = healthy(tmp_path / "gradebook.sqlite")

    def full(real, p, kw):  # the file may not grow by a single page: SQLITE_FULL, for real
        db = real(p, **kw)
        db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
        return db

    connect_with(monkeypatch, full)
    with pytest.raises(G.DiskError) as exc:
        with G.Gradebook(path) as book:
            run = book.start_run(assignment="w1", grader_version="0", spec_hashes={},
                                 sandbox_level="x")
            for i in range(200):
                book.record(run, result(f"new{i}", 1.0), fingerprint="f" * 500,
                            received_time=None, path="p" * 500)
    assert_disk_message(exc, path, None, "the disk is full")
    monkeypatch.undo()  # space freed: the same file opens, whole, with every committed student
    with G.Gradebook(path) as book:
        latest = book.latest("w1")
    assert len(latest) >= 300 and all(s.startswith(("s", "new")) for s in latest)


def test_a_gradebook_locked_by_another_program_is_not_damage(tmp_path, monkeypatch):
    path = healthy(tmp_path / "gradebook.sqlite")
    before = path.read_bytes()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    connect_with(monkeypatch, lambda real, p, kw: real(p, **{**kw, "timeout": 0.05}))
    try:
        with pytest.raises(G.DiskError) as exc:
            with G.Gradebook(path) as book:
                book.start_run(assignment="w1", grader_version="0", spec_hashes={},
                               sandbox_level="x")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert_disk_message(exc, path, before, "locked by another program")


def test_a_gradebook_that_cannot_be_opened_is_not_damage(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    path.mkdir()  # something that is not a file where the file should be: SQLITE_CANTOPEN
    with pytest.raises(G.DiskError, match="cannot be opened"):
        G.Gradebook(path)
    assert path.is_dir()


@pytest.mark.parametrize("name, text, expected", [
    ("SQLITE_IOERR_WRITE", "disk I/O error", "I/O error"),
    ("SQLITE_IOERR_SHORT_READ", "disk I/O error", "I/O error"),
    ("SQLITE_READONLY_DBMOVED", "attempt to write a readonly database", "read-only"),
    ("SQLITE_FULL", "database or disk is full", "the disk is full"),
    ("SQLITE_CANTOPEN", "unable to open database file", "cannot be opened"),
    ("SQLITE_BUSY", "database is locked", "locked"),
    (None, "disk I/O error", "I/O error"),  # no code attached: the text decides
    (None, "database is locked", "locked"),
])
def test_disk_error_codes_and_texts_are_classified_as_disk(name, text, expected):
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorname = name  # type: ignore[attr-defined]
    assert expected in (health.disk_problem(exc) or "")
    assert not health.is_damage(exc)


@pytest.mark.parametrize("name, text", [("SQLITE_CORRUPT", "database disk image is malformed"),
                                        ("SQLITE_NOTADB", "file is not a database")])
def test_damage_codes_are_not_disk_problems(name, text):
    exc = sqlite3.DatabaseError(text)
    exc.sqlite_errorname = name  # type: ignore[attr-defined]
    assert health.disk_problem(exc) is None and health.is_damage(exc)


# -- damage inside a valid SQLite file: named, with the ways out -------------------------------

def flip_a_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    assert len(data) > 8 * PAGE
    data[3 * PAGE] ^= 0xFF  # the b-tree page type byte of page 4
    path.write_bytes(bytes(data))


def edit(sql: str):
    def damage(path: Path) -> None:
        with sqlite3.connect(path) as db:
            db.executescript(sql)
    return damage


DAMAGE = {
    "flipped byte in a page": (flip_a_page, "integrity check"),
    "schema_version not a number": (edit("UPDATE schema_version SET version = 'two'"),
                                    "schema_version holds 'two'"),
    "schema_version row deleted": (edit("DELETE FROM schema_version"),
                                   "schema_version holds no row"),
    "schema_version set back": (edit("UPDATE schema_version SET version = 1"),
                                "schema version 1 but"),
    "schema_version table dropped": (edit("DROP TABLE schema_version"),
                                     "the table schema_version is missing"),
    "results table dropped": (edit("DROP TABLE document_parts"),
                              "the table document_parts is missing"),
    "view dropped": (edit("DROP VIEW part_results"), "the view part_results is missing"),
    "v2 table still there": (edit("DROP VIEW part_results; CREATE TABLE part_results (x)"),
                             "the view part_results is missing"),
    "column dropped": (edit("ALTER TABLE runs DROP COLUMN finished"), "the table runs has"),
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_damage_is_detected_on_open_and_names_the_ways_out(tmp_path, kind):
    damage, detail = DAMAGE[kind]
    path = healthy(tmp_path / "gradebook.sqlite")
    damage(path)
    before = path.read_bytes()
    with pytest.raises(G.DamagedError) as exc:
        G.Gradebook(path)
    text = str(exc.value)
    assert detail in text
    assert "grader gradebook rebuild" in text and "--empty" in text and "--force" in text
    assert path.read_bytes() == before


def flip_in_document(path: Path, student: str, at: int) -> None:
    """Flip one byte inside a student's stored (compressed) document: pages stay well formed."""
    with sqlite3.connect(path) as db:
        body = db.execute("SELECT body FROM documents JOIN student_results ON document = sha256 "
                          "WHERE student = ?", (student,)).fetchone()[0]
    db.close()
    data = bytearray(path.read_bytes())
    start = bytes(data).index(body)
    assert bytes(data).count(body) == 1
    data[start + at] ^= 0x55
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("at", [2, 20, -5, -1])  # zlib header+data, deep inside, the checksum
def test_damage_inside_a_stored_result_is_named_when_read(tmp_path, at):
    path = healthy(tmp_path / "gradebook.sqlite", students=20)
    with sqlite3.connect(path) as db:
        length = db.execute("SELECT length(body) FROM documents").fetchone()[0]
    db.close()
    flip_in_document(path, "s007", at % length)
    with G.Gradebook(path) as book:  # the pages are fine: it opens
        with pytest.raises(G.DamagedError,
                           match="the stored result of s007 in run 1 cannot be read"):
            book.latest("w1")


def test_a_result_whose_document_is_gone_is_damage_not_a_missing_student(tmp_path):
    path = healthy(tmp_path / "gradebook.sqlite", students=5)
    edit("UPDATE student_results SET document = 'ab' || substr(document, 3) "
         "WHERE student = 's003'")(path)
    with G.Gradebook(path) as book:
        with pytest.raises(G.DamagedError, match="s003 in run 1 cannot be read: its document "
                                                 "is missing"):
            book.latest("w1")


def test_a_newer_graders_gradebook_is_still_told_to_upgrade(tmp_path):
    path = healthy(tmp_path / "gradebook.sqlite")
    edit("UPDATE schema_version SET version = 99")(path)
    with pytest.raises(G.UserError, match="newer grader"):
        G.Gradebook(path)


# -- rebuild -----------------------------------------------------------------------------------

def write_results(folder: Path, results: list[StudentResult]) -> None:
    from grader.outputs.exports import result_json

    folder.mkdir(parents=True, exist_ok=True)
    for r in results:
        (folder / f"{r.student_id}.json").write_text(result_json(r), encoding="utf-8")


def test_rebuild_refills_from_the_results_and_keeps_the_damaged_file(tmp_path):
    out = tmp_path / "results"
    write_results(out, [result("ann", 2.0, received="2026-01-02T03:04:05+00:00"),
                        result("bob", 0.5)])
    healthy(out / "gradebook.sqlite", students=50)
    flip_a_page(out / "gradebook.sqlite")
    damaged = (out / "gradebook.sqlite").read_bytes()
    done = rebuild_gradebook(out)
    assert done.students == 2 and done.kept is not None
    assert done.kept.name.startswith("gradebook.sqlite.damaged-")
    assert done.kept.read_bytes() == damaged
    with G.Gradebook(out / "gradebook.sqlite") as book:
        latest = book.latest("w1")
        assert {s: v.total for s, v in latest.items()} == {"ann": 2.0, "bob": 0.5}
        assert latest["ann"].result() == result("ann", 2.0, received="2026-01-02T03:04:05+00:00")
        assert book.first_seen("w1", []) == {("ann", "sha-ann"): "2026-01-02T03:04:05+00:00"}


def test_rebuild_empty_and_a_healthy_gradebook_is_refused(tmp_path):
    out = tmp_path / "results"
    healthy(out / "gradebook.sqlite", students=3)
    with pytest.raises(G.UserError, match="not damaged"):
        rebuild_gradebook(out)
    edit("DROP TABLE runs")(out / "gradebook.sqlite")
    done = rebuild_gradebook(out, empty=True)
    assert done.students == 0 and done.kept is not None and done.kept.exists()
    with G.Gradebook(out / "gradebook.sqlite") as book:
        assert book.latest("w1") == {} and book.version() == G.SCHEMA_VERSION


def test_rebuild_without_stored_results_changes_nothing_and_points_to_empty(tmp_path):
    out = tmp_path / "results"
    healthy(out / "gradebook.sqlite", students=3)
    edit("DROP TABLE runs")(out / "gradebook.sqlite")
    (out / ".gradebook.sqlite.rebuilding-1").write_bytes(b"left by a killed rebuild")
    before = (out / "gradebook.sqlite").read_bytes()
    with pytest.raises(G.UserError, match="no student results .* --empty` starts a fresh"):
        rebuild_gradebook(out)
    assert (out / "gradebook.sqlite").read_bytes() == before
    assert not list(out.glob("gradebook.sqlite.damaged-*"))
    rebuild_gradebook(out, empty=True)
    assert not list(out.glob(".gradebook.sqlite.rebuilding-*"))


@pytest.fixture(scope="module")
def graded_demo(tmp_path_factory):
    from grader.app.demo import run_demo

    return run_demo(tmp_path_factory.mktemp("course") / "c", grade=True, jobs=1)


def test_cli_damaged_exits_2_then_rebuild_then_grading_works(graded_demo, tmp_path):
    root = tmp_path / "c"
    shutil.copytree(graded_demo.root, root)
    out = root / "results"
    scores = {p.stem: json.loads(p.read_text())["score"] for p in out.glob("s*.json")}
    edit("DROP TABLE student_results")(out / "gradebook.sqlite")
    args = ["grade", str(root / "assignment.yaml"), str(root / "submissions"), "--out", str(out),
            "--key", str(root / "problem-sets" / "key"), "--jobs", "1", "--force"]
    runner = CliRunner()
    first = runner.invoke(cli, args)
    assert first.exit_code == 2, first.output
    assert "the table student_results is missing" in first.output
    assert "Traceback" not in first.output
    rebuilt = runner.invoke(cli, ["gradebook", "rebuild", str(out)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"rebuilt from {len(scores)} stored results" in rebuilt.output
    kept = [p.name for p in out.glob("gradebook.sqlite.damaged-*")]
    assert len([k for k in kept if not k.endswith(("-wal", "-shm"))]) == 1, kept  # + companions
    again = runner.invoke(cli, args[:-1])  # no --force: the rebuilt gradebook regrades anyway
    assert again.exit_code == 0, again.output
    missing = sum(json.loads(p.read_text())["status"] == "missing" for p in out.glob("s*.json"))
    assert missing >= 1  # the demo has a student who handed in nothing: not counted as graded
    assert f"graded {len(scores) - missing}, missing {missing}, unchanged 0" in again.output
    assert "changed:" not in again.output
    with G.Gradebook(out / "gradebook.sqlite") as book:
        assert {s: v.total for s, v in book.latest("demo-week-1").items()
                if s in scores} == scores


def test_cli_a_read_only_gradebook_exits_2_and_keeps_it(graded_demo, tmp_path, monkeypatch):
    root = tmp_path / "c"
    shutil.copytree(graded_demo.root, root)
    out = root / "results"
    before = (out / "gradebook.sqlite").read_bytes()
    connect_with(monkeypatch, lambda real, p, kw: real(f"file:{p}?mode=ro", uri=True, **kw))
    result = CliRunner().invoke(cli, [
        "grade", str(root / "assignment.yaml"), str(root / "submissions"), "--out", str(out),
        "--key", str(root / "problem-sets" / "key"), "--jobs", "1", "--force"])
    assert result.exit_code == 2, result.output
    assert "read-only" in result.output and "the file was left as it is" in result.output
    assert "damaged" not in result.output and "Traceback" not in result.output
    assert (out / "gradebook.sqlite").read_bytes() == before
    assert not list(out.glob("gradebook.sqlite.damaged-*"))
