"""What a hostile student can put in answers.yaml, grader.json, manifest.json or the archive.

Each test is one attack and the safe behaviour it must meet: a clear verdict or message, never
a crash, never credit not earned, nothing read beyond its caps. Expected values come from
numpy or are written out here, never from the code under test.
"""

from __future__ import annotations

import bz2
import hashlib
import json
import math
import os
import struct
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader.core.errors import FormatError, UserError
from grader.core.expr import ExprError, parse_student_value
from grader.grading.collect import collect
from grader.outputs.exports import gradebook_csv, junit_xml
from grader.course.documents import KeyDocument
from grader.course.roster import Student
from grader.grading.keys import StudentKey
from grader.grading.late import submission_time
from grader.outputs.summary import _cell
from grader.grading.typed import Answers, unknown_entries
from grader.student.documents import Manifest, MetaAssignment, MetaStudent, StudentMeta
from grader.kinds import KINDS, grade_raw
from grader.kinds.parsing import MAX_NUMBERS, read_numbers
from grader.core.model import GradeContext, PartSpec, Tolerance
from grader.grading.results import StudentResult
from grader.authoring.spec.yamlload import load_yaml
from grader.student.submission import (
    MAX_ARCHIVE_BYTES,
    MAX_FILE_BYTES,
    Submission,
    manifest_for,
    pack,
    read_answers,
    read_archive,
    read_folder,
    read_meta,
)

TOL = Tolerance(rtol=1e-2, atol=1e-9)

def write_gradescope(path: Path, results: list) -> list[Path]:
    """Gradescope's files for these results, through the export registry."""
    from grader.grading.results import RunSummary
    from grader.outputs import formats

    run = RunSummary("w1", tuple(results), graded=len(results), skipped=0, sandbox_level="")
    return formats.write("gradescope", path, run, formats.Context("w1", "Week 1 (w1)"))



def part(kind: str, **options) -> PartSpec:
    return PartSpec(id="p", kind=kind, prompt="", solution=None, points=1, tolerance=TOL,
                    options=options)


# ---------------------------------------------------------------- answers.yaml as YAML


def test_billion_laughs_is_refused_quickly_without_expanding() -> None:
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 10):  # 10**10 leaves if expanded
        prev, cur = chr(96 + i), chr(97 + i)
        text += f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    start = time.monotonic()
    with pytest.raises(UserError, match="too large or nested too deeply"):
        read_answers(text, "answers.yaml")
    assert time.monotonic() - start < 10  # a bound, not a timing: expansion would never end


@pytest.mark.parametrize("text", [
    "ex:\n  p: " + "[" * 5000 + "1" + "]" * 5000 + "\n",  # flow nesting
    "ex:\n  p: " + "- " * 3000 + "1\n",  # block sequences nested on one line
    "ex:\n  p: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
])
def test_nesting_thousands_deep_is_a_diagnostic_not_a_recursion_error(text: str) -> None:
    doc = load_yaml(text, path="answers.yaml")
    assert doc.data is None or doc.diagnostics
    assert any("nested too deeply" in d.message or "invalid YAML" in d.message
               for d in doc.diagnostics)


def test_half_a_surrogate_pair_is_refused_where_it_is_written() -> None:
    doc = load_yaml('ex:\n  p: "\\ud800"\n  "\\udfff": 1\n', path="answers.yaml")
    lines = sorted((d.line, d.column) for d in doc.diagnostics)
    assert lines == [(2, 6), (3, 3)]
    assert all("UTF-16" in d.message for d in doc.diagnostics)


def test_python_tags_are_never_built() -> None:
    with pytest.raises(UserError, match="tag '!!python/object/apply:os.system' is not allowed"):
        read_answers('ex: !!python/object/apply:os.system ["touch /tmp/pwned"]\n', "a.yaml")


