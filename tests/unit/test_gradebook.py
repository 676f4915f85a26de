"""The gradebook: schema version and migrations, one transaction per student, latest results."""

from __future__ import annotations

import sqlite3

import pytest

from grader.core.errors import UserError
from grader.grading import gradebook as G
from grader.grading.results import ExerciseResult, PartResult, StudentResult


def result(sid: str, score: float, *, sha: str | None = "abc") -> StudentResult:
    parts = (PartResult("ex", "a", "scalar", score, 2.0, "correct" if score == 2 else "wrong",
                        "fb", mistake=None if score == 2 else "sign flipped", answer=1.5),
             PartResult("ex", "b", "scalar", 0.0, 1.0, "missing", "none"))
    return StudentResult("w1", sid, sid.title(), f"{sid}@x", sid, "graded", score, score, 3.0,
                         (ExerciseResult("ex", 1, "Ex", score, 3.0, parts),),
                         submission_sha256=sha)


def test_a_new_gradebook_is_migrated_to_the_current_version(tmp_path):
    with G.Gradebook(tmp_path / "g.sqlite") as book:
        assert book.version() == G.SCHEMA_VERSION == len(G.MIGRATIONS)
        tables = {r[0] for r in book.db.execute("SELECT name FROM sqlite_master WHERE type = "
                                                "'table'")}
        views = {r[0] for r in book.db.execute("SELECT name FROM sqlite_master WHERE type = "
                                               "'view'")}
    assert {"schema_version", "submissions", "runs", "student_results", "documents",
            "document_parts"} <= tables
    assert views == {"part_results"}  # the v2 table, as a view since v3
    with G.Gradebook(tmp_path / "g.sqlite") as again:  # reopening migrates nothing twice
        assert again.version() == G.SCHEMA_VERSION


def test_migrations_apply_in_order_from_an_older_version(tmp_path, monkeypatch):
    path = tmp_path / "g.sqlite"
    with G.Gradebook(path):
        pass
    extra = "ALTER TABLE runs ADD COLUMN note TEXT;"
    monkeypatch.setattr(G, "MIGRATIONS", (*G.MIGRATIONS, extra))
    with G.Gradebook(path) as book:
        assert book.version() == len(G.MIGRATIONS)
        cols = [r[1] for r in book.db.execute("PRAGMA table_info(runs)")]
    assert cols[-1] == "note"


def test_a_newer_or_foreign_file_is_refused_with_a_message(tmp_path):
    path = tmp_path / "g.sqlite"
    with G.Gradebook(path) as book:
        book.db.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(UserError, match="schema version 99 was written by a newer grader"):
        G.Gradebook(path)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UserError, match="not a usable gradebook"):
        G.Gradebook(junk)


def test_records_and_the_latest_result_per_student(tmp_path):
    with G.Gradebook(tmp_path / "g.sqlite") as book:
        run1 = book.start_run(assignment="w1", grader_version="0.1", spec_hashes={"ex": "h"},
                              sandbox_level="fork")
        book.record(run1, result("ann", 2.0), fingerprint="f1", received_time="t", path="subs/ann")
        book.record(run1, result("bob", 0.0, sha=None), fingerprint="f2", received_time=None,
                    path=None)
        book.finish_run(run1)
        run2 = book.start_run(assignment="w1", grader_version="0.1", spec_hashes={"ex": "h2"},
                              sandbox_level="fork")
        book.record(run2, result("ann", 1.0), fingerprint="f3", received_time="t",
                    path="subs/ann")
        latest = book.latest("w1")
        assert {s: (v.run, v.total, v.fingerprint) for s, v in latest.items()} == {
            "ann": (run2, 1.0, "f3"), "bob": (run1, 0.0, "f2")}
        assert latest["ann"].result() == result("ann", 1.0)
        assert book.latest("w2") == {}
        parts = book.latest_parts("w1")
        assert parts[0] == ("ann", "ex", "a", 1.0, 2.0, "wrong", "sign flipped", "fb")
        assert len(parts) == 4
        subs = book.db.execute("SELECT student, sha256, path FROM submissions").fetchall()
        assert subs == [("ann", "abc", "subs/ann")]  # the same submission is stored once
        runs = book.runs()
        assert runs[0][6] is not None and runs[1][6] is None  # run 2 never finished
        assert runs[1][3] == '{"ex": "h2"}'


def test_a_failed_record_leaves_nothing_half_written(tmp_path, monkeypatch):
    with G.Gradebook(tmp_path / "g.sqlite") as book:
        run = book.start_run(assignment="w1", grader_version="0.1", spec_hashes={},
                             sandbox_level="x")

        def boom(_):
            raise RuntimeError("killed mid-write")

        monkeypatch.setattr(G, "to_json", boom)  # fails after the part rows were inserted
        with pytest.raises(RuntimeError):
            book.record(run, result("ann", 2.0), fingerprint="f", received_time=None, path="p")
        counts = [book.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("submissions", "part_results", "student_results")]
    assert counts == [0, 0, 0]


def test_the_gradebook_is_readable_by_plain_sqlite(tmp_path):
    with G.Gradebook(tmp_path / "g.sqlite") as book:
        run = book.start_run(assignment="w1", grader_version="0.1", spec_hashes={},
                             sandbox_level="x")
        book.record(run, result("ann", 2.0), fingerprint="f", received_time=None, path="p")
    con = sqlite3.connect(tmp_path / "g.sqlite")
    assert con.execute("SELECT student, total FROM student_results").fetchall() == [("ann", 2.0)]
    con.close()


def test_first_seen_times_are_stamped_once(tmp_path):
    with G.Gradebook(tmp_path / "g.sqlite") as book:
        first = book.first_seen("w", [("s1", "aa"), ("s2", "bb")], now="2026-03-01T10:00:00+00:00")
        assert first == {("s1", "aa"): "2026-03-01T10:00:00+00:00",
                         ("s2", "bb"): "2026-03-01T10:00:00+00:00"}
        later = book.first_seen("w", [("s1", "aa"), ("s1", "cc")], now="2026-03-05T10:00:00+00:00")
    assert later[("s1", "aa")] == "2026-03-01T10:00:00+00:00"  # already seen: unchanged
    assert later[("s1", "cc")] == "2026-03-05T10:00:00+00:00"  # a new submission of s1
    with G.Gradebook(tmp_path / "g.sqlite") as again:  # and it survives reopening
        assert again.first_seen("w", [])[("s2", "bb")] == "2026-03-01T10:00:00+00:00"


def test_a_version_1_gradebook_gains_first_seen(tmp_path, monkeypatch):
    monkeypatch.setattr(G, "MIGRATIONS", G.MIGRATIONS[:1])
    with G.Gradebook(tmp_path / "g.sqlite") as old:
        assert old.version() == 1
    monkeypatch.undo()
    with G.Gradebook(tmp_path / "g.sqlite") as book:
        assert book.version() == G.SCHEMA_VERSION
        assert book.first_seen("w", [("s1", "aa")], now="2026-01-01T00:00:00+00:00")
