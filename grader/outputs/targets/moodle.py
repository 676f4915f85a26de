"""Moodle XML for a question bank: per exercise a category of N Cloze (multi-answer) variants.

Each numeric part becomes NUMERICAL gaps (one per element of a vector or matrix): the key's
answer first at 100 %, then each of the spec's mistakes at 0 % with its feedback. Moodle takes
the first answer within tolerance, so a mistake never hides the right answer. grader's tolerance
(|x - a| <= atol + rtol |a|) becomes the absolute tolerance of that variant's answer. Yes/no
and choice parts become MULTICHOICE gaps. Parts Moodle cannot hold (functions, sets,
directions, step-by-step sequences, non-finite answers) are left out and listed in the notes.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import Any

from grader.outputs.targets.pool import Pool, PoolExercise, PoolVariant, tex_html

FILENAME = "moodle-questions.xml"
# Moodle's grade fractions (question_bank::fraction_options), in percent; no other is allowed.
MOODLE_FRACTIONS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
                    16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0)
NUMERIC_KINDS = ("scalar", "integer", "vector", "matrix")
CHOICE_KINDS = ("bool", "choice")
_CLOZE_SPECIAL = re.compile(r'([\\}#~/"])')


@dataclass(frozen=True)
class Export:
    files: dict[Path, bytes]
    notes: tuple[str, ...]


def export(pool: Pool) -> Export:
    """The whole question bank as one XML file, and notes on what was left out."""
    quiz = ET.Element("quiz")
    notes: list[str] = []
    for pe in pool.exercises:
        left_out = [p.id for p in pe.exercise.parts if not _supported(p, pe.variants[0])]
        if left_out:
            notes.append(f"{pe.exercise.id}: part(s) {', '.join(left_out)} are not exported "
                         "(Moodle cannot grade them as grader does)")
        if len(left_out) == len(pe.exercise.parts):
            continue
        quiz.append(_category(pool, pe))
        for pv in pe.variants:
            quiz.append(_question(pe, pv))
    ET.indent(quiz)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, "unicode").encode()
    return Export({Path(FILENAME): data + b"\n"}, tuple(notes))


def _supported(part: Any, pv: PoolVariant) -> bool:
    if part.kind in CHOICE_KINDS:
        return True
    if part.kind not in NUMERIC_KINDS:
        return False
    values = _flat(pv.variant.answers[part.id])
    return values is not None and all(math.isfinite(v) for v in values)


def _flat(value: Any) -> list[float] | None:
    """Every number of a scalar, vector or matrix, row by row; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return [float(value)]
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        out: list[float] = []
        for v in value:
            got = _flat(v)
            if got is None:
                return None
            out += got
        return out
    return None


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    ET.SubElement(el, "text").text = text
    return el


def _category(pool: Pool, pe: PoolExercise) -> ET.Element:
    q = ET.Element("question", {"type": "category"})
    _text(q, "category", f"$course$/top/{pool.assignment.id}/{pe.exercise.id}")
    _text(q, "info", f"{len(pe.variants)} variants of {pe.exercise.title}: add "
                     "\"1 random question from this category\" to the quiz.", format="html")
    return q


def _question(pe: PoolExercise, pv: PoolVariant) -> ET.Element:
    ex = pe.exercise
    q = ET.Element("question", {"type": "cloze"})
    _text(q, "name", f"{ex.id} #{pv.index}")
    body = [tex_html(pv.variant.prompt)]
    parts = [p for p in ex.parts if _supported(p, pv)]
    weights = _weights([p.points / len(_gaps_of(p, pv) or [0.0]) for p in parts])
    for part, weight in zip(parts, weights):
        body.append(_part_html(part, pv, weight))
    _text(q, "questiontext", "\n".join(body), format="html")
    _text(q, "generalfeedback", "", format="html")
    ET.SubElement(q, "defaultgrade").text = f"{pe.points:g}"
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = f"{ex.id}-{pv.index}"
    return q


def _gaps_of(part: Any, pv: PoolVariant) -> list[float] | None:
    return [0.0] if part.kind in CHOICE_KINDS else _flat(pv.variant.answers[part.id])


