"""The function kind: a part answered by a Python function in solution.py, judged case by case.

A case's return value is first checked for its declared form (`returns: matrix`, `{tuple:
[scalar, vector]}`), then compared by the answer kind of that form: a matrix return value is
judged as a typed matrix answer is, so a wrong shape, a transposed matrix or a flipped sign is
named in the same words. Running the code is not this module's business (the sandbox does
that); it only says what grader.json carries for such a part and how one value is judged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.core.errors import FormatError
from grader.core.schema import Field, Ref
from grader.core.model import GradeContext, PartSpec, Tolerance, Verdict
from grader.core.values import encode_json
from grader.kinds.arrays import Matrix, Vector
from grader.kinds.base import PartFacts, make_verdict
from grader.kinds.exact import Bool, Integer
from grader.kinds.numeric import Scalar

# The forms a return value may take besides {tuple: [...]}: each but list_of_vectors is an
# answer kind, and is compared as that kind compares a typed answer.
RETURN_FORMS = ("scalar", "vector", "matrix", "integer", "bool", "list_of_vectors")
_ITEM_KINDS: dict[str, Any] = {"scalar": Scalar(), "vector": Vector(), "matrix": Matrix(),
                               "integer": Integer(), "bool": Bool()}


@dataclass(frozen=True)
class CaseVerdict:
    """One return value judged: `what` is safe to show for a hidden case (no value in it);
    `detail` is the item kind's feedback, for a public case."""

    status: str  # "passed" | "failed" | "bad_output"
    what: str = ""  # "wrong value", "wrong shape", "not a finite number (nan)", a mistake's name
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"


class Function:
    """A Python function the student writes; its cases run in the sandbox."""

    name = "function"
    runs_code = True
    uses_tolerance = False  # the tolerance is the function block's, as are its cases

    # The function block: the reference solver, the tolerance and the cases (declared.py).
    options = {"function": Field(Ref("function"), required=True)}

    def parse(self, raw: Any, part: PartSpec) -> Any:
        raise FormatError("a function part is answered in solution.py, not answers.yaml")

    def normalise_reference(self, value: Any, part: PartSpec) -> Any:
        return value  # plain data from the reference solver, compared case by case

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict:
        """One case's return value as a Verdict (grading reports cases, see `judge`)."""
        v = self.judge(answer, expected, part)
        return make_verdict(1.0 if v.passed else 0.0, "Correct." if v.passed else
                            (v.detail or v.what), mistake=None if v.passed else v.what)

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        return not self.judge(a, b, part).passed

    def describe(self, part: PartSpec, expected: Any) -> str:
        fn = part.function
        return f"the function {fn.signature} in solution.py" if fn else "a function"

    def judge(self, value: Any, expected: Any, part: PartSpec) -> CaseVerdict:
        assert part.function is not None
        return judge(value, expected, part.function.returns, part.function.tolerance)

    # ------------------------------------------------------------ grader.json

    def meta_entry(self, part: PartSpec, facts: PartFacts) -> dict[str, Any]:
        """What `grader check` needs to run the public examples: never a hidden case."""
        fn = part.function
        assert fn is not None
        return {"function": {
            "name": fn.name, "signature": fn.signature, "returns": fn.returns,
            "time_limit": fn.time_limit,
            "tolerance": {"rtol": fn.tolerance.rtol, "atol": fn.tolerance.atol},
            # Public cases are the same for every student and shown in the problem set: their
            # expected values let `grader check` say whether an example passes.
            "public": [{"id": cid, "args": encode_json(args), "kwargs": encode_json(kwargs),
                        "expected": encode_json(expected)}
                       for cid, args, kwargs, expected in facts.public]}}

    def meta_ok(self, entry: Mapping[str, Any]) -> bool:
        fn = entry.get("function")
        return isinstance(fn, dict) and isinstance(fn.get("name"), str) and \
            isinstance(fn.get("public"), list) and all(
                isinstance(c, dict) and isinstance(c.get("id"), str) and
                isinstance(c.get("args"), list) for c in fn["public"])


# ---------------------------------------------------------------- judging one value


def judge(value: Any, expected: Any, returns: Any, tol: Tolerance) -> CaseVerdict:
    """A return value against the reference's: its form, then the item kind's comparison."""
    problem = form_problem(value, returns)
    if problem:
        return CaseVerdict("bad_output", "wrong form", problem)
    return _judge(value, expected, returns, tol)


