"""The student-side documents as typed data: grader.json and manifest.json round trip, a
generated problem set's grader.json and a real archive's manifest parse, and each damaged shape
gives the message `grader check` or grading has always given."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest

from grader import __version__
from grader.core.errors import UserError
from grader.student.documents import (
    STUDENT_FORMAT,
    DocumentProblem,
    HandedInMeta,
    Manifest,
    MetaAssignment,
    MetaExercise,
    MetaStudent,
    StudentMeta,
)
from grader.student.submission import manifest_for, pack, read_archive, read_meta

FILES = {"answers.yaml": b"e:\n  x: 1\n", "grader.json": b"{}\n"}
META = StudentMeta(MetaAssignment("w1"), MetaStudent("ann"), ())


@pytest.fixture
def folder(w1_build: Path) -> Path:
    """Ann's generated problem set (tests/unit/conftest.py)."""
    return w1_build / "s1"


def test_a_generated_grader_json_round_trips_byte_for_byte(folder: Path) -> None:
    text = (folder / "grader.json").read_text(encoding="utf-8")
    meta = read_meta(folder)
    assert (meta.student.id, meta.student.name, meta.assignment.id) == ("s1", "Ann", "w1")
    assert [e.id for e in meta.exercises] == ["info-kl-divergence", "impl-softmax"]
    assert meta.variant and meta.format == STUDENT_FORMAT
    assert json.dumps(meta.to_dict(), indent=1, ensure_ascii=False, sort_keys=True) + "\n" == text
    assert StudentMeta.from_dict(meta.to_dict(), source="g") == meta


def test_a_grader_json_from_before_variants_still_reads(folder: Path) -> None:
    data = json.loads((folder / "grader.json").read_text(encoding="utf-8"))
    del data["variant"]
    meta = StudentMeta.from_dict(data, source="g")
    assert meta.variant is None and meta.to_dict() == data


def _meta(**change: object) -> dict:
    data = {"format": 1, "assignment": {"id": "w1", "title": "W", "due": None},
            "student": {"id": "s1", "name": ""},
            "exercises": [{"id": "e", "parts": [{"id": "x", "kind": "scalar"}]}]}
    return {**data, **change}


@pytest.mark.parametrize(("data", "problem"), [
    ([], "no list of exercises"),
    (_meta(exercises={}), "no list of exercises"),
    (_meta(student=None), "no assignment or student"),
    (_meta(student={"id": 5}), "no student id"),
    (_meta(assignment={"id": "../w1"}), "no valid assignment id"),
    (_meta(exercises=[{"id": "e"}]), "an exercise without an id or parts"),
    (_meta(exercises=[{"id": "e", "parts": [{"id": "x", "kind": "nope"}]}]),
     "a part of e without an id or a known kind"),
    (_meta(exercises=[{"id": "e", "parts": [{"id": "x", "kind": "scalar", "shape": [-1]}]}]),
     "e.x is incomplete"),
])
def test_each_damaged_grader_json_is_named(data: object, problem: str) -> None:
    with pytest.raises(UserError) as err:
        StudentMeta.from_dict(data, source="s1/grader.json")
    assert str(err.value) == (f"s1/grader.json: damaged ({problem}); copy it again from your "
                              "problem set")


def test_grader_json_round_trip() -> None:
    meta = StudentMeta(MetaAssignment("w1", "W", "2026-01-01T00:00:00+00:00"),
                       MetaStudent("s1", "Ann"),
                       (MetaExercise("e", ({"id": "x", "kind": "scalar"},), 1, "E", 2.0, "h"),),
                       variant="v")
    assert StudentMeta.from_dict(meta.to_dict(), source="g") == meta
WHEN = dt.datetime(2026, 11, 30, 12, 34, 56, tzinfo=dt.timezone.utc)


def test_a_packed_manifest_is_todays_json_and_reads_back(tmp_path: Path) -> None:
    manifest = manifest_for(FILES, META, now=WHEN)
    data = pack(FILES, manifest)
    raw = zipfile.ZipFile(io.BytesIO(data)).read("manifest.json").decode()
    assert list(json.loads(raw)) == ["assignment", "files", "grader_version", "student", "time"]
    assert raw == json.dumps(manifest.to_dict(), indent=1, sort_keys=True) + "\n"
    assert Manifest.from_dict(json.loads(raw), source="manifest.json") == manifest
    (tmp_path / "a.zip").write_bytes(data)
    sub = read_archive(tmp_path / "a.zip")
    assert sub.problems == () and sub.manifest == manifest
    assert (manifest.student, manifest.assignment, manifest.time, manifest.grader_version) == \
        ("ann", "w1", "2026-11-30T12:34:56+00:00", __version__)


def test_round_trip() -> None:
    manifest = Manifest({"answers.yaml": "0" * 64}, "ann", "w1", "2026-01-01T00:00:00", "0.1")
    assert Manifest.from_dict(manifest.to_dict(), source="m") == manifest


@pytest.mark.parametrize("data", [[], "x", {}, {"files": []}, {"files": None, "student": "a"}])
def test_a_manifest_without_a_file_list_is_refused(data: object) -> None:
    with pytest.raises(DocumentProblem, match=r"^manifest.json lacks the file list$"):
        Manifest.from_dict(data, source="manifest.json")


def test_fields_of_the_wrong_type_read_as_absent_as_grading_always_did() -> None:
    manifest = Manifest.from_dict({"files": {}, "student": 5, "assignment": ["w1"],
                                   "time": 1700000000}, source="m")
    assert manifest == Manifest({})
    assert manifest.to_dict() == {"files": {}}


@pytest.mark.parametrize("data,expected", [
    ({"student": {"id": "ann"}, "assignment": {"id": "w1"}, "variant": "v",
      "exercises": [{"id": "a"}, "junk", {"id": 3}]}, HandedInMeta("ann", "w1", "v", ("a", 3))),
    ({"student": {"id": ""}, "assignment": "w1", "variant": 7, "exercises": {}},
     HandedInMeta(None, None, None, None)),
    ({"student": ["ann"], "exercises": []}, HandedInMeta(None, None, None, ())),
    ([1, 2], HandedInMeta()),
    (None, HandedInMeta()),
])
def test_a_handed_in_grader_json_is_read_leniently(data, expected) -> None:
    """Grading still runs on a hand-edited grader.json; a claim of the wrong type reads as None."""
    assert HandedInMeta.from_dict(data) == expected
