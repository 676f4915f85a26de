"""Write every report page of a results folder, from result objects or from the stored JSON.

Layout of a results folder (DIR):
    DIR/<folder>.json            one StudentResult each (written by grading)
    DIR/<folder>.html            the student's report            (written here)
    DIR/unknown/<folder>.*       the same for submitters who are not on the roster
    DIR/index.html               the class report                (written here)
    DIR/prompts/<folder>.json    the problem text each student saw: {exercise id: {"prompt":
                                 Markdown, "parts": {part id: Markdown}}} (written here when
                                 grading passes prompts, read back by `grader report`)
    DIR/prompts/_assignment.json {"id", "title"} of the assignment (same; folder names start with
                                 a letter or digit, so "_assignment" is never a student's)
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from grader.grading.stored import load_results
from grader.outputs import pages as layout
from grader.outputs.pages import (
    ASSIGNMENT_FILE,
    CLASS_STAMP,
    PROMPTS_DIR,
    assignment_text,
    page_href,
    read_stamp,
)
from grader.outputs.reports.classreport import render_class_report
from grader.outputs.reports.files import write_if_changed
from grader.outputs.reports.student import ExercisePrompt, Prompts, render_student_report
from grader.grading.results import StudentResult
from grader.core.values import from_json, to_json


def prompts_from_variants(variants: Iterable[Any]) -> dict[str, ExercisePrompt]:
    """One student's prompts from their Variants (what grading has after recomputing them)."""
    return {v.exercise_id: ExercisePrompt(prompt=v.prompt, parts=dict(v.part_prompts))
            for v in variants}


def prompts_from_params(exercises: Iterable[tuple[Any, Mapping[str, Any]]]
                        ) -> dict[str, ExercisePrompt]:
    """One student's prompts from (Exercise, the key's params) pairs: the text generation
    rendered, without solving anything again."""
    from grader.core.markup import render_prompt

    return {ex.id: ExercisePrompt(
        prompt=render_prompt(ex.prompt, params),
        parts={p.id: render_prompt(p.prompt, params) if p.prompt else "" for p in ex.parts})
        for ex, params in exercises}


def render_reports(results_dir: Path, *, results: Sequence[StudentResult] | None = None,
                   assignment: Any = None,
                   prompts: Mapping[str, Prompts] | None = None,
                   up_to_date: Collection[str] = (),
                   class_stamp: str | None = None) -> list[Path]:
    """Write DIR/<folder>.html for every student and DIR/index.html; return the pages' paths.

    results: default, read DIR/*.json. assignment: an Assignment (for its title) or None.
    prompts: student folder -> that student's prompts; stored in DIR/prompts/ for re-rendering,
    or, when None, read from there (pages render without prompts when there are none).
    up_to_date: folders whose page already exists and shows their unchanged result (a regrade
    that reused it): not rendered again, which was most of an unchanged regrade's time.
    class_stamp: a hash of what every result depends on (grade's fingerprints); index.html is
    not rendered again when it was rendered from the same stamp, the same title and id.
    """
    results_dir = Path(results_dir)
    ordered = sorted(load_results(results_dir) if results is None else results,
                     key=lambda r: (r.student_id, r.folder))
    if prompts is None:
        prompts = load_prompts(results_dir, [r.folder for r in ordered])
    else:
        save_prompts(results_dir, prompts)
    title = _assignment_title(results_dir, assignment)
    pages = []
    for r in ordered:
        path = results_dir / page_href(r)
        pages.append(path)
        if r.folder in up_to_date and path.is_file():
            continue
        render_student_report(r, prompts=prompts.get(r.folder), assignment_title=title,
                              out_path=path)
    index = results_dir / "index.html"
    aid = ordered[0].assignment_id if ordered else None
    stamp = layout.class_stamp(class_stamp, title, aid)
    if stamp is None or not index.is_file() or read_stamp(results_dir) != stamp:
        render_class_report(ordered, assignment_title=title, assignment_id=aid, out_path=index)
        _write_stamp(results_dir, stamp)
    return [*pages, index]


def _write_stamp(results_dir: Path, stamp: str | None) -> None:
    """Record what index.html was rendered from; a render without a stamp forgets it."""
    path = results_dir / CLASS_STAMP
    if stamp is None:
        path.unlink(missing_ok=True)
    else:
        write_if_changed(path, stamp + "\n")


def report_command(results_dir: Path) -> list[Path]:
    """Re-render every report page in DIR from its stored results, without regrading."""
    from grader.grading.runlock import results_lock

    if not Path(results_dir).is_dir():
        return render_reports(Path(results_dir))  # which says there is no such folder
    with results_lock(Path(results_dir), command="report"):  # a grade run may be writing
        return render_reports(Path(results_dir))


def save_prompts(results_dir: Path, prompts: Mapping[str, Prompts]) -> None:
    for folder, doc in prompts.items():
        data = to_json({eid: dict(p) for eid, p in sorted(doc.items())}, indent=1) + "\n"
        write_if_changed(results_dir / PROMPTS_DIR / f"{folder}.json", data)


def load_prompts(results_dir: Path, folders: Iterable[str]) -> dict[str, Prompts]:
    """The stored prompts of each student that has them; unreadable files are ignored (the
    report only loses its problem text, which the student also has in problems.html)."""
    out: dict[str, Prompts] = {}
    for folder in folders:
        path = results_dir / PROMPTS_DIR / f"{folder}.json"
        try:
            data = from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            out[folder] = {eid: ExercisePrompt(prompt=str(p.get("prompt", "")),
                                               parts={str(k): str(v) for k, v in
                                                      dict(p.get("parts", {})).items()})
                           for eid, p in data.items() if isinstance(p, dict)}
    return out


def _assignment_title(results_dir: Path, assignment: Any) -> str | None:
    """The assignment's title: from the Assignment given (and remembered), else remembered."""
    path = results_dir / PROMPTS_DIR / ASSIGNMENT_FILE
    if assignment is not None:
        write_if_changed(path, assignment_text(assignment))
        return str(assignment.title)
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["title"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
