"""Finding submissions and matching them to the roster; the key folder and its errors."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from grader.core.errors import UserError
from grader.grading.collect import collect
from grader.course.documents import KeyDocument
from grader.course.roster import Student
from grader.student.documents import MetaAssignment, MetaStudent, StudentMeta
from grader.grading.keys import StudentKey, find_key_dir, load_keys
from grader.student.submission import manifest_for, pack


def key(sid: str, folder: str | None = None) -> StudentKey:
    student = Student(sid, sid.title(), f"{sid}@x", folder or sid)
    doc = KeyDocument("w1", student, 0.0, ())
    return StudentKey(sid, sid.title(), f"{sid}@x", folder or sid, doc, "k" + sid)


KEYS = [key("ann"), key("bob"), key("Çelik", "celik-1234abcd"), key("dee")]


def meta(sid: str, assignment: str = "w1") -> str:
    return json.dumps({"student": {"id": sid}, "assignment": {"id": assignment}})


def archive(path: Path, sid: str, *, assignment: str = "w1", when: str = "2026-01-01T00:00:00Z",
            answers: bytes = b"ex: {a: 1}\n") -> Path:
    files = {"answers.yaml": answers, "grader.json": meta(sid, assignment).encode()}
    import datetime as dt

    manifest = manifest_for(files, StudentMeta(MetaAssignment(assignment), MetaStudent(sid), ()),
                            now=dt.datetime.fromisoformat(when.replace("Z", "+00:00")))
    path.write_bytes(pack(files, manifest))
    return path


def by_id(entries):
    return {e.student_id: e for e in entries}


def test_every_roster_student_gets_one_entry_and_strangers_are_reported(tree, tmp_path):
    tree({"subs/ann/answers.yaml": "ex: {a: 1}\n", "subs/ann/grader.json": meta("ann"),
          "subs/bob/answers.yaml": "ex: {a: 1}\n",  # no grader.json: matched by folder name
          "subs/zed/answers.yaml": "ex: {a: 1}\n", "subs/zed/grader.json": meta("zed"),
          "subs/.hidden/answers.yaml": "x", "subs/notes.txt": "not a submission",
          "subs/key/roster.json": "[]"})
    archive(tmp_path / "subs" / "w1-celik-1234abcd.zip", "Çelik")
    entries = collect(tmp_path / "subs", KEYS, "w1")
    assert [e.student_id for e in entries] == ["ann", "bob", "Çelik", "dee", "zed"]
    e = by_id(entries)
    assert (e["ann"].status, e["bob"].status, e["Çelik"].status) == ("graded",) * 3
    assert e["Çelik"].submission.manifest.student == "Çelik"
    assert (e["dee"].status, e["dee"].messages) == (
        "missing", ("No submission was found for you.",))
    assert e["zed"].status == "unknown_student" and e["zed"].key is None
    assert e["zed"].messages[0] == ("Submission zed is from 'zed', who is not on the roster; it "
                                    "was not graded.")


def test_an_unknown_folder_without_grader_json_says_why_it_was_matched_by_name(tree, tmp_path):
    tree({"subs/gs3/answers.yaml": "ex: {a: 1}\n"})  # e.g. uploaded without grader.json
    e = by_id(collect(tmp_path / "subs", KEYS, "w1"))
    assert e["gs3"].status == "unknown_student"
    assert e["gs3"].messages[0] == (
        "Submission gs3 is from 'gs3', who is not on the roster; it was not graded. It names no "
        "student (its grader.json is missing or unreadable), so its name was taken as the id; "
        "hand in the whole problem-set folder, grader.json included.")


def test_the_id_the_work_names_wins_over_a_name_that_is_no_roster_students(tree, tmp_path):
    tree({"subs/repo-ann/answers.yaml": "ex: {a: 1}\n", "subs/repo-ann/grader.json": meta("ann")})
    e = by_id(collect(tmp_path / "subs", KEYS, "w1"))
    assert e["ann"].status == "graded" and e["ann"].submission.source.name == "repo-ann"


def test_work_in_one_students_folder_naming_another_stays_with_the_first(tree, tmp_path):
    # Otherwise bob could hand in work naming ann and have it replace hers.
    tree({"subs/bob/answers.yaml": "ex: {a: 1}\n", "subs/bob/grader.json": meta("ann")})
    e = by_id(collect(tmp_path / "subs", KEYS, "w1"))
    assert e["bob"].status == "graded" and e["ann"].status == "missing"
    assert e["bob"].messages[0] == ("bob names student 'ann' but was handed in for 'bob', so it "
                                    "was graded for 'bob' (where work is handed in decides whose "
                                    "it is).")
    assert e["bob"].warnings == ("bob: " + e["bob"].messages[0],)


def test_the_newest_of_two_submissions_is_graded(tree, tmp_path):
    tree({"subs/ann/answers.yaml": "ex: {a: 1}\n", "subs/ann/grader.json": meta("ann")})
    os.utime(tmp_path / "subs/ann/answers.yaml", (1.7e9, 1.7e9))  # 2023: older than the archive
    archive(tmp_path / "subs" / "w1-ann.zip", "ann", when="2026-02-01T00:00:00Z")
    ann = by_id(collect(tmp_path / "subs", KEYS, "w1"))["ann"]
    assert ann.submission.source.name == "w1-ann.zip"
    assert ann.messages[0] == ("2 submissions found; graded the newest, w1-ann.zip (ignored: "
                               "ann).")


def test_empty_tampered_unreadable_and_wrong_assignment(tree, tmp_path):
    tree({"subs/ann/answers.yaml": "  \n", "subs/ann/grader.json": meta("ann"),
          "subs/w1-dee.zip": "this is not a zip"})
    path = archive(tmp_path / "subs" / "w1-bob.zip", "bob", assignment="w0")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    with zipfile.ZipFile(path, "w") as zf:  # answers edited after packing; manifest kept
        for name, data in members.items():
            zf.writestr(name, b"ex: {a: 2}\n" if name == "answers.yaml" else data)
    e = by_id(collect(tmp_path / "subs", KEYS, "w1"))
    assert e["ann"].status == "empty"
    assert e["bob"].status == "tampered"
    assert "This submission was made for assignment 'w0', not 'w1'." in e["bob"].messages
    assert "tampered: answers.yaml does not match its hash in the manifest" in e["bob"].messages
    assert e["dee"].status == "empty"
    assert e["dee"].messages[0].startswith("not a readable zip archive")


def test_a_folder_that_is_one_submission_is_graded_alone(tree, tmp_path):
    tree({"repo/answers.yaml": "ex: {a: 1}\n", "repo/grader.json": meta("bob")})
    entries = collect(tmp_path / "repo", KEYS, "w1")
    assert [(e.student_id, e.status) for e in entries] == [("bob", "graded")]


def test_a_missing_submissions_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no such folder of submissions"):
        collect(tmp_path / "nope", KEYS, "w1")


def test_the_key_folder_is_found_or_the_error_says_run_generate(tree, tmp_path):
    tree({"build/key/roster.json": "[]"})
    assert find_key_dir(key=tmp_path / "build", out=tmp_path / "o", submissions=tmp_path) == \
        tmp_path / "build" / "key"
    assert find_key_dir(key=tmp_path / "build" / "key", out=tmp_path, submissions=tmp_path) == \
        tmp_path / "build" / "key"
    assert find_key_dir(key=None, out=tmp_path / "o", submissions=tmp_path / "build") == \
        tmp_path / "build" / "key"
    with pytest.raises(UserError, match=r"run `grader generate ASSIGNMENT --roster ROSTER"):
        find_key_dir(key=None, out=tmp_path / "o", submissions=tmp_path / "s")


def test_key_files_are_checked(tree, tmp_path):
    roster = json.dumps([{"id": "ann", "name": "Ann", "email": "a@x", "folder": "ann"}])
    tree({"key/roster.json": roster})
    with pytest.raises(UserError, match=r"key/ann.json: missing from the key folder"):
        load_keys(tmp_path / "key", "w1")
    (tmp_path / "key" / "ann.json").write_text(json.dumps({"format": 1, "assignment": "w0"}))
    with pytest.raises(UserError, match="this key is for assignment 'w0', not 'w1'"):
        load_keys(tmp_path / "key", "w1")
    (tmp_path / "key" / "ann.json").write_text("{broken")
    with pytest.raises(UserError, match="damaged"):
        load_keys(tmp_path / "key", "w1")
    student = {"id": "ann", "name": "Ann", "email": "a@x", "folder": "ann"}
    doc = {"format": 1, "assignment": "w1", "student": student, "points": 2,
           "exercises": [{"id": "e", "number": 1, "points": 2}]}
    (tmp_path / "key" / "ann.json").write_text(json.dumps({**doc, "exercises": [{"id": "e"}]}))
    with pytest.raises(UserError, match=r"ann.json: damaged key \(an exercise has no 'number'\)"):
        load_keys(tmp_path / "key", "w1")
    (tmp_path / "key" / "ann.json").write_text(json.dumps(doc))
    (k,) = load_keys(tmp_path / "key", "w1")
    assert (k.id, k.name, k.folder, k.points) == ("ann", "Ann", "ann", 2.0)
