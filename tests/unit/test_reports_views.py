"""How answers, steps and sandbox messages are laid out for reading."""

from __future__ import annotations

import pytest

from grader.outputs.reports import views as V
from grader.grading.results import CaseResult


@pytest.mark.parametrize("value, kind, shape, text", [
    ("1/3", "scalar", "text", "1/3"),  # what the student typed stays as typed
    (0.25, "scalar", "number", "0.25"),
    (float("-inf"), "scalar", "number", "-inf"),
    ([1, 2.5], "vector", "vector", "(1, 2.5)"),
    ([[1, 0], [0, 1]], "matrix", "matrix", "[(1, 0), (0, 1)]"),
    ([[1, 0], [2]], "matrix", "text", "[(1, 0), (2)]"),  # ragged: not a grid
    ([[0.2, 0], [0.48, -0.44]], "sequence", "steps", "[(0.2, 0), (0.48, -0.44)]"),
    ({"w": [1, 2], "b": 0}, "record", "text", "{b: 0, w: (1, 2)}"),
    (True, "bool", "text", "True"),
])
def test_value_view(value, kind: str, shape: str, text: str) -> None:
    view = V.value_view(value, kind=kind)
    assert (view.shape, view.text) == (shape, text)


def test_matrix_cells_and_steps() -> None:
    assert V.value_view([[1, 0.5], [0, 1]]).rows == (("1", "0.5"), ("0", "1"))
    assert V.value_view([[1, 2], [3, 4]], kind="sequence").items == ("(1, 2)", "(3, 4)")


def test_split_where() -> None:
    msg = "IndexError: list index out of range (solution.py, line 12, in softmax)"
    assert V.split_where(msg) == ("IndexError: list index out of range",
                                  "solution.py, line 12, in softmax")
    assert V.split_where("no result within 10 s") == ("no result within 10 s", None)


@pytest.mark.parametrize("text, tone", [
    ("step 2: correct given your step 1 (follow-through)", "follow"),
    ("step 1: correct", "ok"), ("step 3: not correct", "bad"), ("step 4: missing", "bad"),
    ("column 2: scaled", "note")])
def test_detail_tone(text: str, tone: str) -> None:
    assert V.detail_view(text).tone == tone


def test_case_view_python_literals() -> None:
    c = V.case_view(CaseResult("c", "public", "failed", args=[[1, 2], {"k": "v"}],
                               output=[0.5, float("nan")], expected=[0.5, 0.5]))
    assert (c.call, c.output, c.expected, c.status) == \
        ("[1, 2], {'k': 'v'}", "[0.5, nan]", "[0.5, 0.5]", "wrong result")


def test_hidden_view_none_without_hidden_cases() -> None:
    assert V.hidden_view([]) is None
    h = V.hidden_view([CaseResult("h", "hidden", "passed")])
    assert h is not None and h.summary == "1 of 1 hidden cases passed." and h.errors == ()
