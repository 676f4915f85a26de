"""`grader demo`: a small course, end to end, in one folder.

Writes an assignment over several topics and a roster of a dozen students, generates their
problem sets, fabricates realistic submissions (right, partly right, typical mistakes, format
errors, late, a broken and a hanging solution.py), grades them and says where everything is.
The demo's secret is fixed, so the demo is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.app.fabricate import DEMO_DATA, Course
from grader.course.documents import KeyDocument
from grader.core.fsutil import atomic_write_bytes, atomic_write_text

DEMO_SECRET = "grader-demo-secret: not for real courses"


@dataclass(frozen=True)
class DemoResult:
    root: Path
    problem_sets: Path
    submissions: Path
    results: Path | None
    students: int
    summary: Any = None


def setup_course(root: Path) -> tuple[Path, Path]:
    """Copy the demo assignment and roster into root; write the demo secret beside them."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("assignment.yaml", "roster.csv"):
        atomic_write_bytes(root / name, (DEMO_DATA / name).read_bytes())
    atomic_write_text(root / "secret.txt", DEMO_SECRET + "\n", mode=0o600)
    return root / "assignment.yaml", root / "roster.csv"


def run_demo(root: Path, *, echo: Callable[[str], None] = lambda s: None,
             grade: bool = True, jobs: int | None = None) -> DemoResult:
    """Set up the course, generate, fabricate submissions and grade them."""
    from grader.course.generate import generate

    assignment, roster = setup_course(root)
    build = root / "problem-sets"
    result = generate(assignment, roster, build)
    echo(f"generated {result.students} problem sets in {build}")
    course = Course.open(root, build=build.name, subs="submissions")
    subs = course.subs
    fabricate_submissions(course)
    echo(f"fabricated {result.students - 1} submissions in {subs} (one student handed in nothing)")
    if not grade:
        return DemoResult(root, build, subs, None, result.students)
    from grader.app.grade import grade_assignment

    out = root / "results"
    summary = grade_assignment(assignment, subs, out, key_dir=build / "key", jobs=jobs,
                               exports_to={"csv": out / "gradebook.csv",
                                           "junit": out / "junit.xml"})
    return DemoResult(root, build, subs, out, result.students, summary)


def fabricate_submissions(course: Course) -> None:
    """One submission per student but the absent one, each following the persona in the
    roster: archives made at fixed times (one after the deadline), and an unreadable one handed
    in as a folder (`grader submit` refuses unreadable answers)."""
    from grader.course.assignment import load_assignment

    personas = _personas(course.root / "roster.csv")
    due = load_assignment(course.assignment).due or dt.datetime(2026, 1, 1,
                                                                tzinfo=dt.timezone.utc)
    for student in course.roster:
        sid = student["id"]
        persona = personas.get(sid, "right")
        if persona == "absent":
            continue
        answers = _answers(course.key(sid), persona)
        solution = (DEMO_DATA / f"solution_{_code(persona)}.py").read_text(encoding="utf-8") \
            if course.has_function(sid) else None
        if persona == "format":
            course.folder_submission(sid, answers, solution, when=due - dt.timedelta(hours=2))
            continue
        late = dt.timedelta(days=1, hours=3) if persona == "late" else -dt.timedelta(hours=2)
        course.archive(sid, answers, solution, due + late)


def _personas(roster: Path) -> dict[str, str]:
    import csv

    with roster.open(encoding="utf-8") as fh:
        return {row["id"]: row.get("persona", "right") for row in csv.DictReader(fh)}


def _code(persona: str) -> str:
    return {"right": "right", "late": "right", "mistakes": "wrong", "partial": "right",
            "format": "broken", "hanging": "hanging", "followthrough": "right",
            "hostile": "hostile"}.get(persona, "right")