def test_a_broken_answers_file_gives_a_short_message_however_large_the_file() -> None:
    many = "".join(f"k{i}: 1\nk{i}: 2\n" for i in range(20_000))  # 20 000 duplicate keys
    with pytest.raises(UserError) as err:
        read_answers(many, "answers.yaml")
    assert len(str(err.value)) < 3000 and "... and 19990 more problems" in str(err.value)
    huge = "ex: {p: " + "9" * 900_000 + "\n"  # one 900 kB line with a syntax error
    with pytest.raises(UserError) as err:
        read_answers(huge, "answers.yaml")
    assert len(str(err.value)) < 1000


def test_unknown_keys_make_a_bounded_number_of_notes() -> None:
    answers = Answers(data={f"\x1b[2J{i}": 1 for i in range(50_000)})
    notes = unknown_entries(answers, {})
    assert len(notes) == 11 and notes[-1].endswith("49990 more unknown entries (ignored)")
    assert all("\x1b" not in n for n in notes)  # escaped for the terminal


# ---------------------------------------------------------------- typed numbers


@pytest.mark.parametrize("text", [
    "9**9**9", "9^9^9", "10**1000", "2**1023*2", "(" * 10_000 + "1" + ")" * 10_000,
    "[" + ", ".join(["1"] * 600) + "]", "1 if 1 else 2", "__import__('os')", "(1).real",
])
def test_expression_bombs_are_refused_at_once(text: str) -> None:
    start = time.monotonic()
    with pytest.raises(ExprError):
        parse_student_value(text)
    assert time.monotonic() - start < 5


def test_an_overflowing_formula_reads_as_inf_and_is_simply_wrong() -> None:
    assert parse_student_value("exp(exp(exp(100)))") == math.inf
    verdict = grade_raw("scalar", "exp(exp(exp(100)))", 1e308, part("scalar"))
    assert (verdict.status, verdict.score) == ("wrong", 0.0)


@pytest.mark.parametrize("answer", ["inf", "-inf", "nan", ".nan", "1e999", "inf-inf", "-(-inf)"])
@pytest.mark.parametrize("expected", [1e308, -1e308, 0.0, 2.5])
def test_inf_and_nan_never_match_a_finite_reference(answer: str, expected: float) -> None:
    raw = math.nan if answer == ".nan" else answer
    verdict = grade_raw("scalar", raw, expected, part("scalar"))
    assert verdict.score == 0.0


def test_nan_entries_earn_nothing_in_a_partial_credit_matrix() -> None:
    expected = [[1.0, 2.0], [3.0, 4.0]]
    answer = [[1.0, "nan"], ["nan", "nan"]]
    verdict = grade_raw("matrix", answer, expected, part("matrix", partial=True))
    assert verdict.score == pytest.approx(1 / 4)  # the one finite right entry, nothing more
    assert grade_raw("matrix", [["nan"] * 2] * 2, expected,
                     part("matrix", partial=True)).score == 0.0
    assert grade_raw("matrix", [["inf"] * 2] * 2, expected,
                     part("matrix", partial=True)).score == 0.0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's norm of [1e308, 1e308]
@pytest.mark.parametrize("answer", [["nan", "nan"], ["inf", 1], [1e308, 1e308], [0, 0]])
def test_directions_of_nan_inf_or_zero_are_wrong(answer: list) -> None:
    assert grade_raw("direction", answer, [1.0, 1.0], part("direction")).score == 0.0


def test_a_set_with_nan_or_inf_is_wrong() -> None:
    for answer in (["nan", 2.0], ["inf", 2.0], ["nan", "nan"]):
        assert grade_raw("set", answer, [1.0, 2.0], part("set")).score == 0.0


def test_more_numbers_than_any_answer_needs_is_a_format_error() -> None:
    with pytest.raises(FormatError, match=f"more than {MAX_NUMBERS} numbers"):
        read_numbers([[1.0] * 200] * 60)
    with pytest.raises(FormatError, match="more than"):
        KINDS["sequence"].parse([1.0] * (MAX_NUMBERS + 1), part("sequence", item="scalar"))


