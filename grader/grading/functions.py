"""Function parts: the cases sent to the sandbox, and the per-case verdicts made in the parent.

Expected values are computed here, in the trusted process, with the reference solver; the sandbox
only ever receives the inputs. Public cases show their inputs and the student's output; hidden
cases show only that they exist and the kind of failure (an exception's type and the student's
own line, never its text, which could echo a hidden input).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grader.authoring.cases import BuiltCase, reference_value
from grader.course.documents import KeyCase
from grader.kinds import KINDS
from grader.core.model import FunctionSpec, PartSpec
from grader.grading.results import CaseResult, CaseStatus, PartResult, StudentResult
from grader.sandbox import CaseOutcome, SandboxRun
from grader.sandbox.messages import import_message, raised_message
from grader.sandbox.runner import BUDGET_USED
from grader.core.values import short

_WHERE = re.compile(r"\((solution\.py, line \d+, in [\w<>]+)\)$")
IMPORT_FAILED = "importing solution.py failed: "  # the sandbox's words for an import that failed


@dataclass(frozen=True)
class FunctionWork:
    """A function part of one student's set, ready for the sandbox: cases and expected values."""

    exercise_id: str
    part: PartSpec
    points: float
    cases: tuple[tuple[str, BuiltCase, Any], ...]  # (sandbox case id, case, expected value)
    problems: tuple[str, ...] = ()  # cases the reference could not solve (instructor warnings)

    @property
    def fn(self) -> FunctionSpec:
        assert self.part.function is not None
        return self.part.function

    def calls(self) -> list[tuple[str, list, dict]]:
        return [(sid, list(c.args), dict(c.kwargs)) for sid, c, _ in self.cases]


def prepare_function(exercise_id: str, number: int, part: PartSpec, points: float,
                     key_cases: Sequence[KeyCase]) -> FunctionWork:
    """Build the part's cases from the key and compute every expected value in this process."""
    assert part.function is not None
    cases, problems = [], []
    for kc in key_cases:
        if kc.part != part.id:
            continue
        case = BuiltCase(kc.id, list(kc.args), dict(kc.kwargs), kc.visibility, kc.why)
        try:
            expected = reference_value(part.function, case)
        except Exception as exc:
            problems.append(f"{exercise_id}.{part.id} {case.id}: the reference solver raised "
                            f"{type(exc).__name__}: {exc}; the case was left out")
            continue
        cases.append((f"e{number}.{part.id}.{case.id}", case, expected))
    return FunctionWork(exercise_id, part, points, tuple(cases), tuple(problems))


def judge(work: FunctionWork, case: BuiltCase, expected: Any, outcome: CaseOutcome | None,
          *, revealed: bool, instructor: bool = False) -> CaseResult:
    """One case's result: passed, failed (wrong value or shape), or the sandbox's ending.

    `instructor` (`grader cases`, never a student's result): a hidden case's message is worded
    as a public one's, with values and the exception's text. The status never depends on it.
    """
    public = case.visibility == "public"
    shown = public or instructor
    status: CaseStatus
    if outcome is None:
        status, message = "not_run", "not run"
    elif outcome.status != "ok":
        status, message = outcome.status, _ending_message(outcome, shown)
    else:
        status, message = _compare(work.part, outcome.value, expected, shown,
                                   revealed or instructor)
    if not public:
        return CaseResult(case.id, "hidden", status, message)
    return CaseResult(case.id, "public", status, message, args=case.args,
                      output=outcome.value if outcome and outcome.status == "ok" else None,
                      expected=expected if revealed else None)


def _compare(part: PartSpec, value: Any, expected: Any, public: bool,
             revealed: bool) -> tuple[CaseStatus, str]:
    """The part's kind judges the value; a hidden case's message names no value."""
    verdict = KINDS[part.kind].judge(value, expected, part)  # type: ignore[attr-defined]
    if verdict.status == "bad_output":
        shown = f"returned {short(value)}: " if public else "returned a value of the wrong form: "
        return "bad_output", shown + verdict.detail
    if verdict.passed:
        return "passed", ""
    if not public:  # a shape says no value; a named slip's words might (a sign, an order)
        shape = verdict.what == "wrong shape" and verdict.detail
        return "failed", f"wrong shape: {verdict.detail}" if shape else verdict.what
    text = f"returned {short(value)}"
    if revealed:
        text += f", expected {short(expected)}"
    detail = f": {verdict.detail}" if verdict.detail else ""
    return "failed", f"{text} ({verdict.what}){detail}"