def _answers(key: KeyDocument, persona: str) -> str:
    """answers.yaml as the persona would fill it, from the key's reference answers."""
    from grader.authoring.spec import find_exercise
    from grader.core.values import encode_json
    from grader.kinds import runs_code
    from grader.authoring.variant import evaluate_mistakes

    doc: dict[str, dict[str, Any]] = {}
    for i, ex in enumerate(key.exercises):
        exercise = find_exercise(ex.id)
        mistakes = evaluate_mistakes(exercise, ex.params)
        parts: dict[str, Any] = {}
        for j, part in enumerate(exercise.parts):
            if runs_code(part):
                continue
            answer = ex.answers[part.id]
            if persona == "mistakes" and mistakes.get(part.id):
                answer = mistakes[part.id][0].value
            elif persona == "partial" and (i + j) % 2:
                answer = None
            elif persona == "format" and j == 0:
                answer = "about a half"
            elif persona == "followthrough" and part.kind == "sequence" and answer:
                answer = _shift_first_step(answer)
            parts[part.id] = encode_json(answer)
        if parts:
            doc[ex.id] = parts
    return "# filled in by the demo\n" + json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _shift_first_step(steps: list) -> list:
    """A wrong first step, later steps copied from the key (graded with follow-through)."""
    first = steps[0]
    wrong: Any  # a dict, list or number, like the step it replaces
    if isinstance(first, dict):
        wrong = {k: (v + 1 if isinstance(v, (int, float)) and k != "point" else v)
                 for k, v in first.items()}
    elif isinstance(first, list):
        wrong = [v + 1 for v in first]
    else:
        wrong = first + 1
    return [wrong, *steps[1:]]


def describe(result: DemoResult) -> str:
    """Where to look, in the order a newcomer would want it."""
    sets, subs = result.problem_sets.name, result.submissions.name
    rows = [("assignment.yaml, roster.csv", "what the instructor wrote"),
            (f"{sets}/s001/problems.html", "a student's problem set (answers.yaml beside it)"),
            (f"{sets}/key/index.html",
             "the instructor key: a page per student with every variant and its solution"),
            (f"{subs}/", "what the students handed in")]
    if result.results:
        res = result.results.name
        rows += [(f"{res}/index.html", "the class report: open this one first"),
                 (f"{res}/s001.html", "a student's report (one per student)"),
                 (f"{res}/gradebook.csv, junit.xml", "for the LMS and for CI")]
    width = max(len(path) for path, _ in rows)
    lines = ["", f"The demo course is in {result.root}/:"]
    lines += [f"  {path:<{width}}  {what}" for path, what in rows]
    if result.summary is not None:
        from grader.outputs.reports.classstats import class_mean  # the class report's definition

        s = result.summary
        lines += ["", (f"Graded {len(s.results)} students (sandbox: {s.sandbox_level}); "
                       f"class {class_mean(s.results).text()}.")]
    return "\n".join(lines + next_steps())


# What a newcomer does after the demo: browse, preview, write a spec, generate for a roster.
# tests/unit/test_docs_demo.py runs these commands, so they cannot drift from the CLI.
NEXT_STEPS = [
    ("grader list", "the exercise library (docs/exercises.md)"),
    ("grader preview info-kl-divergence --seed 1", "one variant with its worked solution"),
    ("grader validate my-specs/", "your own exercises: YAML specs (docs/spec.md)"),
    ("export GRADER_SECRET=...", "your course's own secret (docs/assignment.md)"),
    ("grader generate week1.yaml --roster roster.csv --out build/",
     "a problem set per student on your roster"),
]


def next_steps() -> list[str]:
    """The demo's closing lines: what to do next, for a course of your own."""
    width = max(len(command) for command, _ in NEXT_STEPS[:-1])
    lines = ["", "Next, for a course of your own:"]
    for command, what in NEXT_STEPS:
        lines.append(f"  {command:<{width}}  {what}" if len(command) <= width
                     else f"  {command}\n  {'':<{width}}  {what}")
    lines += ["  week1.yaml: the demo's assignment.yaml with your exercises, your due date and",
              "  secret: {env: GRADER_SECRET} (the demo's secret is public)"]
    return lines