def _judge(value: Any, expected: Any, returns: Any, tol: Tolerance) -> CaseVerdict:
    if isinstance(returns, Mapping):  # {tuple: [...]}: item by item, the first failure named
        return _items(value, expected, list(returns["tuple"]), tol, "item {}")
    if returns == "list_of_vectors":
        if not isinstance(expected, list) or len(value) != len(expected):
            n = len(expected) if isinstance(expected, list) else "?"
            return CaseVerdict("failed", "wrong shape",
                               f"Expected {n} vectors, got {len(value)}.")
        return _items(value, expected, ["vector"] * len(value), tol, "vector {}")
    return _one(value, expected, returns, tol)


def _items(value: list, expected: Any, forms: list, tol: Tolerance, label: str) -> CaseVerdict:
    if not isinstance(expected, list) or len(expected) != len(forms):
        return CaseVerdict("failed", "wrong value")  # the reference's own form is off
    for i, (v, e, form) in enumerate(zip(value, expected, forms)):
        found = _judge(v, e, form, tol)
        if not found.passed:
            where = label.format(i)
            return CaseVerdict(found.status, found.what,
                               f"{where}: {found.detail}" if found.detail else "")
    return CaseVerdict("passed")


def _one(value: Any, expected: Any, form: str, tol: Tolerance) -> CaseVerdict:
    kind = _ITEM_KINDS[form]
    part = PartSpec(id="return", kind=form, prompt="", solution=None, points=1.0, tolerance=tol)
    try:
        want = kind.normalise_reference(expected, part)
        got = kind.parse(value, part)
    except (FormatError, ValueError, TypeError):
        return CaseVerdict("failed", "wrong value")
    if not kind.differs(got, want, part):
        return CaseVerdict("passed")
    if _shape(got) != _shape(want) and _shape(got) is not None and _shape(want) is not None:
        verdict = kind.grade(got, want, part, GradeContext())
        return CaseVerdict("failed", "wrong shape", verdict.feedback)
    odd = not_finite(got, want)
    if odd:
        return CaseVerdict("failed", odd)
    verdict = kind.grade(got, want, part, GradeContext())
    if verdict.mistake:
        return CaseVerdict("failed", verdict.mistake, verdict.feedback)
    return CaseVerdict("failed", "wrong value")


def _shape(value: Any) -> tuple[int, ...] | None:
    try:
        return tuple(np.asarray(value, dtype=float).shape)
    except (ValueError, TypeError):
        return None


def not_finite(value: Any, expected: Any) -> str | None:
    """'not a finite number (nan)' when the value holds nan (or inf) where the expected value
    does not: a NaN is a bug to find (0/0, log 0), not a value that is a little off."""
    try:
        got = np.asarray(value, dtype=float)
        want = np.broadcast_to(np.asarray(expected, dtype=float), got.shape)
    except (ValueError, TypeError):
        return None
    if (np.isnan(got) & ~np.isnan(want)).any():
        return "not a finite number (nan)"
    wild = np.isinf(got) & np.isfinite(want)
    if wild.any():
        return f"not a finite number ({'-inf' if (got[wild] < 0).all() else 'inf'})"
    return None


# ---------------------------------------------------------------- the declared form


def form_problem(value: Any, returns: Any) -> str | None:
    """Why value does not have the declared return form, or None when it does."""
    if isinstance(returns, Mapping) and "tuple" in returns:
        items = returns["tuple"]
        if not isinstance(value, list) or len(value) != len(items):
            return f"expected a tuple of {len(items)} values"
        for i, (v, r) in enumerate(zip(value, items)):
            p = form_problem(v, r)
            if p:
                return f"item {i}: {p}"
        return None
    checks = {"scalar": _is_number, "integer": _is_int, "bool": lambda v: isinstance(v, bool),
              "vector": _is_vector, "matrix": _is_matrix,
              "list_of_vectors": lambda v: isinstance(v, list) and all(map(_is_vector, v))}
    if returns not in checks:
        return f"unknown return form {returns!r}"
    return None if checks[returns](value) else f"expected a {returns.replace('_', ' ')}"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_int(v: Any) -> bool:
    return _is_number(v) and (isinstance(v, int) or (math.isfinite(v) and v == int(v)))


def _is_vector(v: Any) -> bool:
    return isinstance(v, list) and all(map(_is_number, v))


def _is_matrix(v: Any) -> bool:
    return (isinstance(v, list) and len(v) > 0 and all(map(_is_vector, v))
            and len({len(r) for r in v}) == 1)
