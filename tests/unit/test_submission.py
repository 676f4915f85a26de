"""Submissions as files: manifests, archives, tamper findings, plain folders, answers.yaml."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from grader.core.errors import UserError
from grader.student.documents import Manifest, MetaAssignment, MetaStudent, StudentMeta
from grader.student.submission import (
    MAX_FILE_BYTES,
    manifest_for,
    pack,
    read_answers,
    read_archive,
    read_folder,
    read_meta,
    tamper_findings,
)

FILES = {"answers.yaml": b"info-entropy:\n  entropy: ln(2)\n",
         "solution.py": b"def f(x):\n    return x\n",
         "grader.json": b'{"format": 1}\n'}
META = StudentMeta(MetaAssignment("week3"), MetaStudent("李雷"), ())
WHEN = dt.datetime(2026, 11, 30, 12, 34, 56, 789, tzinfo=dt.timezone.utc)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zip_of(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_the_manifest_names_who_what_when_and_each_files_hash() -> None:
    from grader import __version__

    manifest = manifest_for(FILES, META, now=WHEN).to_dict()
    assert manifest == {
        "student": "李雷", "assignment": "week3",
        "files": {"answers.yaml": sha(FILES["answers.yaml"]),
                  "grader.json": sha(FILES["grader.json"]),
                  "solution.py": sha(FILES["solution.py"])},
        "time": "2026-11-30T12:34:56+00:00",
        "grader_version": __version__,
    }


def test_the_manifest_time_defaults_to_now_in_utc() -> None:
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    stamp = dt.datetime.fromisoformat(str(manifest_for(FILES, META).time))
    assert stamp.utcoffset() == dt.timedelta(0)
    assert before <= stamp <= dt.datetime.now(dt.timezone.utc)


def test_an_archive_reads_back_untampered_and_is_reproducible(tmp_path: Path) -> None:
    manifest = manifest_for(FILES, META, now=WHEN)
    data = pack(FILES, manifest)
    assert data == pack(dict(reversed(FILES.items())), manifest)  # same input, same bytes
    path = tmp_path / "work.zip"
    path.write_bytes(data)
    sub = read_archive(path)
    assert sub.problems == ()
    assert dict(sub.files) == FILES
    assert sub.manifest == manifest
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["answers.yaml", "grader.json", "manifest.json",
                                         "solution.py"]


def rewrite(path: Path, change: dict[str, bytes | None]) -> None:
    """Replace (or with None drop) entries of a zip, keeping the rest, manifest included."""
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    for name, data in change.items():
        if data is None:
            entries.pop(name, None)
        else:
            entries[name] = data
    path.write_bytes(zip_of(entries))


@pytest.mark.parametrize("change,finding", [
    ({"answers.yaml": b"info-entropy:\n  entropy: 0.7\n"},
     "tampered: answers.yaml does not match its hash in the manifest"),
    ({"solution.py": None}, "tampered: solution.py is in the manifest but not in the archive"),
    # A manifest that is there but broken is tampering; none at all is a hand-made zip (a note).
    ({"manifest.json": b"{not json"}, "tampered: the archive has no valid manifest.json"),
    ({"manifest.json": b"{not json"}, "manifest.json is not valid JSON"),
    ({"manifest.json": b'{"student": "x"}'}, "manifest.json lacks the file list"),
])
def test_an_edited_archive_is_reported_as_tampered(tmp_path: Path, change: dict,
                                                   finding: str) -> None:
    path = tmp_path / "work.zip"
    path.write_bytes(pack(FILES, manifest_for(FILES, META, now=WHEN)))
    rewrite(path, change)
    assert finding in read_archive(path).problems


def test_a_file_added_to_the_archive_is_not_in_the_manifest(tmp_path: Path) -> None:
    manifest = manifest_for({k: v for k, v in FILES.items() if k != "solution.py"}, META)
    path = tmp_path / "work.zip"
    path.write_bytes(pack(FILES, manifest))  # solution.py packed but not listed
    assert read_archive(path).problems == ("tampered: solution.py is not in the manifest",)


def test_unexpected_and_oversized_entries_are_ignored_and_reported(tmp_path: Path) -> None:
    manifest = manifest_for(FILES, META)
    entries = {**FILES, "manifest.json": json.dumps(manifest.to_dict()).encode(),
               "../../etc/evil": b"x", "notes.txt": b"hi",
               "answers.yaml": FILES["answers.yaml"]}
    path = tmp_path / "work.zip"
    path.write_bytes(zip_of(entries))
    sub = read_archive(path)
    assert "unexpected file '../../etc/evil' in the archive (ignored)" in sub.problems
    assert "unexpected file 'notes.txt' in the archive (ignored)" in sub.problems
    assert set(sub.files) == set(FILES)
    big = {**FILES, "solution.py": b"#" * (MAX_FILE_BYTES + 1)}
    path.write_bytes(pack(big, manifest_for(big, META)))
    sub = read_archive(path)
    assert f"solution.py is larger than {MAX_FILE_BYTES} bytes (ignored)" in sub.problems
    assert "solution.py" not in sub.files


def test_something_that_is_not_a_zip_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "work.zip"
    path.write_bytes(b"PK\x03\x04 not really")
    sub = read_archive(path)
    assert sub.files == {} and len(sub.problems) == 1
    assert sub.problems[0].startswith("not a readable zip archive: ")


def test_tamper_findings_list_every_mismatch_in_name_order() -> None:
    manifest = Manifest({"a": sha(b"1"), "b": sha(b"2"), "c": sha(b"3")})
    assert tamper_findings({"a": b"1", "b": b"changed", "d": b"new"}, manifest) == [
        "tampered: b does not match its hash in the manifest",
        "tampered: c is in the manifest but not in the archive",
        "tampered: d is not in the manifest"]
    assert tamper_findings({"a": b"1"}, Manifest({"a": sha(b"1")})) == []


def test_the_submission_hash_covers_names_and_contents(tmp_path: Path) -> None:
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    one = read_folder(tmp_path).sha256
    (tmp_path / "answers.yaml").write_bytes(b"changed")
    assert read_folder(tmp_path).sha256 != one


def test_a_folder_submission_reads_regular_files_only(tmp_path: Path) -> None:
    (tmp_path / "answers.yaml").write_bytes(FILES["answers.yaml"])
    secret = tmp_path.parent / f"{tmp_path.name}-elsewhere.txt"
    secret.write_text("someone else's file")
    os.symlink(secret, tmp_path / "solution.py")
    (tmp_path / "notes.txt").write_text("ignored")
    sub = read_folder(tmp_path)
    assert dict(sub.files) == {"answers.yaml": FILES["answers.yaml"]}
    assert sub.problems == ("solution.py is not a regular file (ignored)",)
    assert sub.mtime == (tmp_path / "answers.yaml").stat().st_mtime


# ---------------------------------------------------------------- answers.yaml and grader.json


def test_answers_yaml_with_a_syntax_error_says_where_and_what_to_fix() -> None:
    with pytest.raises(UserError) as info:
        read_answers("info-entropy:\n  entropy: [1\n", "answers.yaml")
    assert str(info.value) == (
        "answers.yaml:3:1: invalid YAML: expected ',' or ']', but got '<stream end>' (while "
        "parsing a flow sequence that started at line 2)\n"
        "Fix the YAML in answers.yaml (a stray tab or a missing space after ':' is the usual "
        "cause).")


def test_answers_yaml_must_be_a_mapping() -> None:
    with pytest.raises(UserError) as info:
        read_answers("- 1\n- 2\n", "answers.yaml")
    assert str(info.value) == ("answers.yaml: expected one mapping per exercise id, e.g.\n"
                               "info-kl-divergence:\n  kl_pq: 0.05")
    assert read_answers("# nothing yet\n", "answers.yaml")[0] == {}


def test_a_missing_or_damaged_grader_json_says_where_to_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError) as info:
        read_meta(Path("."))
    assert str(info.value) == (
        "grader.json: not found. Run this in the folder of your problem set (the one holding "
        "problems.html and answers.yaml), or give that folder as an argument.")
    (tmp_path / "grader.json").write_text("{oops")
    with pytest.raises(UserError, match=r"^grader.json: damaged \(.*\); copy it again from your "
                                        r"problem set$"):
        read_meta(Path("."))


def test_an_unpacked_archive_keeps_its_manifest(tmp_path: Path) -> None:
    """A folder holding a `grader submit` archive's contents is checked like the archive."""
    import hashlib

    from grader.student.submission import read_folder

    answers = b"ex:\n  a: 1\n"
    manifest = {"student": "s1", "assignment": "w", "time": "2026-03-01T10:00:00+00:00",
                "files": {"answers.yaml": hashlib.sha256(answers).hexdigest()},
                "grader_version": "0"}
    (tmp_path / "answers.yaml").write_bytes(answers)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    sub = read_folder(tmp_path)
    assert sub.manifest is not None and sub.manifest.time == "2026-03-01T10:00:00+00:00"
    assert sub.problems == ()
    (tmp_path / "answers.yaml").write_bytes(b"ex:\n  a: 2\n")  # edited after packing
    assert read_folder(tmp_path).problems == (
        "tampered: answers.yaml does not match its hash in the manifest",)
