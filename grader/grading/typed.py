"""Typed parts: the student's answers.yaml, the recomputed references, one verdict per part.

References are recomputed from the key's stored parameters with the current solvers. When they
disagree with the answers stored at generation time (a solver was fixed, a spec changed), the
recomputed answer is used; the instructor is told the values, the student only that it happened.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.core.errors import UserError
from grader.course.documents import KeyExercise
from grader.kinds import KINDS, grade_raw
from grader.kinds.forms import count_is_answer
from grader.core.model import Exercise, GradeContext, MistakeValue, PartSpec, Verdict
from grader.grading.results import PartResult
from grader.student.submission import ANSWERS, Submission, shown
from grader.core.values import short, to_json, to_plain

MAX_SHOWN_ANSWER = 4000  # characters of a student's answer kept in the result
MAX_NOTES = 10  # notes on unknown answers.yaml entries


@dataclass(frozen=True)
class Answers:
    """A student's answers.yaml, or why there is none to read."""

    data: Mapping[str, Any] | None = None
    error: str | None = None  # answers.yaml cannot be read: every typed part is a format error
    absent: str | None = None  # nothing to read: every typed part is missing
    notes: tuple[str, ...] = ()

    @classmethod
    def nothing(cls, reason: str) -> Answers:
        return cls(absent=reason)

    def raw(self, exercise_id: str, part_id: str) -> tuple[Any, str | None]:
        """(what the student wrote, or a format error for the whole exercise block)."""
        block = (self.data or {}).get(exercise_id)
        if block is None:
            return None, None
        if not isinstance(block, dict):
            return None, (f"{ANSWERS}: the answers under {exercise_id} must be a mapping of part "
                          "ids to answers (e.g. `kl_pq: 0.05` on its own indented line)")
        return block.get(part_id), None


def unknown_entries(answers: Answers, exercises: Mapping[str, Exercise]) -> list[str]:
    """Notes on answers.yaml keys that name no exercise or part of this problem set."""
    notes = []
    for ex_id, block in (answers.data or {}).items():
        if ex_id not in exercises:
            notes.append(f"{ANSWERS}: unknown exercise '{shown(ex_id)}' (ignored)")
        elif isinstance(block, dict):
            known = {p.id for p in exercises[ex_id].parts}
            notes += [f"{ANSWERS}: {ex_id}: unknown part '{shown(pid)}' (ignored)"
                      for pid in block if pid not in known]
    if len(notes) > MAX_NOTES:  # a file of 100 000 made-up keys gets one line about them
        notes = notes[:MAX_NOTES] + [f"{ANSWERS}: ... and {len(notes) - MAX_NOTES} more "
                                     "unknown entries (ignored)"]
    return notes


def read_student_answers(sub: Submission | None) -> Answers:
    """Parse the submission's answers.yaml; a broken file is the student's format error."""
    from grader.student.submission import read_answers

    data = sub.files.get(ANSWERS) if sub is not None else None
    if data is None:
        return Answers.nothing(f"{ANSWERS} was not handed in.")
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        return Answers(error=f"{ANSWERS} is not UTF-8 text; save it as UTF-8")
    try:
        parsed, _ = read_answers(text, ANSWERS)
    except UserError as exc:
        return Answers(error=str(exc))
    return Answers(data=parsed)


@dataclass(frozen=True)
class ReferenceSet:
    """One exercise's recomputed answers and mistakes for a student's parameters."""

    exercise: Exercise
    params: Mapping[str, Any]
    answers: Mapping[str, Any]
    mistakes: Mapping[str, tuple[MistakeValue, ...]]
    warnings: tuple[str, ...] = ()  # for the instructor (may show values)
    student_notes: tuple[str, ...] = ()  # for the student (never shows a value)