@pytest.mark.parametrize("kind,options", [("bool", {}), ("shape", {}), ("choice", {
    "choices": ["positive definite", "indefinite"]}), ("sequence", {"item": "scalar"}),
    ("scalar", {})])
def test_feedback_never_copies_a_huge_answer(kind: str, options: dict) -> None:
    raw = "indefinite? " * 80_000  # ~1 MB on one line
    verdict = grade_raw(kind, raw, {"bool": True, "shape": [2], "choice": "indefinite",
                                    "sequence": [1.0], "scalar": 1.0}[kind], part(kind, **options))
    assert verdict.status == "format_error" and len(verdict.feedback) < 400


# ---------------------------------------------------------------- sequences: follow-through


def _descent_part() -> tuple[PartSpec, GradeContext, list, np.ndarray]:
    A, b, eps = np.array([[2.0, 1.0], [1.0, 2.0]]), np.array([-3.0, 3.0]), 0.25
    step = (lambda prev: (np.asarray(prev, float) - eps * (A @ np.asarray(prev, float) - b)))
    x, steps = np.array([2.0, 0.0]), []
    for _ in range(4):
        x = step(x)
        steps.append(x.tolist())
    return part("sequence", item="vector"), GradeContext(step=step), steps, \
        np.linalg.solve(A, b)


def test_repeating_the_minimiser_earns_no_follow_through() -> None:
    p, ctx, expected, minimum = _descent_part()
    # Step 1 wrong, every later step "follows" from it, since the minimiser is a fixed point.
    verdict = grade_raw("sequence", [minimum.tolist()] * 4, expected, p, ctx)
    assert verdict.score == 0.0


def test_nan_steps_earn_no_follow_through() -> None:
    p, ctx, expected, _ = _descent_part()
    verdict = grade_raw("sequence", [["nan", "nan"]] * 4, expected, p, ctx)
    assert verdict.score == 0.0


def test_a_real_slip_still_gets_follow_through() -> None:
    p, ctx, expected, _ = _descent_part()
    x = np.asarray(expected[0]) + np.array([0.5, 0.25])  # a slip in step 1
    answer = [x.tolist()]
    for _ in range(3):
        x = x - 0.25 * (np.array([[2.0, 1.0], [1.0, 2.0]]) @ x - np.array([-3.0, 3.0]))
        answer.append(x.tolist())
    assert grade_raw("sequence", answer, expected, p, ctx).score == pytest.approx(3 / 4)


# ---------------------------------------------------------------- archives


FILES = {"answers.yaml": b"ex: {p: 0.5}\n", "grader.json": json.dumps(
    {"student": {"id": "ann"}, "assignment": {"id": "w1"}}).encode()}


def _manifest(files: dict = FILES) -> dict:
    return manifest_for(files, StudentMeta(MetaAssignment("w1"), MetaStudent("ann"), ())).to_dict()


def _zip(path: Path, members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED
         ) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def _set_flag(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = out.find(sig)
        out[i + offset] |= bit
    return bytes(out)


def test_an_encrypted_member_is_ignored_and_the_archive_tampered(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(_set_flag(pack(FILES, Manifest.from_dict(_manifest(), source="m")), 0x1))
    sub = read_archive(path)
    assert "answers.yaml" not in sub.files
    assert any("encrypted or compressed in an unsupported way" in p for p in sub.problems)
    assert any(p.startswith("tampered") for p in sub.problems)


def _bz2_bomb(path: Path, size: int) -> Path:
    """One bzip2 member that expands to `size` zero bytes but declares 100."""
    comp, chunks = bz2.BZ2Compressor(9), []
    for _ in range(size // (1 << 24)):
        chunks.append(comp.compress(b"\0" * (1 << 24)))
    data = b"".join(chunks) + comp.flush()
    info = zipfile.ZipInfo("answers.yaml")
    info.compress_type, info.file_size, info.compress_size = zipfile.ZIP_BZIP2, 100, len(data)
    info.CRC = 0
    info.create_version = info.extract_version = 46
    local = info.FileHeader(False)
    central = struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 46, 3, 46, 0, 0, 12, 0, 0, 0,
                          len(data), 100, 12, 0, 0, 0, 0, 0, 0) + b"answers.yaml"
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central),
                      len(local) + len(data), 0)
    path.write_bytes(local + data + central + end)
    return path


