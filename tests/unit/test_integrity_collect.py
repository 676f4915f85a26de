"""Issue 16 while collecting submissions: an empty or mistyped folder is refused, loose files and
vanished students are warned about, honest hand-made archives are neither tampered nor lost, and a
problem set from another generate run is reported."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader.core.errors import UserError
from grader.grading.collect import Entry, collect, gather, vanished, variant_mismatch
from grader.course.documents import KeyDocument, KeyExercise
from grader.course.roster import Student
from grader.student.documents import MetaAssignment, MetaStudent, StudentMeta
from grader.grading.keys import StudentKey, exercise_list_changes
from grader.core.seeding import variant_fingerprint
from grader.core.values import from_json, to_json
from grader.student.submission import NO_MANIFEST, manifest_for, pack, read_archive, read_folder

EXERCISES = [{"id": "la-matmul", "params": {"A": [[1, 2]]}, "points": 4}]


def key(sid: str, exercises: list | None = None) -> StudentKey:
    listed = EXERCISES if exercises is None else exercises
    doc = KeyDocument("w1", Student(sid, sid.title(), f"{sid}@x", sid), 0.0, tuple(
        KeyExercise(e["id"], n, e.get("points", 0), dict(e.get("params", {})))
        for n, e in enumerate(listed, 1)))
    return StudentKey(sid, sid.title(), f"{sid}@x", sid, doc, "k" + sid)


KEYS = [key("ann"), key("bob")]


ANN = StudentMeta(MetaAssignment("w1"), MetaStudent("ann"), ())


def meta(sid: str, **extra) -> str:
    return json.dumps({"student": {"id": sid}, "assignment": {"id": "w1"}, **extra})


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def by_id(entries: list[Entry]) -> dict[str, Entry]:
    return {e.student_id: e for e in entries}


# ---------------------------------------------------------------- 1. nothing found, loose files


@pytest.mark.parametrize("files", [{}, {"subs/notes.txt": "x"}, {"subs/ann/README": "x"},
                                   {"subs/manifest.json": "{}", "subs/.DS_Store": "x"}])
def test_a_folder_without_any_submission_is_refused(tree, tmp_path, monkeypatch, files):
    (tmp_path / "subs").mkdir()
    tree(files)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError) as err:
        collect(Path("subs"), KEYS, "w1")
    text = str(err.value)
    assert text.startswith("subs: no submission found (")
    assert "Expected one folder per student holding answers.yaml, solution.py or grader.json" \
        in text and text.endswith("run again with --allow-empty.")
    entries = collect(Path("subs"), KEYS, "w1", allow_empty=True)
    assert {e.status for e in entries} <= {"missing", "empty"}  # an empty folder stays empty


def test_loose_files_are_named_in_a_warning(tree, tmp_path, monkeypatch):
    tree({"subs/ann/answers.yaml": "x: 1\n", "subs/manifest.json": "{}", "subs/notes.txt": "x",
          "subs/__MACOSX/._ann": "junk", "subs/.DS_Store": "junk"})
    monkeypatch.chdir(tmp_path)
    found = gather(Path("subs"), KEYS, "w1")
    assert found.warnings == (
        "subs: ignored 2 file(s) that are not submissions (manifest.json, notes.txt); only "
        "folders and .zip archives are read. A grader.json or manifest.json belongs inside a "
        "student's folder.",)
    assert [e.student_id for e in found.entries] == ["ann", "bob"]  # __MACOSX is no student


def test_students_graded_before_and_missing_now_are_named_with_their_totals():
    entries = [Entry("ann", "ann", KEYS[0], None, "missing"),
               Entry("bob", "bob", KEYS[1], None, "missing"),
               Entry("cat", "cat", None, None, "missing")]
    previous = {"ann": ("graded", 12.5, 20.0), "bob": ("missing", 0.0, 20.0)}
    assert vanished(entries, previous) == (
        "1 student(s) graded in an earlier run have no submission now and are recorded as "
        "missing with 0 points: ann (was 12.5/20). If their work was moved or renamed, put it "
        "back in the submissions folder and grade again.")
    assert vanished(entries, {}) is None


# ---------------------------------------------------------------- 3. honest archives


def test_a_zip_without_a_manifest_is_graded_with_a_note_not_tampered(tmp_path):
    (tmp_path / "subs").mkdir()
    path = tmp_path / "subs" / "w1-ann.zip"
    path.write_bytes(zip_of({"answers.yaml": b"x: 1\n", "grader.json": meta("ann").encode()}))
    assert read_archive(path).problems == (NO_MANIFEST,)
    ann = by_id(collect(tmp_path / "subs", KEYS, "w1"))["ann"]
    assert ann.status == "graded" and NO_MANIFEST in ann.messages


def test_a_manifest_that_does_not_match_is_still_tampering(tmp_path):
    files = {"answers.yaml": b"x: 1\n", "grader.json": meta("ann").encode()}
    manifest = manifest_for(files, ANN)
    path = tmp_path / "w1-ann.zip"
    path.write_bytes(zip_of({**files, "answers.yaml": b"x: 2\n",
                             "manifest.json": json.dumps(manifest.to_dict()).encode()}))
    assert "tampered: answers.yaml does not match its hash in the manifest" in \
        read_archive(path).problems


def test_a_compressed_folder_is_read_one_level_down_without_the_os_junk(tmp_path):
    (tmp_path / "subs").mkdir()
    path = tmp_path / "subs" / "s001.zip"  # Finder's "Compress": named after the folder
    path.write_bytes(zip_of({
        "s001/": b"", "s001/answers.yaml": b"x: 1\n", "s001/grader.json": meta("ann").encode(),
        "s001/problems.html": b"<p>", "s001/.DS_Store": b"junk",
        "__MACOSX/s001/._answers.yaml": b"junk", "__MACOSX/._s001": b"junk"}))
    sub = read_archive(path)
    assert set(sub.files) == {"answers.yaml", "grader.json"}
    assert sub.problems == ("unexpected file 's001/problems.html' in the archive (ignored)",
                            NO_MANIFEST)
    ann = by_id(collect(tmp_path / "subs", KEYS, "w1"))["ann"]
    assert ann.status == "graded" and ann.submission.files["answers.yaml"] == b"x: 1\n"


def test_a_submit_archive_zipped_again_in_a_folder_keeps_its_manifest_check(tmp_path):
    files = {"answers.yaml": b"x: 1\n", "grader.json": meta("ann").encode()}
    inner = zipfile.ZipFile(io.BytesIO(pack(files, manifest_for(files, ANN))))
    path = tmp_path / "a.zip"
    path.write_bytes(zip_of({f"ann/{n}": inner.read(n) for n in inner.namelist()}))
    sub = read_archive(path)
    assert sub.problems == () and sub.manifest.student == "ann"


def test_only_one_level_and_never_a_way_out(tmp_path):
    path = tmp_path / "a.zip"
    path.write_bytes(zip_of({"a/b/answers.yaml": b"x: 1\n"}))
    assert read_archive(path).files == {}
    path.write_bytes(zip_of({"../answers.yaml": b"x: 1\n"}))
    assert read_archive(path).files == {}


def test_a_folder_holding_its_work_one_folder_down_is_found(tree, tmp_path):
    tree({"subs/ann/ann/answers.yaml": "x: 1\n", "subs/ann/__MACOSX/x": "junk",
          "subs/ann/.DS_Store": "junk",
          "subs/bob/bob/answers.yaml": "x: 1\n", "subs/bob/other/answers.yaml": "x: 2\n"})
    e = by_id(collect(tmp_path / "subs", KEYS, "w1"))
    assert e["ann"].status == "graded" and e["ann"].submission.source.name == "ann"
    assert e["bob"].status == "empty"  # two folders inside: which one is meant is not guessed


def test_a_symlinked_inner_folder_is_not_followed(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "answers.yaml").write_text("x: 1\n")
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "inner").symlink_to(tmp_path / "elsewhere")
    from grader.student.submission import work_folder

    assert work_folder(tmp_path / "ann") == tmp_path / "ann"
    assert read_folder(work_folder(tmp_path / "ann")).files == {}


# ---------------------------------------------------------------- 2. another generate run


def test_a_problem_set_from_another_generate_run_is_a_warning_and_a_note(tree, tmp_path):
    mine = variant_fingerprint([(e["id"], e["params"]) for e in EXERCISES])
    tree({"subs/ann/answers.yaml": "x: 1\n", "subs/ann/grader.json": meta("ann", variant=mine),
          "subs/bob/answers.yaml": "x: 1\n",
          "subs/bob/grader.json": meta("bob", variant="sha256:" + "0" * 64)})
    e = by_id(collect(tmp_path / "subs", KEYS, "w1"))
    assert e["ann"].warnings == ()
    assert len(e["bob"].warnings) == 1 and e["bob"].warnings[0].startswith(
        "bob: the problem set handed in (bob/grader.json) is not the one in the key: its variant "
        "fingerprint sha256:000000000000... is not the key's sha256:")
    assert "another secret, or exercises changed since" in e["bob"].warnings[0]
    assert any("not the one the instructor's key holds for you" in m for m in e["bob"].messages)


def test_an_old_grader_json_without_a_fingerprint_is_compared_by_exercise_ids(tmp_path):
    from grader.student.submission import Submission

    def sub(ids):
        return Submission(tmp_path / "ann", {"grader.json": meta(
            "ann", exercises=[{"id": i} for i in ids]).encode()})

    assert variant_mismatch("ann", sub(["la-matmul"]), KEYS[0]) is None
    warning = variant_mismatch("ann", sub(["la-rank"]), KEYS[0])
    assert warning and "it lists exercises la-rank, the key la-matmul" in warning
    assert variant_mismatch("ann", Submission(tmp_path, {}), KEYS[0]) is None  # nothing to tell


def test_exercises_added_to_or_dropped_from_the_assignment_are_named(tmp_path):
    from grader.course.assignment import Entry as Slot

    class Ex:
        def __init__(self, topic: str, tags: tuple = ()):
            self.topic, self.tags = topic, tags

    class Assignment:
        path = tmp_path / "week.yaml"
        entries = (Slot("la-matmul", 0, None, (), None), Slot("la-rank", 0, None, (), None),
                   Slot(None, 1, "probability", (), None))

    keys = [key("ann", [{"id": "la-matmul"}, {"id": "prob-bayes"}, {"id": "info-entropy"}])]
    library = {"la-matmul": Ex("linear-algebra"), "prob-bayes": Ex("probability"),
               "info-entropy": Ex("information-theory"), "la-rank": Ex("linear-algebra")}
    added, dropped = exercise_list_changes(Assignment(), keys, library, tmp_path / "key")
    assert "lists exercise(s) la-rank that the problem sets in" in added
    assert "they are not graded" in added
    assert "hold exercise(s) info-entropy that" in dropped  # prob-bayes came from the pick
    assert "they are still graded" in dropped


def test_a_whole_class_from_another_run_is_one_warning_naming_everyone(tree, tmp_path):
    ids = [f"s{i:02d}" for i in range(12)]
    tree({f"subs/{sid}/{name}": text for sid in ids for name, text in (
        ("answers.yaml", "x: 1\n"), ("grader.json", meta(sid, variant="sha256:" + "1" * 64)))})
    found = gather(tmp_path / "subs", [key(sid) for sid in ids], "w1")
    assert all(e.warnings == () for e in found.entries)
    assert all(any("not the one the instructor's key holds" in m for m in e.messages)
               for e in found.entries)
    (warning,) = found.warnings
    assert warning.startswith("12 students handed in a problem set that is not the one in the key")
    assert ", ".join(ids) in warning


def test_a_key_read_back_gives_the_variant_generate_wrote_from_numpy_params():
    # generate hashes its numpy parameters (the walk); grading hashes the key file's parsed JSON
    # (json.dumps directly). Both must hash one text, written out here by hand.
    generated = [("la-x", {"b": np.array([1.5, 2.0]), "a": "é", "n": np.int64(3)}),
                 ("pr-y", {"t": np.float64("inf"), "w": [[0.1], [-2.0]]})]
    text = ('[["la-x", {"a": "é", "b": [1.5, 2.0], "n": 3}], '
            '["pr-y", {"t": "inf", "w": [[0.1], [-2.0]]}]]')
    want = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    assert variant_fingerprint(generated) == want
    parsed = from_json(to_json([[i, p] for i, p in generated]))
    assert variant_fingerprint([(i, p) for i, p in parsed], parsed=True) == want
    finite = [(i, p) for i, p in parsed if i == "la-x"]
    assert variant_fingerprint(finite, parsed=True) == variant_fingerprint(generated[:1])
