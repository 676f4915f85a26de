"""A student's report page: scores at the top, then every part with its verdict and feedback."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypedDict

from grader.outputs.reports import views as V
from grader.outputs.reports.files import write_if_changed
from grader.grading.results import ExerciseResult, PartResult, StudentResult
from grader.core.timeview import time_view, timed_text
from grader.kinds import runs_code

NOT_GRADED_TEXT = {
    "missing": "No submission was received.",
    "empty": "The submission was empty: no answers and no solution.py were found.",
    "unknown_student": "This submission came from an id that is not on the roster.",
    "tampered": "The submission's files do not match its manifest, so it was not graded.",
}


_STEP = re.compile(r"step (\d+):")


class ExercisePrompt(TypedDict):
    """The problem text of one exercise as the student saw it (Markdown with LaTeX math)."""

    prompt: str
    parts: dict[str, str]


Prompts = Mapping[str, ExercisePrompt]  # exercise id -> its prompt, for one student


@dataclass(frozen=True)
class PartView:
    result: PartResult
    prompt: str
    status_text: str
    answer: V.ValueView | None
    expected: V.ValueView | None
    details: tuple[V.DetailView, ...]
    follow_through: bool
    public: tuple[V.CaseView, ...]
    hidden: V.HiddenView | None
    code: bool = False  # answered by code: shown as its cases, not as an answer and expected


@dataclass(frozen=True)
class ExerciseView:
    result: ExerciseResult
    prompt: str
    parts: tuple[PartView, ...]
    percent: float


def points(x: float) -> str:
    """Points as people write them: 3, 2.5, 3.33."""
    return "nan" if math.isnan(x) else f"{x:.2f}".rstrip("0").rstrip(".")


def percent(x: float) -> str:
    return f"{x:.0f}%"


def _step_tones(details: tuple[V.DetailView, ...]) -> dict[int, str]:
    """Step number -> tone, from notes such as "step 2: correct given your step 1 (...)"."""
    tones: dict[int, str] = {}
    for d in details:
        m = _STEP.match(d.text)
        if m:
            tones[int(m.group(1))] = d.tone
    return tones


def part_view(part: PartResult, prompt: str) -> PartView:
    details = tuple(V.detail_view(d) for d in part.details)
    answer = None if part.answer is None else V.value_view(part.answer, kind=part.kind)
    if answer is not None and answer.shape == "steps":
        tones = _step_tones(details)
        answer = replace(answer, tones=tuple(tones.get(i + 1, "") for i in
                                             range(len(answer.items))))
    return PartView(
        result=part, prompt=prompt, status_text=V.STATUS_TEXT.get(part.status, part.status),
        answer=answer,
        expected=None if part.expected is None else V.value_view(part.expected, kind=part.kind),
        details=details, follow_through=any(d.tone == "follow" for d in details),
        public=tuple(V.case_view(c) for c in part.cases if c.visibility == "public"),
        hidden=V.hidden_view([c for c in part.cases if c.visibility == "hidden"]),
        code=runs_code(part))


def exercise_view(ex: ExerciseResult, prompt: ExercisePrompt | None) -> ExerciseView:
    part_prompts = prompt.get("parts", {}) if prompt else {}
    parts = tuple(part_view(p, part_prompts.get(p.part_id, "")) for p in ex.parts)
    return ExerciseView(result=ex, prompt=prompt.get("prompt", "") if prompt else "", parts=parts,
                        percent=100 * ex.score / ex.max_score if ex.max_score else 0.0)


def _weak_sandbox_sentence(level: str) -> str:
    """What a weaker-than-full sandbox meant for this student's code ("" at the full level)."""
    from grader.sandbox.platform import level_gaps, level_sentence

    return level_sentence(level) if level_gaps(level) else ""


def student_context(result: StudentResult, *, prompts: Prompts | None = None,
                    assignment_title: str | None = None) -> dict[str, Any]:
    """Everything student_report.html needs."""
    prompts = prompts or {}
    title = assignment_title or result.assignment_id
    return {
        "title": f"{title}: {result.name or result.student_id}",
        "assignment_title": title,
        "r": result,
        "exercises": [exercise_view(e, prompts.get(e.id)) for e in result.exercises],
        "not_graded": NOT_GRADED_TEXT.get(result.status),
        "has_prompts": bool(prompts),
        "sandbox_sentence": _weak_sandbox_sentence(result.sandbox_level),
        "pts": points,
        "pct": percent,
        "time_view": time_view,
        "timed": timed_text,
    }


def render_student_report(result: StudentResult, *, prompts: Prompts | None = None,
                          assignment_title: str | None = None,
                          out_path: Path | None = None) -> str:
    """Render one student's report page; write it to out_path (atomically) when given."""
    from grader.core.render import render

    page = render("student_report.html",
                  **student_context(result, prompts=prompts, assignment_title=assignment_title))
    if out_path is not None:
        write_if_changed(Path(out_path), page)
    return page
