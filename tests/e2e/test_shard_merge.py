"""Shards and merge: a class graded as 3 shards and merged is byte-for-byte one unsharded run.

The class is test_grade_class's: every status (graded, missing, empty, tampered, late, an
unknown submitter), typed parts, function parts in the sandbox, a key mismatch (a grading
warning). The unsharded run is the reference; nothing here is computed by the merge code.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.app.grade import grade_assignment
from grader.app.merge import merge_shards
from grader.cli import cli
from grader.grading.shard import ShardSpec, parse_shard, shard_of
from test_grade_class import SECRET_ENV, build_class, fabricate  # tests/e2e, on sys.path

N = 3
SKIP = {"gradebook.sqlite", "gradebook.sqlite-wal", "gradebook.sqlite-shm", ".grader.lock"}


def _exports(out: Path) -> dict[str, Path | None]:
    return {"junit": out / "junit.xml", "gradescope": out / "gs.json",
            "summary": out / "summary.md"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, "shard-secret-0123456789abcdef")
        mp.delenv("GITHUB_STEP_SUMMARY", raising=False)
        k = build_class(tmp_path_factory.mktemp("class"))
        fabricate(k)
        single = k.root / "single"
        whole = grade_assignment(k.assignment, k.subs, single, key_dir=k.build, jobs=2,
                                 exports_to=_exports(single))
        shards = [k.root / f"shard{i}" for i in range(1, N + 1)]
        for i, folder in enumerate(shards, 1):
            grade_assignment(k.assignment, k.subs, folder, key_dir=k.build, jobs=2,
                             shard=ShardSpec(i, N))
        merged = k.root / "merged"
        summary = merge_shards(shards, merged, exports_to=_exports(merged))
        yield k, whole, single, shards, summary, merged


def _files(root: Path) -> dict[str, bytes]:
    # .cache/ holds what renders kept to skip work next time (plots, index.html's stamp), not
    # results: a merge, which grades nothing, keeps less there.
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in SKIP and p.relative_to(root).parts[0] != ".cache"}


def _latest(db: Path) -> tuple[list, list]:
    con = sqlite3.connect(db)
    try:
        # document: the SHA-256 of the result document (equal hashes, byte-identical texts)
        rows = con.execute("SELECT s.student, s.status, s.total, s.max, s.fingerprint, "
                           "s.document FROM student_results s JOIN (SELECT student, "
                           "MAX(run) AS run FROM student_results GROUP BY student) m "
                           "ON s.student = m.student AND s.run = m.run ORDER BY s.student"
                           ).fetchall()
        parts = con.execute("SELECT student, exercise, part, score, max, status, mistake, "
                            "feedback FROM part_results ORDER BY student, exercise, "
                            "part").fetchall()
    finally:
        con.close()
    return rows, parts


def test_the_class_has_every_status_and_every_shard_some_students(runs):
    k, whole, _, shards, _, _ = runs
    statuses = {r.status for r in whole.results}
    assert {"graded", "missing", "empty", "tampered", "unknown_student"} <= statuses
    assert any(r.late and r.late.days_late for r in whole.results)
    owned = [json.loads((s / "_shard.json").read_text())["students"] for s in shards]
    assert all(owned)
    ids = sorted(s["id"] for group in owned for s in group)
    assert ids == sorted(r.student_id for r in whole.results)


def test_merged_files_are_byte_identical_to_one_unsharded_run(runs):
    _, _, single, _, _, merged = runs
    want, got = _files(single), _files(merged)
    assert sorted(got) == sorted(want)
    assert [n for n in want if got[n] != want[n]] == []
    assert "summary.md" in want and "index.html" in want and "unknown/nobody.json" in want


def test_merged_summary_and_gradebook_equal_the_unsharded_ones(runs):
    _, whole, single, _, summary, merged = runs
    assert summary == whole
    assert _latest(merged / "gradebook.sqlite") == _latest(single / "gradebook.sqlite")


def test_an_unsharded_run_into_the_merged_folder_finds_everyone_unchanged(runs, tmp_path,
                                                                          monkeypatch):
    k, whole, _, _, _, merged = runs
    monkeypatch.setenv(SECRET_ENV, "shard-secret-0123456789abcdef")
    again = tmp_path / "again"
    shutil.copytree(merged, again)
    rerun = grade_assignment(k.assignment, k.subs, again, key_dir=k.build, jobs=2)
    assert (rerun.graded, rerun.skipped) == (0, len(whole.results))


def test_a_shard_holds_only_the_students_its_hash_gives_it(runs):
    _, _, _, shards, _, _ = runs
    for i, folder in enumerate(shards, 1):
        doc = json.loads((folder / "_shard.json").read_text())
        assert (doc["index"], doc["count"]) == (i, N)
        for s in doc["students"]:
            assert shard_of(s["id"], N) == i
        stored = {p.stem for p in folder.glob("*.json") if not p.name.startswith("_")}
        assert len(stored) <= len(doc["students"])


# ---------------------------------------------------------------- refusals


def _merge(*args: object) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["merge", *map(str, args)])
    return res.exit_code, res.output


def _edited(folder: Path, dest: Path, **changes: object) -> Path:
    shutil.copytree(folder, dest)
    doc = json.loads((dest / "_shard.json").read_text())
    doc.update(changes)
    (dest / "_shard.json").write_text(json.dumps(doc))
    return dest


@pytest.mark.parametrize("field, value, words", [
    ("assignment", "week4", "assignment"),
    ("key", "0" * 64, "key with fingerprint"),
    ("grader_version", "0.0.1", "grader version"),
    ("count", 4, "shard count N"),
])
def test_shards_that_do_not_belong_together_are_refused(runs, tmp_path, field, value, words):
    _, _, _, shards, _, _ = runs
    odd = _edited(shards[1], tmp_path / "odd", **{field: value})
    code, out = _merge(shards[0], odd, shards[2], "--out", tmp_path / "m")
    assert code == 2, out
    assert f"error: {odd}: shard " in out and words in out
    assert not (tmp_path / "m").exists()


def test_a_missing_shard_is_named(runs, tmp_path):
    _, _, _, shards, _, _ = runs
    code, out = _merge(shards[0], shards[2], "--out", tmp_path / "m")
    assert code == 2
    assert "shard 2/3 missing" in out and str(shards[0]) in out


def test_a_shard_given_twice_is_refused(runs, tmp_path):
    _, _, _, shards, _, _ = runs
    code, out = _merge(shards[0], shards[1], shards[1], shards[2], "--out", tmp_path / "m")
    assert code == 2
    assert "are both shard 2/3" in out


def test_overlapping_students_are_refused(runs, tmp_path):
    _, _, _, shards, _, _ = runs
    one = json.loads((shards[0] / "_shard.json").read_text())
    stolen = one["students"][0]
    two = json.loads((shards[1] / "_shard.json").read_text())
    odd = _edited(shards[1], tmp_path / "odd", students=[*two["students"], stolen])
    code, out = _merge(shards[0], odd, shards[2], "--out", tmp_path / "m")
    assert code == 2
    assert f"both hold student {stolen['id']!r}" in out and str(odd) in out


def test_a_folder_that_is_no_shard_is_named(runs, tmp_path):
    _, _, single, shards, _, _ = runs
    code, out = _merge(shards[0], single, shards[2], "--out", tmp_path / "m")
    assert code == 2
    assert f"error: {single}: not a shard's results folder" in out


def test_out_may_not_be_a_shard(runs):
    _, _, _, shards, _, _ = runs
    code, out = _merge(*shards, "--out", shards[0])
    assert code == 2 and "--out is one of the shards" in out


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0"])
def test_a_bad_shard_option_is_a_usage_error(text, tmp_path):
    res = CliRunner().invoke(cli, ["grade", "a.yaml", str(tmp_path), "--out", str(tmp_path / "o"),
                                   "--shard", text])
    assert res.exit_code == 2 and "--shard" in res.output


def test_shards_are_stable_and_even():
    ids = [f"s{i:05d}" for i in range(6000)]
    counts = [sum(shard_of(s, 4) == k for s in ids) for k in range(1, 5)]
    assert all(1350 < c < 1650 for c in counts), counts  # binomial sd ~34 around 1500
    # a student's shard is a function of the id alone, as documented: SHA-256, first 8 bytes
    for sid in ("alice", "Zoë Ünicode", "s00017"):
        expected = int(hashlib.sha256(sid.encode()).hexdigest()[:16], 16) % 4 + 1
        assert shard_of(sid, 4) == expected
    assert parse_shard(" 2 / 4 ") == ShardSpec(2, 4)


def test_shards_regrading_into_the_last_results_merge_as_one_regrade_would(runs, tmp_path,
                                                                          monkeypatch):
    """The CI set-up: each shard starts from the last merged folder (its gradebook), as one
    unsharded rerun starts from the last results; a changed submission is regraded once."""
    import yaml

    k, whole, single, _, _, merged = runs
    monkeypatch.setenv(SECRET_ENV, "shard-secret-0123456789abcdef")
    subs = tmp_path / "subs"
    shutil.copytree(k.subs, subs)
    (subs / "bits" / "answers.yaml").write_text(yaml.safe_dump(k.right("bits")))
    one = tmp_path / "one"
    shutil.copytree(single, one)
    rerun = grade_assignment(k.assignment, subs, one, key_dir=k.build, jobs=2,
                             exports_to=_exports(one))
    assert (rerun.graded, rerun.changes) == (1, (("bits", 28.0, 30.0),))
    shards = []
    for i in range(1, N + 1):
        shutil.copytree(merged, tmp_path / f"s{i}")
        grade_assignment(k.assignment, subs, tmp_path / f"s{i}", key_dir=k.build, jobs=2,
                         shard=ShardSpec(i, N))
        shards.append(tmp_path / f"s{i}")
    out = tmp_path / "out"
    shutil.copytree(merged, out)
    again = merge_shards(shards, out, exports_to=_exports(out))
    assert again == rerun
    want, got = _files(one), _files(out)
    assert sorted(got) == sorted(want)
    assert [n for n in want if got[n] != want[n]] == []


def test_merge_on_the_command_line_prints_the_class_and_keeps_the_gate(runs, tmp_path):
    _, whole, _, shards, _, _ = runs
    code, out = _merge(*shards, "--out", tmp_path / "m", "--fail-under", "100")
    assert code == 1, out  # some submitted work is under 100%
    assert out.startswith("merged 3 shards\n")
    assert f"{len(whole.results)} students" in out and "fail-under 100%: not met" in out
    assert (tmp_path / "m" / "gradebook.csv").is_file()


def test_a_shard_folder_regraded_without_shard_is_no_longer_a_shard(runs, tmp_path,
                                                                  monkeypatch):
    k, _, _, shards, _, _ = runs
    monkeypatch.setenv(SECRET_ENV, "shard-secret-0123456789abcdef")
    folder = tmp_path / "was-shard"
    shutil.copytree(shards[0], folder)
    grade_assignment(k.assignment, k.subs, folder, key_dir=k.build, jobs=2)
    assert not (folder / "_shard.json").exists()
    code, out = _merge(folder, shards[1], shards[2], "--out", tmp_path / "m")
    assert code == 2 and "not a shard's results folder" in out


def _first_seen(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute("SELECT * FROM first_seen").fetchall())
    finally:
        con.close()


def test_received_times_survive_sharding_and_merging(tmp_path):
    """time_source: received: each shard stamps its students' receipts; the merged gradebook
    keeps them, so a later run into it does not move anyone's lateness."""
    from grader.app.demo import run_demo

    root = tmp_path / "course"
    demo = run_demo(root, grade=False)
    assignment = root / "assignment.yaml"
    text = assignment.read_text(encoding="utf-8")
    text = text.replace("due: 2026-11-30T23:59:00+00:00", "due: 2020-01-01T00:00:00+00:00")
    assignment.write_text(text.replace("time_source: manifest", "time_source: received"),
                          encoding="utf-8")
    shards = [tmp_path / f"r{i}" for i in (1, 2)]
    for i, folder in enumerate(shards, 1):
        grade_assignment(assignment, demo.submissions, folder, key_dir=demo.problem_sets,
                         jobs=1, shard=ShardSpec(i, 2))
    merged = tmp_path / "merged"
    merge_shards(shards, merged)
    stamped = [row for s in shards for row in _first_seen(s / "gradebook.sqlite")]
    assert stamped and _first_seen(merged / "gradebook.sqlite") == sorted(stamped)
    before = {p.name: p.read_bytes() for p in merged.glob("*.json")}
    assert any(json.loads(b).get("late", {}) and json.loads(b)["late"]["time_source"] ==
               "received" for b in before.values())
    rerun = grade_assignment(assignment, demo.submissions, merged, key_dir=demo.problem_sets,
                             jobs=1)
    assert rerun.graded == 0
    assert {p.name: p.read_bytes() for p in merged.glob("*.json")} == before


def test_grade_passes_shard_and_executor_on(monkeypatch):
    import grader.app.grade
    from grader.grading.results import RunSummary

    seen: list = []

    def fake(*args, **kwargs):
        seen.append(kwargs)
        return RunSummary("w1", (), 0, 0, "fork+rlimits")

    monkeypatch.setattr(grader.app.grade, "grade_assignment", fake)
    res = CliRunner().invoke(cli, ["grade", "a.yaml", "subs", "--out", "res", "--shard", "2/4",
                                   "--executor", "dask://10.0.0.5:8786"])
    assert res.exit_code == 0, res.output
    assert (seen[0]["shard"], seen[0]["executor"]) == (ShardSpec(2, 4), "dask://10.0.0.5:8786")
