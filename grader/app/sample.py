"""A fabricated class of results, for the report tests, the benchmark and looking at the pages.

Real exercises and variants from the library (so prompts, expected answers and mistakes are
real), with verdicts made up per persona: right, recognised mistakes, partly answered,
follow-through on sequences, late, format errors, a hanging and a hostile solution.py, an
absent student, an empty and a tampered submission. Nothing here grades anything.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from grader.app.fabricate import demo_roster
from grader.outputs.reports.student import ExercisePrompt
from grader.grading.results import (
    CaseResult,
    ExerciseResult,
    LateInfo,
    PartResult,
    PartStatus,
    StudentResult,
)
from grader.kinds import runs_code

ASSIGNMENT = "demo-week-1"
EXERCISES = (("info-kl-divergence", 4.0), ("la-eigen-symmetric", 6.0),
             ("opt-gradient-descent", 6.0), ("prob-bayes", 5.0), ("ml-perceptron", 7.0),
             ("info-entropy", 4.0), ("impl-softmax", 10.0))
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
# The demo course's students and personas, and two the demo has no submission for.
ROSTER = (*demo_roster(), ("s013", "Eve Tamper", "tampered"), ("s014", "Empty Hands", "empty"))
PERSONAS = ("right", "mistakes", "partial", "followthrough", "late", "format", "hanging",
            "hostile", "absent", "tampered", "empty")


def sample_class(n: int | None = None, *, seed: int = 0, variants_per_exercise: int = 4
                 ) -> tuple[list[StudentResult], dict[str, dict[str, ExercisePrompt]]]:
    """(results, prompts by folder): the fixed 14-student class, or n seeded random students."""
    pool = _variant_pool(variants_per_exercise)
    rng = random.Random(seed)
    if n is None:
        people = list(ROSTER)
    else:
        people = [(f"u{i:04d}", f"Student {i:04d}", rng.choices(
            PERSONAS, weights=(30, 20, 15, 5, 8, 5, 4, 2, 5, 1, 1))[0]) for i in range(n)]
    results, prompts = [], {}
    for i, (sid, name, persona) in enumerate(people):
        chosen = [(eid, pts, pool[eid][i % len(pool[eid])]) for eid, pts in EXERCISES]
        results.append(fabricate(sid, name, persona, chosen, random.Random(f"{seed}:{sid}")))
        prompts[sid] = {eid: ExercisePrompt(prompt=v.prompt, parts=dict(v.part_prompts))
                        for eid, _, (_, v) in chosen}
    return results, prompts


def _variant_pool(size: int) -> dict[str, list[tuple[Any, Any]]]:
    from grader.core.seeding import make_rng
    from grader.authoring.spec import find_exercise
    from grader.authoring.variant import make_variant

    pool = {}
    for eid, _ in EXERCISES:
        ex = find_exercise(eid)
        pool[eid] = [(ex, make_variant(ex, make_rng(k))) for k in range(size)]
    return pool


def fabricate(sid: str, name: str, persona: str, chosen: Sequence[tuple[str, float, Any]],
              rng: random.Random) -> StudentResult:
    """One student's result as the persona would have earned it."""
    base: dict[str, Any] = {
        "assignment_id": ASSIGNMENT, "student_id": sid, "name": name,
        "email": f"{sid}@example.edu", "folder": sid, "sandbox_level": "namespaces+seccomp",
        "grader_version": "0.1.0", "revealed": True, "max_score": sum(p for _, p, _ in chosen)}
    if persona in ("absent", "tampered", "empty"):
        note = {"absent": (), "empty": ("The submission held no answers.",),
                "tampered": ("answers.yaml does not match the sha256 in the manifest.",)}
        return StudentResult(status={"absent": "missing"}.get(persona, persona),  # type: ignore
                             score=0.0, raw_score=0.0, messages=note[persona], **base)
    exercises = tuple(_exercise(n, eid, pts, ex, var, persona, rng)
                      for n, (eid, pts, (ex, var)) in enumerate(chosen, 1))
    raw = sum(e.score for e in exercises)
    late = LateInfo("2026-12-02T02:59:00+00:00", "manifest", 2, 20.0) if persona == "late" \
        else LateInfo("2026-11-30T21:59:00+00:00", "manifest", 0, 0.0)
    return StudentResult(status="graded", score=raw * (1 - late.penalty_percent / 100),
                         raw_score=raw, exercises=exercises, late=late,
                         submission_sha256="9f2c" + "0" * 60, **base)