def _ending_message(outcome: CaseOutcome, public: bool) -> str:
    if public and outcome.status == "exception":
        return raised_message(outcome.message)
    if public or outcome.status != "exception":
        return outcome.message
    head, importing, rest = outcome.message.partition(IMPORT_FAILED)
    text = rest if importing and not head else outcome.message
    name = text.split(":", 1)[0].split(" ", 1)[0]
    where = _WHERE.search(outcome.message)
    said = f"raised {name}" + (f" ({where.group(1)})" if where else "")
    return f"importing solution.py {said}" if importing and not head else said


def grade_function(work: FunctionWork, run: SandboxRun | None, *, revealed: bool,
                   absent: str | None = None) -> PartResult:
    """The part's result from the sandbox run; `absent` says why nothing was run."""
    if absent is not None or run is None:
        cases = tuple(CaseResult(c.id, c.visibility, "not_run", absent or "not run")
                      for _, c, _ in work.cases)
        return _part(work, 0.0, "missing", absent or "Not run.", cases)
    results = tuple(judge(work, case, expected, run.outcomes.get(sid), revealed=revealed)
                    for sid, case, expected in work.cases)
    passed = sum(r.passed for r in results)
    total = len(results)
    fraction = passed / total if total else 0.0
    status = "correct" if total and passed == total else "partial" if passed else "wrong"
    return _part(work, fraction * work.points, status,
                 _feedback(results, run, _shared_failure(work, results, run)), results)


def _shared_failure(work: FunctionWork, results: Sequence[CaseResult],
                    run: SandboxRun) -> str | None:
    """The message when every case failed the same way and a public case shows it."""
    failed = [(sid, r) for (sid, _, _), r in zip(work.cases, results) if not r.passed]
    endings = {(o.status, o.message) for sid, _ in failed
               if (o := run.outcomes.get(sid)) is not None and o.status != "ok"}
    if len(failed) != len(results) or len(endings) != 1:
        return None
    public = [r for _, r in failed if r.visibility == "public"]
    return public[0].message if public else None


def _part(work: FunctionWork, score: float, status: Any, feedback: str,
          cases: tuple[CaseResult, ...]) -> PartResult:
    return PartResult(work.exercise_id, work.part.id, work.part.kind, round(score, 4),
                      work.points, status, feedback, cases=cases)


def lost_to_budget(case: CaseResult) -> bool:
    """Whether this case was not run because its function's time budget ran out."""
    return case.status == "not_run" and BUDGET_USED in case.message


def budget_losses(results: Sequence[StudentResult]) -> str | None:
    """The instructor's warning: who lost cases because a function used up its time budget."""
    lost = []
    for r in results:
        parts = [f"{e.id}.{p.part_id}: {n}" for e in r.exercises for p in e.parts
                 if (n := sum(lost_to_budget(c) for c in p.cases))]
        if parts:
            lost.append(f"{r.student_id} ({', '.join(parts)})")
    if not lost:
        return None
    shown = ", ".join(lost[:20]) + (f" and {len(lost) - 20} more" if len(lost) > 20 else "")
    return (f"{len(lost)} student(s) lost cases to a function's time budget "
            f"(sandbox.time_limit, per function; their other functions were run in full), "
            f"cases not run: {shown}")


def _feedback(results: Sequence[CaseResult], run: SandboxRun, shared: str | None) -> str:
    total, passed = len(results), sum(r.passed for r in results)
    if total and passed == total:
        return f"All {total} cases passed."
    lines = [f"{passed} of {total} cases passed."]
    skipped = next((r.message for r in results if lost_to_budget(r)), None)
    if skipped and not run.import_error:
        lines.append(f"{sum(lost_to_budget(r) for r in results)} cases were {skipped}.")
    if run.import_error:
        lines.append(f"solution.py could not be run: {import_message(run.import_error)}")
        return " ".join(lines)
    if shared:
        lines.append(f"Every case failed: {shared}")
        return " ".join(lines)
    for label, group in (("Public", [r for r in results if r.visibility == "public"]),
                         ("Hidden", [r for r in results if r.visibility == "hidden"])):
        bad = Counter(_kind(r) for r in group if not r.passed)
        if bad:
            kinds = ", ".join(f"{n} {k}" for k, n in sorted(bad.items(), key=lambda x: -x[1]))
            lines.append(f"{label} cases: {len(group) - sum(bad.values())} of {len(group)} "
                         f"passed ({kinds}).")
    return " ".join(lines)


def _kind(r: CaseResult) -> str:
    if r.status == "failed":
        for what in ("wrong shape", "not a finite number"):
            if what in r.message:
                return what
        return "wrong value"
    return {"exception": "raised an exception", "timeout": "timed out", "memory": "out of memory",
            "crashed": "crashed", "exited": "exited early", "bad_output": "wrong form",
            "truncated": "output cut off", "not_run": "not run"}.get(r.status, r.status)