def test_a_bzip2_bomb_is_never_decompressed(tmp_path: Path) -> None:
    path = _bz2_bomb(tmp_path / "bomb.zip", 128 << 20)  # 128 MiB from a few hundred bytes
    assert path.stat().st_size < 4096
    sub = read_archive(path)
    assert sub.files == {}
    assert sub.problems[0] == ("answers.yaml is encrypted or compressed in an unsupported way "
                               "(ignored)")


def test_a_deflate_member_lying_about_its_size_is_read_only_up_to_the_cap(tmp_path: Path) -> None:
    path = _zip(tmp_path / "a.zip", [("answers.yaml", b"\0" * (64 << 20)),
                                     ("manifest.json", json.dumps(_manifest()).encode())])
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # declare 100 bytes
        i = data.find(sig)
        data[i + offset:i + offset + 4] = struct.pack("<I", 100)
    path.write_bytes(bytes(data))
    sub = read_archive(path)
    assert sub.files == {} and sub.problems[0].startswith("not a readable zip archive")


def test_an_honestly_huge_member_is_not_read(tmp_path: Path) -> None:
    path = _zip(tmp_path / "a.zip", [("answers.yaml", b"\0" * (MAX_FILE_BYTES + 1)),
                                     ("manifest.json", json.dumps(_manifest()).encode())])
    sub = read_archive(path)
    assert f"answers.yaml is larger than {MAX_FILE_BYTES} bytes (ignored)" in sub.problems


def test_an_archive_larger_than_any_submission_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    with open(path, "wb") as fh:
        fh.truncate(MAX_ARCHIVE_BYTES + 1)  # sparse: no disk used
    sub = read_archive(path)
    assert sub.files == {} and sub.problems == (
        f"not a readable zip archive: larger than {MAX_ARCHIVE_BYTES} bytes",)


@pytest.mark.filterwarnings("ignore::UserWarning")  # zipfile: "Duplicate name"
def test_a_name_given_twice_is_tampering_whichever_copy_matches(tmp_path: Path) -> None:
    manifest = json.dumps(_manifest()).encode()
    for first, second in ((FILES["answers.yaml"], b"ex: {p: 99}\n"),
                          (b"ex: {p: 99}\n", FILES["answers.yaml"])):
        path = _zip(tmp_path / "dup.zip", [("answers.yaml", first), ("answers.yaml", second),
                                           ("grader.json", FILES["grader.json"]),
                                           ("manifest.json", manifest)])
        sub = read_archive(path)
        assert "tampered: answers.yaml appears more than once in the archive" in sub.problems


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_traversal_absolute_and_escape_names_are_never_extracted(tmp_path: Path) -> None:
    names = ["../../x", "/etc/passwd", "a/../../answers.yaml", "\x1b[2J.yaml", "\u202egnp.exe"]
    path = _zip(tmp_path / "n.zip", [(n, b"x") for n in names] +
                [*FILES.items(), ("manifest.json", json.dumps(_manifest()).encode())])
    sub = read_archive(path)
    assert set(sub.files) == {"answers.yaml", "grader.json"}
    assert not (tmp_path.parent / "x").exists() and sorted(os.listdir(tmp_path)) == ["n.zip"]
    assert all(p.isprintable() for p in sub.problems)
    assert "unexpected file '../../x' in the archive (ignored)" in sub.problems