def _weights(per_gap: list[float]) -> list[int]:
    """Whole-number gap weights in the ratio of the points (Cloze weights are integers)."""
    raw = [max(1, round(p * 1000)) for p in per_gap]
    common = 0
    for r in raw:
        common = gcd(common, r)
    return [r // (common or 1) for r in raw]


def _part_html(part: Any, pv: PoolVariant, weight: int) -> str:
    prompt = tex_html(pv.variant.part_prompts.get(part.id) or "")
    head = f"<p><b>{part.id}</b> ({part.points:g} points)</p>\n{prompt}"
    if part.kind in CHOICE_KINDS:
        return f"{head}<p>{_choice_gap(part, pv, weight)}</p>"
    gaps = numeric_gaps(part, pv, weight)
    answer = pv.variant.answers[part.id]
    if part.kind == "matrix":
        cols = len(answer[0]) if answer else 1
        rows = [gaps[i:i + cols] for i in range(0, len(gaps), cols)]
        cells = "".join("<tr>" + "".join(f"<td>{g}</td>" for g in r) + "</tr>" for r in rows)
        return f"{head}<table>{cells}</table>"
    if part.kind == "vector":
        return f"{head}<p>[ {', '.join(gaps)} ]</p>"
    return f"{head}<p>{gaps[0]}</p>"


def tolerance(part: Any, answer: float) -> float:
    """grader's acceptance band around `answer` as Moodle's absolute tolerance."""
    if part.kind == "integer":
        return 0.0
    return part.tolerance.atol + part.tolerance.rtol * abs(answer)


def numeric_gaps(part: Any, pv: PoolVariant, weight: int) -> list[str]:
    """One `{w:NUMERICAL:=a:tol#...~%0%m:tol#feedback}` per element of the part's answer."""
    right = _flat(pv.variant.answers[part.id]) or []
    mistakes = [(m, _flat(m.value)) for m in pv.mistakes.get(part.id, ())]
    gaps = []
    for i, a in enumerate(right):
        tol = tolerance(part, a)
        answers = [f"={_num(a)}:{_num(tol)}#{_escape('Right.')}"]
        for m, values in mistakes:
            if values is None or len(values) != len(right) or not math.isfinite(values[i]):
                continue
            if abs(values[i] - a) <= tol:
                continue  # Moodle would never reach it: the right answer matches first
            answers.append(f"%0%{_num(values[i])}:{_num(tolerance(part, values[i]))}"
                           f"#{_escape(_tex(m.feedback))}")
        gaps.append(f"{{{weight}:NUMERICAL:{'~'.join(answers)}}}")
    return gaps


def _choice_gap(part: Any, pv: PoolVariant, weight: int) -> str:
    answer = pv.variant.answers[part.id]
    options = ["true", "false"] if part.kind == "bool" else \
        [str(c) for c in part.options.get("choices", [])]
    right = str(answer).lower() if part.kind == "bool" else str(answer)
    feedback = {str(m.value).lower() if part.kind == "bool" else str(m.value): m.feedback
                for m in pv.mistakes.get(part.id, ())}
    shown = [f"{'=' if o == right else '%0%'}{_escape(o)}"
             f"#{_escape(_tex(feedback.get(o, 'Right.' if o == right else '')))}"
             for o in options]
    return f"{{{weight}:MULTICHOICE:{'~'.join(shown)}}}"


def _num(x: float) -> str:
    return repr(float(x))


def _tex(text: str) -> str:
    """Feedback's $...$ math as the \\( \\) MathJax delimiters Moodle renders."""
    text = re.sub(r"\$\$(.+?)\$\$", r"\\[\1\\]", text, flags=re.S)
    return re.sub(r"\$(.+?)\$", r"\\(\1\\)", text, flags=re.S)


def _escape(text: str) -> str:
    """Characters that end or split a Cloze answer, backslash-escaped as Moodle reads them."""
    return _CLOZE_SPECIAL.sub(r"\\\1", " ".join(text.split()))
