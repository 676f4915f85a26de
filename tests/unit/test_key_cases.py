"""The key page lists every case of a function part: id, kind, why and inputs (issue 15).

Checked against the key JSON read here directly: every case of the student's variant is a row,
its why is the key's, and its inputs read back (as Python) to the key's args. Long inputs are
cut on the page; text is escaped. `judge(..., instructor=True)` words hidden cases for the
instructor without ever changing the verdict grading gives.
"""

from __future__ import annotations

import json
import math
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from grader.authoring.cases import BuiltCase
from grader.core.render import render
from grader.course import generate as G
from grader.course.keyview import brief, call_text

SECRET = "key-cases-secret-0123456789abcdef0123"
ASSIGNMENT = """\
id: key-cases
title: "Key cases"
exercises:
  - impl-lp-norm
  - impl-softmax
  - info-kl-divergence
"""


class Rows(HTMLParser):
    """The cells of every row of the `details.key-cases` tables (end tags may be omitted)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.inside = False
        self.cell: list[str] | None = None

    def _close(self) -> None:
        if self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "details" and ("class", "key-cases") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self._close()
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self._close()
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "tr", "tbody", "thead", "table"):
            self._close()
        if tag == "details":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GRADER_SECRET", SECRET)
    (tmp_path / "a.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    (tmp_path / "roster.csv").write_text("id,name,email\nst1,Ann,a@x.org\nst2,Bo,b@x.org\n",
                                         encoding="utf-8")
    G.generate(tmp_path / "a.yaml", tmp_path / "roster.csv", tmp_path / "out", only=())
    return tmp_path / "out" / "key"


def inputs(text: str) -> list:
    """The page's inputs read back as Python: `[3, -4], inf` -> [[3, -4], inf]."""
    return list(eval(f"({text},)", {"__builtins__": {}, "inf": math.inf, "nan": math.nan}))


def close(a: object, b: object) -> bool:
    """Same nesting, numbers equal to the page's 6 significant digits."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(b, str) and b in ("inf", "-inf", "nan"):  # how the key's JSON spells them
        b = float(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or math.isclose(a, b, rel_tol=1e-5)
    return a == b


@pytest.mark.parametrize("sid", ["st1", "st2"])
def test_the_key_page_lists_every_case_with_its_inputs_and_why(key: Path, sid: str) -> None:
    data = json.loads((key / f"{sid}.json").read_text(encoding="utf-8"))
    parser = Rows()
    parser.feed((key / f"{sid}.html").read_text(encoding="utf-8"))
    body = [r for r in parser.rows if r and r[0] != "Case"]
    cases = [c for e in data["exercises"] for c in e["cases"]]
    assert len(body) == len(cases) >= 35  # every case, in the key's order
    hidden = 0
    for row, case in zip(body, cases):
        case_id, kind, why, shown = row
        assert kind == ("public" if case["visibility"] == "public" else
                        "random" if case["id"].startswith("random-") else "hidden")
        assert case_id == case["id"] and why == ("" if kind == "random" else case["why"])
        assert " (cut)" not in shown and close(inputs(shown), case["args"]), (row, case)
        hidden += kind == "hidden"
    assert hidden >= 10  # lp_norm has 6 fixed hidden cases, softmax 5
    assert "[-7, 2, 0], inf" in [r[3] for r in body]


def test_long_inputs_are_cut_and_deep_ones_stop() -> None:
    text, cut = call_text([list(range(100))], {"p": 2})
    assert (text, cut) == ("[0, 1, 2, 3, 4, 5, 6, 7, … 92 more], p=2", True)
    assert call_text([[1.5, -0.25], math.inf], {}) == ("[1.5, -0.25], inf", False)
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert brief(deep) == ("[[[[[[[…]]]]]]]", True)  # no recursion error
    assert brief("x" * 500)[1] is True and len(brief("x" * 500)[0]) == 60


def test_numbers_read_as_everywhere_else() -> None:
    from grader.core.markup import num
    from grader.course.keyview import _number

    for v in [3, -4, 2.5, 1e20, 1e-300, math.inf, -math.inf, math.nan, 0.1234567891, 7.0,
              -0.0, 10**20, 123456.789]:
        assert _number(v) == num(v) == brief(v)[0], v


def test_the_case_table_escapes_text() -> None:
    case = BuiltCase("hidden-1", ["</code><script>alert(1)</script>"], {}, "hidden",
                     "<b>why</b> & more")
    pe = G.PlannedExercise(1, None, 1.0, 0, None, (("f", case),))
    html = render("_key_cases.html", pe=pe, part=SimpleNamespace(id="f"),
                  s=SimpleNamespace(student=SimpleNamespace(folder="st1")))
    assert "<script>" not in html and "<b>why" not in html
    assert "&lt;b&gt;why&lt;/b&gt; &amp; more" in html and "&lt;script&gt;" in html


def test_the_instructor_wording_never_changes_a_verdict() -> None:
    from grader.core.model import FUNCTION_TOLERANCE, FunctionSpec, PartSpec
    from grader.grading.functions import FunctionWork, judge
    from grader.sandbox import CaseOutcome

    fn = FunctionSpec(name="f", signature="f(x, p)", docstring="", reference="impl_lp_norm",
                      returns="scalar", tolerance=FUNCTION_TOLERANCE, public=(), hidden=())
    part = PartSpec(id="f", kind="function", prompt="", solution=None, points=1.0,
                    tolerance=FUNCTION_TOLERANCE, function=fn)
    work = FunctionWork("ex", part, 1.0, ())
    outcomes = [None, CaseOutcome("ok", 2.0), CaseOutcome("ok", 7.0), CaseOutcome("ok", "x"),
                CaseOutcome("ok", [1.0, 2.0]), CaseOutcome("ok", math.nan),
                CaseOutcome("exception", None, "ValueError: secret 42 (solution.py, line 3, in f)"),
                CaseOutcome("timeout", None, "time limit of 2 s per case exceeded")]
    for visibility in ("public", "hidden"):
        case = BuiltCase("hidden-1", [[-7, 2, 0], math.inf], {}, visibility)  # type: ignore
        for outcome in outcomes:
            student = judge(work, case, 7.0, outcome, revealed=False)
            mine = judge(work, case, 7.0, outcome, revealed=False, instructor=True)
            assert mine.status == student.status, outcome
            if visibility == "hidden":
                assert student.args is None and student.output is None
    hidden = BuiltCase("hidden-1", [[-7, 2, 0], math.inf], {}, "hidden")
    mine = judge(work, hidden, 7.0, CaseOutcome("ok", 2.0), revealed=False, instructor=True)
    assert "returned 2" in mine.message and "expected 7" in mine.message
    student = judge(work, hidden, 7.0, CaseOutcome("ok", 2.0), revealed=False)
    assert "2" not in student.message and "7" not in student.message