def test_thousands_of_stray_members_make_a_bounded_list(tmp_path: Path) -> None:
    path = _zip(tmp_path / "many.zip", [(f"junk{i}", b"") for i in range(3000)] +
                [("answers.yaml", b"changed\n"), ("manifest.json", json.dumps(
                    {**_manifest(), "files": {f"f{i}": "0" * 64 for i in range(3000)}}).encode())],
                method=zipfile.ZIP_STORED)
    sub = read_archive(path)
    assert len(sub.problems) < 50
    assert any(p.startswith("tampered") for p in sub.problems)  # the status is kept


def test_a_manifest_with_half_a_surrogate_pair_is_not_valid_json(tmp_path: Path) -> None:
    manifest = json.dumps(_manifest()).replace('"ann"', '"\\ud800"').encode()
    path = _zip(tmp_path / "s.zip", [*FILES.items(), ("manifest.json", manifest)])
    sub = read_archive(path)
    assert sub.manifest is None and "manifest.json is not valid JSON" in sub.problems


def test_a_manifest_time_past_the_end_of_the_calendar_is_no_time(tmp_path: Path) -> None:
    for stamp in ("9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+12:00", "2026-13-45", 7):
        manifest = Manifest.from_dict({"time": stamp, "files": {}}, source="manifest.json")
        sub = Submission(tmp_path, {}, manifest, (), mtime=1.7e9)
        when, source, _ = submission_time(sub, "manifest")
        assert source == "file" and when is not None and when.year == 2023


# ---------------------------------------------------------------- folders


