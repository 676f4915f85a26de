"""Typed parts: reading answers.yaml, recomputing references, reporting key mismatches."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from scipy.stats import entropy

from grader.grading.typed import (
    Answers,
    grade_typed,
    read_student_answers,
    reference_set,
    shown_answer,
    unknown_entries,
)
from grader.authoring.spec import find_exercise
from grader.course.documents import KeyExercise
from grader.student.submission import Submission

P, Q = [0.2, 0.1, 0.4, 0.3], [0.1, 0.3, 0.4, 0.2]


@pytest.fixture(scope="module")
def kl():
    return find_exercise("info-kl-divergence")


def kex(**answers: float) -> KeyExercise:
    return KeyExercise("info-kl-divergence", 1, 10.0, params={"n": 4, "p": P, "q": Q},
                       answers={"kl_pq": entropy(P, Q), "kl_qp": entropy(Q, P), **answers})


def sub(text: bytes | None) -> Submission:
    return Submission(Path("s"), {} if text is None else {"answers.yaml": text})


def test_references_are_recomputed_and_a_mismatch_reported(kl):
    refs = reference_set(kl, kex())
    assert refs.answers["kl_pq"] == pytest.approx(entropy(P, Q))
    assert refs.warnings == () and refs.student_notes == ()
    stale = reference_set(kl, kex(kl_qp=0.5))
    assert stale.answers["kl_qp"] == pytest.approx(entropy(Q, P))
    (warning,) = stale.warnings
    shown = repr(float(entropy(Q, P)))[:6]  # 0.1791...
    assert warning.startswith("info-kl-divergence.kl_qp: key mismatch: the stored answer 0.5 "
                              f"differs from the recomputed {shown}")
    assert shown not in stale.student_notes[0]  # the student is not shown the value
    broken = reference_set(kl, dataclasses.replace(kex(), params={"n": 4}))
    assert "could not be recomputed" in broken.warnings[0]
    assert broken.answers["kl_pq"] == pytest.approx(entropy(P, Q))  # the stored answers


def test_answers_file_problems_become_format_errors_or_missing(kl):
    assert read_student_answers(sub(None)).absent == "answers.yaml was not handed in."
    assert read_student_answers(sub(b"\xff\xfe")).error.startswith("answers.yaml is not UTF-8")
    bad = read_student_answers(sub(b"info-kl-divergence:\n  kl_pq: [1,\n"))
    assert bad.error is not None and "Fix the YAML in answers.yaml" in bad.error
    refs = reference_set(kl, kex())
    part = kl.part("kl_pq")
    result, warning = grade_typed(kl, part, 2.0, refs, bad, revealed=False)
    assert (result.status, result.score, warning) == ("format_error", 0.0, None)
    block = Answers(data={"info-kl-divergence": [0.1, 0.2]})
    result, _ = grade_typed(kl, part, 2.0, refs, block, revealed=False)
    assert result.status == "format_error" and "must be a mapping" in result.feedback


def test_a_typed_part_is_scored_by_its_points_and_reveals_only_when_allowed(kl):
    refs = reference_set(kl, kex())
    answers = read_student_answers(sub(
        f"info-kl-divergence:\n  kl_pq: {entropy(P, Q):.4f}\n  kl_qp: {entropy(P, Q)}\n".encode()))
    right, _ = grade_typed(kl, kl.part("kl_pq"), 3.0, refs, answers, revealed=False)
    assert (right.status, right.score, right.max_score, right.expected) == ("correct", 3.0, 3.0,
                                                                            None)
    swapped, _ = grade_typed(kl, kl.part("kl_qp"), 3.0, refs, answers, revealed=True)
    assert (swapped.status, swapped.mistake) == ("wrong", "directions swapped")
    assert swapped.expected == pytest.approx(entropy(Q, P))
    assert swapped.answer == pytest.approx(entropy(P, Q))


def test_unknown_exercises_and_parts_are_noted(kl):
    answers = Answers(data={"info-kl-divergence": {"kl_pq": 1, "kl_rs": 2}, "nope": {"a": 1}})
    assert unknown_entries(answers, {"info-kl-divergence": kl}) == [
        "answers.yaml: info-kl-divergence: unknown part 'kl_rs' (ignored)",
        "answers.yaml: unknown exercise 'nope' (ignored)"]


def test_shown_answer_keeps_plain_data_and_cuts_long_text():
    assert shown_answer([1, "1/2"]) == [1, "1/2"]
    assert shown_answer("x" * 5000).endswith("...")
    assert len(shown_answer("x" * 5000)) == 4003


# Li Hang, Statistical Learning Methods, example 2.1: 7 updates, w and b after each.
LI_HANG = [([3, 3], 1), ([2, 2], 0), ([1, 1], -1), ([0, 0], -2), ([3, 3], -1), ([2, 2], -2),
           ([1, 1], -3)]
LI_HANG_POINTS = [0, 2, 2, 2, 0, 2, 2]


def _perceptron_answers(steps: list[dict]) -> Answers:
    return Answers(data={"ml-perceptron": {"updates": steps}})


def _updates(count: int, extra: int = 0) -> list[dict]:
    steps = [{"point": i, "w": w, "b": b} for i, (w, b) in zip(LI_HANG_POINTS, LI_HANG)]
    return steps[:count] + [{"point": 0, "w": [9, 9], "b": 9}] * extra


@pytest.mark.parametrize("given", [_updates(5), _updates(7, extra=2), _updates(6),
                                   _updates(7, extra=1)])
def test_perceptron_feedback_never_states_the_graded_number_of_updates(given):
    """Issue 14: "You gave 9 steps; 7 were asked" gave n_updates away under reveal: never."""
    exercise = find_exercise("ml-perceptron")
    key = KeyExercise("ml-perceptron", 1, 7.0, params={"X": [[3, 3], [4, 3], [1, 1]],
                                                        "y": [1, 1, -1], "eta": 1})
    refs = reference_set(exercise, key)
    assert refs.answers["n_updates"] == 7
    part = exercise.part("updates")
    hidden, _ = grade_typed(exercise, part, 4.0, refs, _perceptron_answers(given), revealed=False)
    assert "of 7" not in hidden.feedback and "asked" not in hidden.feedback, hidden.feedback
    # Only the student's own steps are marked: where the answer ends is not shown either.
    assert [d.split(": ")[0] for d in hidden.details] == [f"step {i + 1}" for i in
                                                         range(len(given))]
    assert {d.split(": ")[1] for d in hidden.details} <= {"correct", "not correct"}
    assert hidden.mistake != "off by one iteration" and hidden.expected is None
    shown, _ = grade_typed(exercise, part, 4.0, refs, _perceptron_answers(given), revealed=True)
    assert "7 were asked" in shown.feedback  # the expected answer is shown anyway
