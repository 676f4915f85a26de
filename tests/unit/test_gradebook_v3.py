"""Gradebook schema v3: documents stored once, v2 files upgraded in place, `compact`.

A v2 file is built here from a frozen copy of the v2 schema (not from grader's MIGRATIONS, which
are the code under test), filled the way the v2 grader filled it; every expected value below is
written out or derived from that copy, never read back through the code under test.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.grading import gradebook as G
from grader.grading.compact import compact_gradebook
from grader.grading.results import ExerciseResult, PartResult, StudentResult
from grader.outputs.exports import result_json

V2_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (2);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL, assignment TEXT NOT NULL, sha256 TEXT NOT NULL,
    received_time TEXT, path TEXT NOT NULL,
    UNIQUE (assignment, student, sha256, path));
CREATE TABLE runs (
    id INTEGER PRIMARY KEY, assignment TEXT NOT NULL, grader_version TEXT NOT NULL,
    spec_hashes TEXT NOT NULL, sandbox_level TEXT NOT NULL,
    started TEXT NOT NULL, finished TEXT);
CREATE TABLE part_results (
    run INTEGER NOT NULL REFERENCES runs (id), student TEXT NOT NULL,
    exercise TEXT NOT NULL, part TEXT NOT NULL, score REAL NOT NULL, max REAL NOT NULL,
    status TEXT NOT NULL, mistake TEXT, feedback TEXT NOT NULL,
    PRIMARY KEY (run, student, exercise, part));
CREATE TABLE student_results (
    run INTEGER NOT NULL REFERENCES runs (id), student TEXT NOT NULL,
    assignment TEXT NOT NULL, status TEXT NOT NULL, total REAL NOT NULL, max REAL NOT NULL,
    fingerprint TEXT NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (run, student));
CREATE INDEX student_results_latest ON student_results (assignment, student, run);
CREATE TABLE first_seen (
    assignment TEXT NOT NULL, student TEXT NOT NULL, sha256 TEXT NOT NULL,
    time TEXT NOT NULL, PRIMARY KEY (assignment, student, sha256));
"""
FEEDBACK = ("Your answer {a} is off by a factor of two: check the normalising constant of the "
            "posterior, which sums over every hypothesis, not only the observed one. ")


def result(sid: str, score: float, *, assignment: str = "w1", exercises: int = 4,
           parts: int = 3) -> StudentResult:
    """A result with a realistic amount of text: a few KB of JSON, as grading writes."""
    exs = tuple(ExerciseResult(
        f"ex{e}", e + 1, f"Exercise {e}", score, 3.0 * parts,
        tuple(PartResult(f"ex{e}", f"p{p}", "scalar", score / parts, 3.0, "wrong",
                         FEEDBACK.format(a=p) * 2, mistake="factor of two",
                         answer=[score, p, 0.5], expected=[1.0, p, 0.25],
                         details=("first step ok", "second step off"))
              for p in range(parts)))
        for e in range(exercises))
    return StudentResult(assignment, sid, sid.title(), f"{sid}@example.org", sid, "graded",
                         score, score * exercises, 9.0 * exercises, exs,
                         submission_sha256=f"{sid}-sub")


def fingerprint(sid: str, n: int) -> str:
    return f"{sid}-{n}".encode().hex().ljust(64, "0")[:64]  # a sha256's length