def test_symlinks_fifos_and_huge_files_in_a_folder_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "key.json"
    secret.write_text("the key")
    sub_dir = tmp_path / "ann"
    sub_dir.mkdir()
    (sub_dir / "answers.yaml").symlink_to(secret)
    (sub_dir / "grader.json").symlink_to("/etc/passwd")
    os.mkfifo(sub_dir / "solution.py")
    sub = read_folder(sub_dir)
    assert sub.files == {}
    assert len(sub.problems) == 3 and all("not a regular file" in p for p in sub.problems)
    (sub_dir / "answers.yaml").unlink()
    with open(sub_dir / "answers.yaml", "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    assert f"answers.yaml is larger than {MAX_FILE_BYTES} bytes (ignored)" in \
        read_folder(sub_dir).problems


# ---------------------------------------------------------------- whose work is it


def key(sid: str) -> StudentKey:
    student = Student(sid, sid.title(), f"{sid}@x", sid)
    return StudentKey(sid, sid.title(), f"{sid}@x", sid, KeyDocument("w1", student, 0.0, ()),
                      "k" + sid)


KEYS = [key("ann"), key("bob")]


def _archive(path: Path, sid: str, when: str) -> Path:
    meta = {"student": {"id": sid}, "assignment": {"id": "w1"}}
    files = {"answers.yaml": b"ex: {p: 1}\n", "grader.json": json.dumps(meta).encode()}
    import datetime as dt

    manifest = manifest_for(files, StudentMeta(MetaAssignment("w1"), MetaStudent(sid), ()),
                            now=dt.datetime.fromisoformat(when))
    path.write_bytes(pack(files, manifest))
    return path


def test_a_forgery_in_ones_own_archive_cannot_replace_a_classmates_work(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    _archive(subs / "w1-bob.zip", "bob", "2026-01-01T00:00:00+00:00")
    _archive(subs / "w1-ann.zip", "bob", "2099-01-01T00:00:00+00:00")  # ann forges bob's id
    e = {x.student_id: x for x in collect(subs, KEYS, "w1")}
    assert e["bob"].submission.source.name == "w1-bob.zip" and e["bob"].messages == ()
    assert e["ann"].submission.source.name == "w1-ann.zip"
    assert "names student 'bob' but was handed in for 'ann'" in e["ann"].messages[0]
    assert e["ann"].warnings and e["bob"].warnings == ()


def test_two_claims_for_one_student_are_reported_to_the_instructor(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    _archive(subs / "lms-download-1.zip", "bob", "2026-01-01T00:00:00+00:00")
    _archive(subs / "lms-download-2.zip", "bob", "2026-01-02T00:00:00+00:00")
    bob = {x.student_id: x for x in collect(subs, KEYS, "w1")}["bob"]
    assert bob.submission.source.name == "lms-download-2.zip"
    assert bob.warnings == ("bob: 2 submissions found; graded the newest, lms-download-2.zip "
                            "(ignored: lms-download-1.zip).",)


@pytest.mark.parametrize("claimed", [
    "\x1b[31mRED\x1b[0m", "bob\u202e", "x" * 100_000, "\ud800", "ann\n", "=cmd|' /C calc'!A0",
    "../../../etc/passwd"])
def test_an_unknown_claimed_id_is_printable_short_and_never_a_roster_id(
        tmp_path: Path, claimed: str) -> None:
    subs = tmp_path / "subs"
    (subs / "somebody").mkdir(parents=True)
    (subs / "somebody" / "answers.yaml").write_text("ex: {p: 1}\n")
    meta = json.dumps({"student": {"id": claimed}, "assignment": {"id": "w1"}})
    (subs / "somebody" / "grader.json").write_text(meta, encoding="utf-8", errors="surrogatepass")
    entries = collect(subs, KEYS, "w1")
    unknown = [x for x in entries if x.key is None]
    if claimed == "\ud800":  # grader.json is refused: the folder name is all there is
        assert [x.student_id for x in unknown] == ["somebody"]
        return
    (x,) = unknown
    assert x.student_id not in {"ann", "bob"} and x.student_id.isprintable()
    assert len(x.student_id) < 100 and "/" not in x.folder and x.folder.isprintable()
    assert all(m.isprintable() and len(m) < 300 for m in x.messages)


def test_a_folder_named_with_invalid_utf8_is_an_unknown_with_a_printable_id(
        tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    weird = os.path.join(os.fsencode(subs), b"\xff\xfe\x1b[2J")
    os.mkdir(weird)
    with open(os.path.join(weird, b"answers.yaml"), "w") as fh:
        fh.write("ex: {p: 1}\n")
    (x,) = [e for e in collect(subs, KEYS, "w1") if e.key is None]
    assert x.student_id.isprintable() and x.student_id.encode("utf-8")
    assert all(m.isprintable() for m in x.messages)


# ---------------------------------------------------------------- grader.json (check)


@pytest.mark.parametrize("meta", [
    [], {}, {"exercises": 5}, {"student": {"id": "a"}, "assignment": {"id": "../../evil"},
                               "exercises": []},
    {"student": {"id": "a"}, "assignment": {"id": "w"},
     "exercises": [{"id": "x", "parts": [{"id": "p", "kind": "nope"}]}]},
    {"student": {"id": "a"}, "assignment": {"id": "w"},
     "exercises": [{"id": "x", "parts": [{"id": "p", "kind": "function", "function": {}}]}]},
    {"student": {"id": "a"}, "assignment": {"id": "w"},
     "exercises": [{"id": "x", "parts": [{"id": "p", "kind": "vector", "shape": "zz"}]}]},
])
def test_a_damaged_grader_json_is_a_clear_error(tmp_path: Path, meta) -> None:
    (tmp_path / "grader.json").write_text(json.dumps(meta))
    with pytest.raises(UserError, match="grader.json: damaged .*copy it again"):
        read_meta(tmp_path)


def test_check_reports_bad_part_options_as_a_damaged_grader_json(tmp_path: Path) -> None:
    from grader.student.check import check

    meta = {"student": {"id": "a"}, "assignment": {"id": "w"}, "exercises": [
        {"id": "x", "parts": [{"id": "p", "kind": "choice", "options": {"choices": 5}}]}]}
    (tmp_path / "grader.json").write_text(json.dumps(meta))
    (tmp_path / "answers.yaml").write_text("x:\n  p: yes\n")
    with pytest.raises(UserError, match="grader.json: damaged"):
        check(tmp_path, run_code=False)


# ---------------------------------------------------------------- exports


def _result(sid: str, name: str = "", status: str = "unknown_student",
            folder: str | None = None) -> StudentResult:
    return StudentResult("w1", sid, name, "", folder or sid, status, 0.0, 0.0, 1.0)


def test_markdown_cells_show_html_links_and_escapes_as_text() -> None:
    cell = _cell("<img src=x onerror=alert(1)> [x](http://e) ![i](http://t) `c` |\n\x1b[2J\u202e")
    assert "<" not in cell and "\n" not in cell and "\x1b" not in cell and "\u202e" not in cell
    assert "](" not in cell.replace("\\](", "") and "\\|" in cell and "\\`" in cell


def test_a_formula_name_in_the_gradebook_csv_is_inert() -> None:
    text = gradebook_csv([_result("cat", '=HYPERLINK("http://evil")', "graded"),
                          _result("dee", "@SUM(A1)", "graded"), _result("eve", "Eve", "graded")],
                         "w1")
    rows = text.splitlines()
    assert rows[1].startswith("\"'=HYPERLINK(") and rows[2].startswith("'@SUM")
    assert rows[3].startswith("Eve,") and ",cat," in rows[1]  # ids stay exact: LMS match keys


def test_junit_has_no_control_or_bidi_characters() -> None:
    xml = junit_xml([_result("a\x1bb\u202ec\ud800")], "w1")
    assert not any(c in xml for c in "\x1b\u202e\ud800")
    xml.encode("utf-8")


def test_an_unknown_submitter_cannot_overwrite_a_roster_students_gradescope_file(
        tmp_path: Path) -> None:
    target = tmp_path / "gs.json"
    roster = _result("Çelik", "Çelik", "graded", folder="celik-1234abcd")
    impostor = _result("celik-1234abcd", folder="celik-1234abcd")
    written = write_gradescope(target, [roster, _result("zed", "Zed", "graded"), impostor])
    doc = json.loads((tmp_path / "gs-celik-1234abcd.json").read_text())
    assert doc["extra_data"]["student_id"] == "Çelik"
    assert len(written) == 2


def test_a_lone_unknown_submitter_fails_the_threshold_but_strays_in_a_class_do_not() -> None:
    from grader.outputs.summary import below
    from grader.grading.results import RunSummary

    lone = RunSummary("w1", (_result("nobody"),), 1, 0, "fork")
    assert [r.student_id for r in below(lone, 50)] == ["nobody"]
    ok = StudentResult("w1", "ann", "Ann", "", "ann", "graded", 1.0, 1.0, 1.0)
    assert below(RunSummary("w1", (ok, _result("nobody")), 2, 0, "fork"), 50) == []


def test_unknown_entry_helpers_hash_distinct_escaped_ids() -> None:
    # Two ids escaping to the same text stay apart by their hashes.
    from grader.grading.collect import _shown_id

    a, b = _shown_id("x\x1b", set()), _shown_id("x\\x1b", set())
    assert a != b and a.endswith(hashlib.sha256(b"x\x1b").hexdigest()[:8])


def test_a_folder_of_thousands_of_files_is_read_for_its_three_names_only(tmp_path: Path) -> None:
    folder = tmp_path / "ann"
    folder.mkdir()
    for i in range(3000):
        (folder / f"junk{i}.py").write_bytes(b"x")
    (folder / "answers.yaml").write_text("ex: {p: 1}\n")
    sub = read_folder(folder)
    assert set(sub.files) == {"answers.yaml"} and sub.problems == ()
