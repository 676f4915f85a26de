"""`grader export ASSIGNMENT --to moodle`: Moodle XML checked with a reader written here.

No Moodle runs here, so this test reads the XML with xml.dom.minidom, parses every Cloze gap
with its own parser, and applies Moodle's numerical rule (the first answer with |x - a| <= tol
gives its fraction). Expected KL divergences are computed here with numpy from the P and Q the
question text shows, eigenvalues with numpy from the matrix it shows; tolerances and feedback
are read from the spec file.
"""

from __future__ import annotations

import html
import re
from fractions import Fraction
from pathlib import Path
from xml.dom import minidom

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from grader.authoring.spec import library_dir
from grader.cli import cli

ASSIGNMENT = """\
id: mweek
title: Moodle week
secret: {env: GRADER_MOODLE_SECRET}
exercises: [info-kl-divergence, la-eigen-symmetric, la-definiteness, impl-softmax]
"""
# Moodle's question_bank::fraction_options, in percent
ALLOWED = {100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667,
           14.28571, 12.5, 11.11111, 10, 5, 0}
GAP = re.compile(r"\{(\d+):(NUMERICAL|MULTICHOICE):(.*?)(?<!\\)\}", re.S)
POOL = 6


def _split(text: str, sep: str) -> list[str]:
    return [p.replace("\\" + sep, sep) for p in re.split(rf"(?<!\\){re.escape(sep)}", text)]


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_gap(body: str) -> list[tuple[float, float, float, str]]:
    """(fraction %, answer, tolerance, feedback) for each answer of a NUMERICAL gap."""
    out = []
    for item in re.split(r"(?<!\\)~", body):
        if item.startswith("="):
            fraction, rest = 100.0, item[1:]
        else:
            m = re.match(r"%(-?[\d.]+)%(.*)", item, re.S)
            assert m, item
            fraction, rest = float(m.group(1)), m.group(2)
        value, _, feedback = rest.partition("#")
        a, _, tol = value.partition(":")
        out.append((fraction, float(a), float(tol or 0), _unescape(feedback)))
    return out