def reference_set(exercise: Exercise, kex: KeyExercise) -> ReferenceSet:
    """Recompute the references from the stored parameters and compare with the stored ones."""
    from grader.authoring.variant import evaluate_mistakes, solve

    params, stored = kex.params, kex.answers
    warnings: list[str] = []
    try:
        answers = solve(exercise, params)
    except UserError as exc:
        warnings.append(f"{exercise.id}: the reference answers could not be recomputed ({exc}); "
                        "graded against the answers stored in the key")
        answers = dict(stored)
    notes = []
    for part_id, value in answers.items():
        if part_id in stored and _differs(exercise, part_id, stored[part_id], value):
            warnings.append(f"{exercise.id}.{part_id}: key mismatch: the stored answer "
                            f"{short(stored[part_id])} differs from the recomputed "
                            f"{short(value)}; graded against the recomputed answer")
            notes.append(f"The reference answer of {exercise.id}.{part_id} was recomputed and "
                         "differs from the one stored when your problem set was made; you were "
                         "graded against the recomputed answer.")
    try:
        mistakes = evaluate_mistakes(exercise, params)
    except UserError:
        mistakes = {}
    return ReferenceSet(exercise, params, answers, mistakes, tuple(warnings), tuple(notes))


def _differs(exercise: Exercise, part_id: str, stored: Any, value: Any) -> bool:
    try:
        part = exercise.part(part_id)
        kind = KINDS[part.kind]
        return bool(kind.differs(kind.normalise_reference(stored, part), value, part))
    except (KeyError, ValueError, TypeError):
        return True


def grade_typed(exercise: Exercise, part: PartSpec, points: float, refs: ReferenceSet,
                answers: Answers, revealed: bool) -> tuple[PartResult, str | None]:
    """One typed part's result (and an instructor warning when grading it failed internally)."""
    expected = refs.answers.get(part.id)
    raw, block_error = answers.raw(exercise.id, part.id)
    warning = None
    if expected is None:
        verdict = Verdict(0.0, "missing", "This part could not be graded (no reference answer); "
                                          "your instructor has been told.")
        warning = f"{exercise.id}.{part.id}: no reference answer to grade against"
    elif answers.absent is not None:
        verdict = Verdict(0.0, "missing", answers.absent)
    elif answers.error is not None or block_error is not None:
        verdict = Verdict(0.0, "format_error", answers.error or block_error or "")
    else:
        verdict, warning = _verdict(exercise, part, raw, expected, refs,
                                    count_hidden=not revealed and _count_is_answer(
                                        exercise, part, expected, refs))
    return PartResult(
        exercise_id=exercise.id, part_id=part.id, kind=part.kind,
        score=round(verdict.score * points, 4), max_score=points, status=verdict.status,
        feedback=verdict.feedback, mistake=verdict.mistake, answer=shown_answer(raw),
        expected=expected if revealed else None, details=tuple(verdict.details)), warning


def _count_is_answer(exercise: Exercise, part: PartSpec, expected: Any,
                     refs: ReferenceSet) -> bool:
    """Whether a sequence's length is graded in another part (so stating it would reveal it)."""
    return part.kind == "sequence" and count_is_answer(
        expected, [refs.answers.get(p.id) for p in exercise.parts if p.kind == "integer"])


def _verdict(exercise: Exercise, part: PartSpec, raw: Any, expected: Any,
             refs: ReferenceSet, *, count_hidden: bool = False) -> tuple[Verdict, str | None]:
    from grader.authoring.variant import grade_context

    mistakes = refs.mistakes.get(part.id, ())
    try:
        ctx = grade_context(exercise, part, refs.params, mistakes)
    except (UserError, ValueError, TypeError):
        ctx = GradeContext(mistakes=tuple(mistakes))
    ctx = dataclasses.replace(ctx, count_hidden=count_hidden)
    try:
        return grade_raw(part.kind, raw, expected, part, ctx), None
    except Exception as exc:
        return (Verdict(0.0, "wrong", "This answer could not be graded (an internal error); your "
                                      "instructor has been told."),
                # The message may quote the answer: escaped and cut for the terminal.
                f"{exercise.id}.{part.id}: grading raised {type(exc).__name__}: "
                f"{shown(str(exc))}")


def shown_answer(raw: Any) -> Any:
    """What the student wrote, as plain data for the result (long answers cut)."""
    try:
        value = to_plain(raw)
        text = to_json(value)
    except (TypeError, ValueError):
        value = text = str(raw)
    if len(text) > MAX_SHOWN_ANSWER:
        return text[:MAX_SHOWN_ANSWER] + "..."
    return value