def _exercise(number: int, eid: str, points: float, ex: Any, var: Any, persona: str,
              rng: random.Random) -> ExerciseResult:
    parts = []
    for j, spec in enumerate(ex.parts):
        share = spec.points * points / ex.points
        if runs_code(spec):
            parts.append(_function_part(eid, spec, share, persona))
        else:
            parts.append(_numeric_part(eid, spec, share, var, persona, (number + j) % 2, rng))
    return ExerciseResult(eid, number, ex.title, sum(p.score for p in parts), points,
                          tuple(parts))


def _numeric_part(eid: str, spec: Any, share: float, var: Any, persona: str, odd: int,
                  rng: random.Random) -> PartResult:
    expected = var.answers[spec.id]
    mistakes = var.mistakes.get(spec.id, ())
    common: dict[str, Any] = {"exercise_id": eid, "part_id": spec.id, "kind": spec.kind,
                              "max_score": share, "expected": expected}
    if persona in ("mistakes", "hostile") and mistakes and rng.random() < 0.8:
        m = mistakes[0]
        return PartResult(score=0.0, status="wrong", feedback=m.feedback, mistake=m.name,
                          answer=m.value, **common)
    if persona == "partial" and odd:
        return PartResult(score=0.0, status="missing", feedback="No answer was given.",
                          **common)
    if persona == "format" and odd:
        return PartResult(score=0.0, status="format_error", answer="about a half",
                          feedback="“about a half” is not a number: write 0.5 or 1/2.", **common)
    if persona == "hostile" and spec.kind == "scalar":
        return PartResult(score=0.0, status="format_error", answer=XSS,
                          feedback="This is not a number or an expression.", **common)
    if persona == "followthrough" and spec.kind == "sequence" and len(expected) > 1:
        return _follow_through(spec, share, expected, common)
    if persona == "mistakes" and rng.random() < 0.3:
        return PartResult(score=0.0, status="wrong", answer=_perturb(expected),
                          feedback="Not within tolerance of the expected answer.", **common)
    return PartResult(score=share, status="correct", feedback="Correct.", answer=expected,
                      **common)


def _follow_through(spec: Any, share: float, expected: list, common: dict) -> PartResult:
    n = len(expected)
    details = ("step 1: not correct",
               *(f"step {i + 1}: correct given your step {i} (follow-through)"
                 for i in range(1, n)))
    return PartResult(score=share * (n - 1) / n, status="partial",
                      feedback=(f"Step 1 is not right; steps 2 to {n} follow correctly from "
                                "your own step 1, so they earn follow-through credit."),
                      answer=[_perturb(expected[0]), *expected[1:]], details=details, **common)


def _perturb(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return round(value * 1.1 + 0.5, 4)
    if isinstance(value, list):
        return [_perturb(v) for v in value]
    if isinstance(value, dict):
        return {k: _perturb(v) if k != "point" else v for k, v in value.items()}
    return value


def _function_part(eid: str, spec: Any, share: float, persona: str) -> PartResult:
    public = (CaseResult("example-1", "public", "passed", args=[[1.0, 2.0, 3.0]],
                         output=[0.0900306, 0.244728, 0.665241],
                         expected=[0.0900306, 0.244728, 0.665241]),
              CaseResult("example-2", "public", "passed", args=[[0.0, 0.0]], output=[0.5, 0.5],
                         expected=[0.5, 0.5]))
    hidden_ok = 10
    if persona == "hanging":
        public = (public[0], CaseResult("example-2", "public", "timeout", args=[[0.0, 0.0]],
                                        message="no result within 10 s"))
        hidden = _hidden(7, ("timeout", "no result within 10 s"), 3)
    elif persona in ("mistakes", "hostile", "format"):
        bad = "ZeroDivisionError: float division by zero (solution.py, line 7, in softmax)"
        public = (CaseResult("example-1", "public", "failed", args=[[1000.0, 0.0]],
                             output=[float("nan"), 0.0], expected=[1.0, 0.0],
                             message="returned nan at index 0"), public[1])
        hidden = _hidden(6, ("failed", "not within tolerance"), 3) + \
            (CaseResult("hidden-10", "hidden", "exception", message=bad),)
    else:
        hidden = _hidden(hidden_ok, ("failed", ""), 0)
    cases = public + hidden
    passed = sum(c.passed for c in cases)
    status: PartStatus = "correct" if passed == len(cases) else "partial" if passed else "wrong"
    return PartResult(eid, spec.id, spec.kind, share * passed / len(cases), share, status,
                      feedback=f"{passed} of {len(cases)} cases passed.", cases=cases)


def _hidden(ok: int, failure: tuple[str, str], bad: int) -> tuple[CaseResult, ...]:
    return tuple(CaseResult(f"hidden-{i + 1}", "hidden", "passed") for i in range(ok)) + tuple(
        CaseResult(f"hidden-{ok + i + 1}", "hidden", failure[0], message=failure[1])  # type: ignore
        for i in range(bad))