def moodle_grade(x: float, answers: list[tuple[float, float, float, str]]) -> tuple[float, str]:
    """Moodle's numerical rule: the first answer within its tolerance wins; none gives 0."""
    for fraction, a, tol, feedback in answers:
        if abs(x - a) <= tol:
            return fraction, feedback
    return 0.0, ""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("moodle")
    (root / "a.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    env = {"GRADER_MOODLE_SECRET": "5be1c0d9a7f34e21" * 4}
    args = ["export", str(root / "a.yaml"), "--to", "moodle", "--out", str(root / "lms"),
            "--pool", str(POOL)]
    res = CliRunner().invoke(cli, args, env=env)
    assert res.exit_code == 0, res.output
    data = (root / "lms" / "moodle-questions.xml").read_bytes()
    again = CliRunner().invoke(cli, args, env=env)
    assert again.exit_code == 0
    return {"doc": minidom.parseString(data), "data": data, "output": res.output,
            "rerun": (root / "lms" / "moodle-questions.xml").read_bytes()}


def _questions(doc: minidom.Document, qtype: str) -> list[minidom.Element]:
    return [q for q in doc.getElementsByTagName("question") if q.getAttribute("type") == qtype]


def _child_text(q: minidom.Element, tag: str) -> str:
    el = q.getElementsByTagName(tag)[0].getElementsByTagName("text")[0]
    return "".join(n.data for n in el.childNodes if n.nodeType == n.TEXT_NODE)


def _kl_questions(doc: minidom.Document) -> list[str]:
    return [_child_text(q, "questiontext") for q in _questions(doc, "cloze")
            if _child_text(q, "name").startswith("info-kl-divergence")]


def _distribution(text: str, name: str) -> np.ndarray:
    seg = re.search(rf"{name} = \\left\((.*?)\\right\)", text).group(1)
    values = [Fraction(int(a), int(b)) for a, b in re.findall(r"\\frac\{(\d+)\}\{(\d+)\}", seg)]
    return np.array([float(v) for v in values])


def _spec_part(part: str) -> dict:
    doc = yaml.safe_load((library_dir() / "information-theory" /
                          "info-kl-divergence.yaml").read_text(encoding="utf-8"))
    return next(p for p in doc["parts"] if p["id"] == part)


def _feedback(part: str) -> dict[str, str]:
    return {m["name"]: " ".join(m["feedback"].split()) for m in _spec_part(part)["mistakes"]}


def test_categories_and_pool(exported: dict) -> None:
    doc = exported["doc"]
    cats = [_child_text(q, "category") for q in _questions(doc, "category")]
    assert cats == ["$course$/top/mweek/info-kl-divergence",
                    "$course$/top/mweek/la-eigen-symmetric", "$course$/top/mweek/la-definiteness"]
    assert len(_questions(doc, "cloze")) == 3 * POOL
    kl = _kl_questions(doc)
    assert len({tuple(_distribution(t, "P")) for t in kl}) > 1  # a pool, not one variant
    assert "impl-softmax" in exported["output"] and "eigenvectors" in exported["output"]
    assert exported["rerun"] == exported["data"]  # same secret, same bytes


def test_kl_gaps_follow_the_key_tolerance_and_mistakes(exported: dict) -> None:
    questions = _kl_questions(exported["doc"])
    assert len(questions) == POOL
    for text in questions:
        P, Q = _distribution(text, "P"), _distribution(text, "Q")
        assert P.sum() == pytest.approx(1) and Q.sum() == pytest.approx(1)
        kl_pq, kl_qp = float(np.sum(P * np.log(P / Q))), float(np.sum(Q * np.log(Q / P)))
        gaps = [parse_gap(m.group(3)) for m in GAP.finditer(text)]
        assert len(gaps) == 2
        feedback = {"kl_pq": _feedback("kl_pq"), "kl_qp": _feedback("kl_qp")}
        for gap, right, wrong, part in ((gaps[0], kl_pq, kl_qp, "kl_pq"),
                                        (gaps[1], kl_qp, kl_pq, "kl_qp")):
            spec_tol = _spec_part(part)["tolerance"]
            tol = spec_tol["atol"] + spec_tol["rtol"] * abs(right)
            assert gap[0][0] == 100 and gap[0][1] == pytest.approx(right, rel=1e-12)
            assert gap[0][2] == pytest.approx(tol, rel=1e-12)
            assert moodle_grade(right, gap)[0] == 100
            assert moodle_grade(right + 0.99 * tol, gap)[0] == 100
            assert moodle_grade(right - 0.99 * tol, gap)[0] == 100
            outside = moodle_grade(right + 1.01 * tol, gap)
            assert outside[0] == 0
            swapped = moodle_grade(wrong, gap)  # the named mistake, with the spec's feedback
            assert swapped[0] == 0
            assert swapped[1].replace("\\(", "$").replace("\\)", "$") in \
                feedback[part].values() or swapped[1] in feedback[part].values()
            bits = moodle_grade(right / np.log(2), gap)
            assert bits[0] == 0 and "bits" in bits[1]
            for fraction, *_ in gap:
                assert fraction in ALLOWED


def test_eigenvalue_gaps_are_the_eigenvalues(exported: dict) -> None:
    doc = exported["doc"]
    eigen = [q for q in _questions(doc, "cloze")
             if _child_text(q, "name").startswith("la-eigen-symmetric")]
    assert len(eigen) == POOL
    for q in eigen:
        text = html.unescape(_child_text(q, "questiontext"))  # the HTML's text, as MathJax reads
        rows = re.search(r"\\begin\{[pb]?matrix\}(.*?)\\end\{[pb]?matrix\}", text, re.S).group(1)
        A = np.array([[float(Fraction(c.strip())) for c in r.split("&")]
                      for r in rows.split("\\\\") if r.strip()])
        expected = sorted(np.linalg.eigvalsh(A), reverse=True)
        gaps = [parse_gap(m.group(3)) for m in GAP.finditer(text)]
        assert [g[0][1] for g in gaps] == pytest.approx(expected, abs=1e-9)


def test_usage_errors_say_which_form(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    cases = [
        (["export", str(tmp_path / "a.yaml"), "--format", "csv"], "use --to TARGET"),
        (["export", str(tmp_path), "--to", "moodle", "--out", "x"], "use --format"),
        (["export", str(tmp_path / "a.yaml")], "say what to export"),
        (["export", str(tmp_path / "a.yaml"), "--to", "moodle"], "needs --out"),
        (["export", str(tmp_path / "a.yaml"), "--to", "jupyter", "--out", "x"], "--roster"),
        (["export", str(tmp_path / "a.yaml"), "--to", "moodle", "--format", "csv"], "not both"),
    ]
    for args, message in cases:
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 2 and message in res.output, (args, res.output)
    assert not (tmp_path / "x").exists()


def _matrix(text: str) -> np.ndarray:
    rows = re.search(r"\\begin\{[pb]?matrix\}(.*?)\\end\{[pb]?matrix\}", text, re.S).group(1)
    return np.array([[float(Fraction(c.strip())) for c in r.split("&")]
                     for r in rows.split("\\\\") if r.strip()])


def test_choice_gap_marks_the_definiteness(exported: dict) -> None:
    questions = [q for q in _questions(exported["doc"], "cloze")
                 if _child_text(q, "name").startswith("la-definiteness")]
    assert len(questions) == POOL
    for q in questions:
        text = html.unescape(_child_text(q, "questiontext"))
        lam = np.linalg.eigvalsh(_matrix(text))
        sign = "positive" if lam.max() > 0 else "negative"
        want = "indefinite" if lam.min() < 0 < lam.max() else \
            f"{sign}-{'semi' if np.isclose(lam, 0).any() else ''}definite"
        gaps = [m for m in GAP.finditer(text) if m.group(2) == "MULTICHOICE"]
        assert len(gaps) == 1
        options = re.split(r"(?<!\\)~", gaps[0].group(3))
        right = [o[1:].split("#")[0] for o in options if o.startswith("=")]
        assert right == [want]
        assert {o.split("#")[0].lstrip("=").removeprefix("%0%") for o in options} == {
            "positive-definite", "positive-semidefinite", "negative-definite",
            "negative-semidefinite", "indefinite"}
