"""The student-side documents as typed data: manifest.json round trips, a real archive's
manifest parses, and each damaged shape gives the finding grading reports."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest

from grader import __version__
from grader.student.documents import DocumentProblem, Manifest
from grader.student.submission import manifest_for, pack, read_archive

FILES = {"answers.yaml": b"e:\n  x: 1\n", "grader.json": b"{}\n"}
META = {"student": {"id": "ann"}, "assignment": {"id": "w1"}}
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
