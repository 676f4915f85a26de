"""A run keeps each key's head (exercise ids, spec hashes, variant) in OUT/.cache/keys.json by
the key file's hash, so that the next run hashes an unchanged key without parsing it. What may
never follow: a changed or damaged key file taken on trust, a head from another grader version
or assignment, a damaged cache stopping a run, or a result that differs from a run without it."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import pytest

from grader.app.fabricate import Course
from grader.app.grade import grade_assignment
from grader.core.errors import UserError
from grader.grading import keys as keys_module
from grader.grading.keys import KEY_CACHE, KeyCache, load_keys

SECRET_ENV = "GRADER_KEY_CACHE_SECRET"
ASSIGNMENT = f"""\
id: key-cache
title: Key cache
secret: {{env: {SECRET_ENV}}}
exercises: [info-kl-divergence, prob-bayes]
reveal: always
"""
ROSTER = "id,name,email\nann,Ann,a@example.org\nbob,Bob,b@example.org\n"


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Course:
    monkeypatch.setenv(SECRET_ENV, "key-cache-secret-0123456789abcdef0123")
    k = Course.create(tmp_path, ASSIGNMENT, ROSTER)
    k.folder_submission("ann", k.right("ann"), None)
    k.folder_submission("bob", {"info-kl-divergence": {"kl": 0.5}}, None)
    return k


def grade(k: Course, out: Path, **kw: object):
    return grade_assignment(k.assignment, k.subs, out, key_dir=k.build, **kw)


def key_dir(k: Course) -> Path:
    return k.build / "key"


def test_a_regrade_hashes_unchanged_keys_without_parsing_them(course, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = grade(course, out)
    cached = json.loads((out / KEY_CACHE).read_text(encoding="utf-8"))
    assert len(cached["keys"]) == 2
    parsed: list[str] = []
    real = keys_module.KeyDocument.from_dict

    def counting(data, **kw):
        parsed.append(kw["source"])
        return real(data, **kw)

    monkeypatch.setattr(keys_module.KeyDocument, "from_dict", counting)
    again = grade(course, out)
    assert parsed == []  # neither key read, and both results reused
    assert again.graded == 0 and again.skipped == 2
    assert [r.score for r in again.results] == [r.score for r in first.results]
    # a head read from the cache is the one a parse gives
    lazy = load_keys(key_dir(course), "key-cache", cache=KeyCache.read(out))
    assert not any(k.parsed for k in lazy)
    monkeypatch.setattr(keys_module.KeyDocument, "from_dict", real)
    eager = load_keys(key_dir(course), "key-cache")
    assert [(k.exercise_ids, k.variant, k.head) for k in lazy] == \
        [(k.exercise_ids, k.variant, k.head) for k in eager]
    # and the document, when needed, is parsed from the same bytes
    assert [k.doc for k in lazy] == [k.doc for k in eager]


def test_a_key_changed_since_the_cache_is_parsed_and_regraded(course, tmp_path):
    out = tmp_path / "out"
    before = {r.student_id: r.max_score for r in grade(course, out).results}
    path = key_dir(course) / f"{course.folder('bob')}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["exercises"][0]["points"] += 3  # the instructor edits bob's key by hand
    data["points"] += 3
    path.write_text(json.dumps(data), encoding="utf-8")
    again = grade(course, out)
    assert again.graded == 1  # bob only: ann's key is unchanged
    after = {r.student_id: r.max_score for r in again.results}
    assert after == {"ann": before["ann"], "bob": before["bob"] + 3}


def test_a_damaged_key_is_refused_whatever_the_cache_holds(course, tmp_path):
    out = tmp_path / "out"
    grade(course, out)
    path = key_dir(course) / f"{course.folder('ann')}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["exercises"][0]["points"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UserError, match=r"ann\.json: damaged key"):
        grade(course, out)


@pytest.mark.parametrize("text", [
    "", "{", "[]", '{"grader": "0.0.0-other", "keys": {}}', '{"grader": null}',
    '{"grader": "VERSION", "keys": {"abc": [1, 2, 3]}}', '{"grader": "VERSION", "keys": []}',
    '{"grader": "VERSION", "keys": {"abc": null}}', "\x00\xff",
])
def test_a_damaged_or_foreign_cache_is_an_empty_one(course, tmp_path, text):
    out = tmp_path / "out"
    grade(course, out)
    from grader import __version__

    (out / KEY_CACHE).write_bytes(text.replace("VERSION", __version__).encode("latin-1"))
    assert KeyCache.read(out).heads == {}
    assert grade(course, out).skipped == 2  # the run goes on, parsing the keys
    assert len(json.loads((out / KEY_CACHE).read_text(encoding="utf-8"))["keys"]) == 2


def test_entries_of_the_wrong_shape_are_dropped_one_by_one(course, tmp_path):
    out = tmp_path / "out"
    grade(course, out)
    data = json.loads((out / KEY_CACHE).read_text(encoding="utf-8"))
    good = dict(data["keys"])
    data["keys"]["f" * 64] = ["key-cache", [["x", 3]], "sha256:0"]  # a spec hash not text
    data["keys"]["e" * 64] = ["key-cache", "nope", "sha256:0"]
    (out / KEY_CACHE).write_text(json.dumps(data), encoding="utf-8")
    assert set(KeyCache.read(out).heads) == set(good)


def test_a_cached_head_for_another_assignment_is_not_used(course, tmp_path):
    out = tmp_path / "out"
    grade(course, out)
    cache = KeyCache.read(out)
    with pytest.raises(UserError, match="this key is for assignment 'key-cache', not 'other'"):
        load_keys(key_dir(course), "other", cache=cache)


def test_a_lazy_key_survives_pickling_and_parses_on_the_other_side(course, tmp_path):
    out = tmp_path / "out"
    grade(course, out)
    lazy = load_keys(key_dir(course), "key-cache", cache=KeyCache.read(out))
    back = pickle.loads(pickle.dumps(lazy))
    assert not any(k.parsed for k in back)
    assert [k.doc for k in back] == [k.doc for k in load_keys(key_dir(course), "key-cache")]


def test_an_unchanged_run_leaves_the_cache_file_alone(course, tmp_path):
    out = tmp_path / "out"
    grade(course, out)
    before = (out / KEY_CACHE).stat()
    grade(course, out)
    after = (out / KEY_CACHE).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # one more student's key file changed: the cache is rewritten with that key's new hash
    path = key_dir(course) / f"{course.folder('bob')}.json"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    grade(course, out)
    held = json.loads((out / KEY_CACHE).read_text(encoding="utf-8"))["keys"]
    assert len(held) == 2 and hashlib.sha256(path.read_bytes()).hexdigest() in held