def v2_record(db: sqlite3.Connection, run: int, r: StudentResult, fp: str) -> str:
    """What the v2 grader's Gradebook.record wrote, in its one transaction."""
    text = result_json(r)
    db.execute("BEGIN")
    db.executemany("INSERT OR REPLACE INTO part_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [(run, r.student_id, p.exercise_id, p.part_id, p.score, p.max_score,
                     p.status, p.mistake, p.feedback) for p in r.parts()])
    db.execute("INSERT OR REPLACE INTO student_results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (run, r.student_id, r.assignment_id, r.status, r.score, r.max_score, fp, text))
    db.execute("COMMIT")
    return text


def v2_run(db: sqlite3.Connection, assignment: str) -> int:
    cur = db.execute("INSERT INTO runs (assignment, grader_version, spec_hashes, sandbox_level, "
                     "started, finished) VALUES (?, '0.1', '{}', 'fork', 't0', 't1')",
                     (assignment,))
    return int(cur.lastrowid or 0)


@pytest.fixture
def v2_book(tmp_path: Path) -> tuple[Path, dict[tuple[str, str], str], list[tuple]]:
    """A v2 gradebook: three runs of w1 (run 2 an unchanged regrade, run 3 changes ann), one
    of w2; the latest text of each (assignment, student), and every v2 part row."""
    path = tmp_path / "gradebook.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(V2_SCHEMA)
    latest: dict[tuple[str, str], str] = {}
    for n, changed in enumerate([{"ann": 1.0, "bob": 2.0, "cy": 0.0},
                                 {"ann": 1.0, "bob": 2.0, "cy": 0.0},
                                 {"ann": 3.0}]):
        run = v2_run(db, "w1")
        for sid, score in changed.items():
            latest["w1", sid] = v2_record(db, run, result(sid, score), fingerprint(sid, n))
    run = v2_run(db, "w2")
    latest["w2", "ann"] = v2_record(db, run, result("ann", 2.0, assignment="w2"),
                                    fingerprint("ann", 9))
    parts = sorted(db.execute("SELECT * FROM part_results"))
    db.close()
    return path, latest, parts


# -- the v2 -> v3 upgrade ------------------------------------------------------------------------

def test_a_v2_gradebook_upgrades_in_place_keeping_every_latest_result_byte_identical(v2_book):
    path, latest, _ = v2_book
    with G.Gradebook(path) as book:
        assert book.version() == 3
        got = {(a, s): st.json for a in ("w1", "w2") for s, st in book.latest(a).items()}
        assert got == latest  # the exact text, byte for byte
        runs = {s: (st.run, st.fingerprint) for s, st in book.latest("w1").items()}
    assert runs == {"ann": (3, fingerprint("ann", 2)), "bob": (2, fingerprint("bob", 1)),
                    "cy": (2, fingerprint("cy", 1))}
    db = sqlite3.connect(path)
    # 4 results of run 1 and 2 are two copies of 3 documents; ann's run 3 and w2 are new: 5
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 5
    assert db.execute("SELECT COUNT(*) FROM student_results").fetchone()[0] == 8
    assert db.execute("SELECT COUNT(*) FROM document_parts").fetchone()[0] == 5 * 12
    db.close()


def test_the_part_results_view_returns_the_v2_rows(v2_book):
    path, _, v2_parts = v2_book
    assert len(v2_parts) == 8 * 12  # every result of every run, 12 parts each
    with G.Gradebook(path):
        pass
    db = sqlite3.connect(path)  # plain SQLite, as someone's own query would
    assert sorted(db.execute("SELECT * FROM part_results")) == v2_parts
    assert sorted(db.execute("SELECT run, student, exercise, part, score, max, status, mistake, "
                             "feedback FROM part_results WHERE student = 'ann' AND run = 3")) \
        == [row for row in v2_parts if row[:2] == (3, "ann")]
    db.close()


def test_the_view_also_lists_what_v3_itself_records(tmp_path):
    with G.Gradebook(tmp_path / "g.sqlite") as book:
        run = book.start_run(assignment="w1", grader_version="0", spec_hashes={},
                             sandbox_level="x")
        book.record(run, result("ann", 1.5, exercises=1, parts=2), fingerprint="f",
                    received_time=None, path="p")
        rows = book.db.execute("SELECT run, student, exercise, part, score, max, status, "
                               "mistake FROM part_results ORDER BY part").fetchall()
        parts = book.latest_parts("w1")
    assert rows == [(1, "ann", "ex0", "p0", 0.75, 3.0, "wrong", "factor of two"),
                    (1, "ann", "ex0", "p1", 0.75, 3.0, "wrong", "factor of two")]
    assert [p[:6] for p in parts] == [("ann", "ex0", "p0", 0.75, 3.0, "wrong"),
                                      ("ann", "ex0", "p1", 0.75, 3.0, "wrong")]


def test_an_upgraded_file_passes_the_health_checks_and_reopens(v2_book):
    path, latest, _ = v2_book
    with G.Gradebook(path):
        pass
    with G.Gradebook(path) as again:  # quick_check, tables, columns and views of v3
        assert again.version() == 3
        assert again.latest("w2")["ann"].json == latest["w2", "ann"]


def test_a_failed_upgrade_leaves_the_v2_file_as_it_was(v2_book, monkeypatch):
    path, _, _ = v2_book
    before = schema(path)
    broken = G.MIGRATIONS[2].replace("DROP TABLE student_results;",
                                     "DROP TABLE student_results; SELECT no_such_function();")
    monkeypatch.setattr(G, "MIGRATIONS", (*G.MIGRATIONS[:2], broken))
    with pytest.raises(sqlite3.OperationalError):
        G.Gradebook(path)
    monkeypatch.undo()
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchone() == (2,)
    assert db.execute("SELECT COUNT(*) FROM student_results WHERE json LIKE '{%'"
                      ).fetchone()[0] == 8
    db.close()
    assert schema(path) == before


def schema(path: Path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return sorted(db.execute("SELECT type, name, sql FROM sqlite_master"))
    finally:
        db.close()


# -- growth ----------------------------------------------------------------------------------

def file_bytes(path: Path) -> int:
    """The file's size once the write-ahead log is folded in (pages * page size)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages, size = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size"))
    db.close()
    assert path.stat().st_size == pages * size
    return pages * size


def grade_run(path: Path, results: list[StudentResult], n: int) -> None:
    with G.Gradebook(path) as book:
        run = book.start_run(assignment="w1", grader_version="0", spec_hashes={"ex0": "h"},
                             sandbox_level="x")
        for r in results:
            book.record(run, r, fingerprint=fingerprint(r.student_id, n), received_time=None,
                        path=f"subs/{r.student_id}", document=result_json(r))
        book.finish_run(run)


def test_an_unchanged_regrade_adds_under_300_bytes_per_student(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    students = [result(f"s{i:04d}", i % 4) for i in range(300)]
    assert len(result_json(students[0])) > 8000  # documents of a realistic size
    grade_run(path, students, 0)
    first = file_bytes(path)
    assert first > 300 * 1000  # the first run stores each document (compressed) once
    for n in (1, 2):  # --force regrades that give byte-identical documents
        before = file_bytes(path)
        grade_run(path, students, n)
        grown = (file_bytes(path) - before) / len(students)
        assert grown < 300, f"run {n}: {grown:.0f} bytes per student"


def test_a_changed_result_stores_its_new_document(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    grade_run(path, [result("ann", 1.0)], 0)
    grade_run(path, [result("ann", 2.0)], 1)
    with G.Gradebook(path) as book:
        assert book.latest("w1")["ann"].json == result_json(result("ann", 2.0))
        assert book.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 2


# -- compact ---------------------------------------------------------------------------------

def history(path: Path, runs: int = 4, students: int = 40) -> dict[str, str]:
    """`runs` runs in which every student's score changes; the latest text of each."""
    for n in range(runs):
        grade_run(path, [result(f"s{i:03d}", (i + n) % 5) for i in range(students)], n)
    return {f"s{i:03d}": result_json(result(f"s{i:03d}", (i + runs - 1) % 5))
            for i in range(students)}


def count(path: Path, table: str) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        db.close()


def test_compact_by_default_keeps_every_result(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    latest = history(path)
    with G.Gradebook(path) as book:  # a result recorded twice in one run orphans a document
        for score, fp in ((4.5, "x"), (0, fingerprint("s000", 0))):
            book.record(1, result("s000", score), fingerprint=fp, received_time=None, path=None,
                        document=result_json(result("s000", score)))
    done = compact_gradebook(tmp_path)
    assert (done.results, done.documents) == (0, 1)
    assert count(path, "student_results") == 160 and count(path, "documents") == 160
    with G.Gradebook(path) as book:
        assert {s: st.json for s, st in book.latest("w1").items()} == latest


def test_compact_keep_runs_drops_older_results_never_the_latest(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    latest = history(path)
    grade_run(path, [result("late", 1.0)], 9)  # one student seen in one run only
    before = path.stat().st_size
    done = compact_gradebook(tmp_path, keep_runs=1)
    assert (done.results, done.documents) == (120, 120)
    assert done.after < done.before and path.stat().st_size < before
    assert count(path, "student_results") == 41 and count(path, "document_parts") == 41 * 12
    assert count(path, "runs") == 5  # the runs stay listed
    with G.Gradebook(path) as book:
        kept = {s: st.json for s, st in book.latest("w1").items()}
    assert kept == {**latest, "late": result_json(result("late", 1.0))}


def test_compact_keep_runs_two_keeps_two_per_student(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    history(path, runs=3, students=10)
    compact_gradebook(tmp_path, keep_runs=2)
    db = sqlite3.connect(path)
    assert sorted(db.execute("SELECT run, COUNT(*) FROM student_results GROUP BY run")) == [
        (2, 10), (3, 10)]
    db.close()


def test_a_compaction_that_fails_in_vacuum_leaves_a_usable_gradebook(tmp_path, monkeypatch):
    path = tmp_path / "gradebook.sqlite"
    latest = history(path, runs=2, students=10)
    real = G.Gradebook.compact.__wrapped__  # type: ignore[attr-defined]

    def deletes_then_dies(self, **kw):
        self.db = _DiesOn("VACUUM", self.db)
        return real(self, **kw)

    monkeypatch.setattr(G.Gradebook, "compact", deletes_then_dies)
    with pytest.raises(RuntimeError, match="killed"):
        compact_gradebook(tmp_path, keep_runs=1)
    monkeypatch.undo()
    with G.Gradebook(path) as book:
        assert {s: st.json for s, st in book.latest("w1").items()} == latest


class _DiesOn:
    """The gradebook's connection, but a process killed when it reaches `sql`."""

    def __init__(self, sql: str, db: sqlite3.Connection) -> None:
        self.sql, self.real = sql, db

    def execute(self, text: str, *args):
        if text == self.sql:
            raise RuntimeError("killed before " + self.sql)
        return self.real.execute(text, *args)

    def __getattr__(self, name: str):
        return getattr(self.real, name)


KILLED_CHILD = """
import sys
from pathlib import Path
from grader.grading.compact import compact_gradebook
print("ready", flush=True)
compact_gradebook(Path(sys.argv[1]), keep_runs=1)
"""


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15, 0.3])
def test_a_compaction_killed_at_any_instant_leaves_a_usable_gradebook(tmp_path, delay):
    path = tmp_path / "gradebook.sqlite"
    latest = history(path, runs=5, students=150)
    child = subprocess.Popen([sys.executable, "-c", KILLED_CHILD, str(tmp_path)],
                             stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(
                                 Path(__file__).resolve().parents[2])})
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with G.Gradebook(path) as book:  # opens: pages, schema and views whole
        assert {s: st.json for s, st in book.latest("w1").items()} == latest
        left = book.db.execute("SELECT COUNT(*) FROM student_results").fetchone()[0]
    assert left in (150, 5 * 150)  # all of the deletions or none


def test_compacting_a_v2_file_upgrades_it_and_gives_the_old_copies_back(v2_book):
    path, latest, _ = v2_book
    before = file_bytes(path)
    done = compact_gradebook(path.parent)
    assert (done.results, done.documents) == (0, 0)  # every result kept
    assert done.after < before / 2  # 8 uncompressed copies became 5 compressed documents
    with G.Gradebook(path) as book:
        assert {("w1", s): st.json for s, st in book.latest("w1").items()} == {
            k: v for k, v in latest.items() if k[0] == "w1"}
