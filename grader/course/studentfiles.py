"""The files a student receives: problems.html/.md, answers.yaml, solution.py, grader.json.

Nothing here may hold a reference answer, a hidden case or the secret: grader.json carries only
what `grader check` needs (ids, kinds, shapes, public cases).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from grader.authoring.cases import reference_value
from grader.kinds.base import PartFacts
from grader.student.documents import META, MetaAssignment, MetaExercise, MetaStudent, StudentMeta

ANSWERS_HELP = """\
# Fill every null with your answer, then run `grader check` in this folder.
# Numbers may be written as 0.25, 1/4, ln(2)/2, sqrt(2)/2, 2^3, inf or -inf; quote an
# expression that starts with a bracket or contains ': ' (e.g. "1/4" needs no quotes).
# Vectors are lists [1, 2, 3]; matrices are lists of rows [[1, 2], [3, 4]];
# true/false for yes-no questions."""


def student_files(assignment: Any, sset: Any, *, variant: str | None = None,
                  form: str = "folder") -> dict[Path, bytes]:
    """Every file of one student's folder, as bytes keyed by path relative to the output.

    `variant` is the key's fingerprint, written into grader.json so that grading can tell
    which generate run a handed-in problem set comes from. `form` "notebook" writes
    problems.ipynb in place of answers.yaml and solution.py (grader.course.notebook).
    """
    from grader.core.render import render
    from grader.core.timeview import time_view

    folder = Path(sset.student.folder)
    ctx = {"assignment": assignment, "sset": sset, "student": sset.student,
           "title": f"{assignment.title}: {sset.student.name or sset.student.id}",
           "examples": public_examples, "precision": precision, "time_view": time_view}
    files = {
        folder / "problems.html": render("problems.html", **ctx).encode(),
        folder / "problems.md": render("problems.md.j2", **ctx).encode(),
        folder / "answers.yaml": answers_yaml(assignment, sset).encode(),
        folder / META: meta_bytes(dataclasses.replace(student_meta(assignment, sset),
                                                      variant=variant)),
    }
    if form == "notebook":
        from grader.course.notebook import NOTEBOOK, notebook_bytes

        del files[folder / "answers.yaml"]
        files[folder / NOTEBOOK] = notebook_bytes(assignment, sset, files[folder / META],
                                                  public_examples)
        return files
    functions = [p.function for pe in sset.exercises for p in pe.exercise.parts if p.function]
    if functions:
        files[folder / "solution.py"] = render("solution.py.j2", functions=functions,
                                               **ctx).encode()
    return files


def public_examples(pe: Any, part: Any) -> list[tuple[str, str]]:
    """A function part's public cases as (call, expected result) texts for the problem set."""
    from grader.core.values import short

    fn = part.function
    return [(f"{fn.name}({', '.join(short(a, 200) for a in c.args)})",
             short(reference_value(fn, c), 200))
            for pid, c in pe.cases if pid == part.id and c.visibility == "public"]


def precision(part: Any) -> str:
    """How precise the part's answer must be, as the problem set and answers.yaml say it."""
    from grader.kinds import KINDS
    from grader.kinds.base import precision_text

    if part.function is not None:
        return f"results {precision_text(part.function.tolerance)}"
    if not getattr(KINDS.get(part.kind), "uses_tolerance", False):
        return "exact"
    return precision_text(part.tolerance)


def answers_yaml(assignment: Any, sset: Any) -> str:
    """answers.yaml: one mapping per exercise, every part null with a comment on its form."""
    from grader.kinds import KINDS, runs_code

    who = f"{sset.student.name} ({sset.student.id})" if sset.student.name else sset.student.id
    lines = [f"# {assignment.title}: answers for {who}", ANSWERS_HELP, ""]
    numeric = [pe for pe in sset.exercises
                if any(not runs_code(p) for p in pe.exercise.parts)]
    for pe in numeric:
        lines.append(f"# Exercise {pe.number}: {pe.exercise.title}")
        lines.append(f"{pe.exercise.id}:")
        for part in pe.exercise.parts:
            if runs_code(part):
                continue
            form = KINDS[part.kind].describe(part, pe.variant.answers[part.id])
            lines.append(f"  {part.id}: null  # {form}; {precision(part)}")
        lines.append("")
    if not numeric:
        lines.append("{}  # this assignment has no typed answers: see solution.py")
    return "\n".join(lines).rstrip() + "\n"


def _reference(part: Any, value: Any) -> Any:
    """The reference as grading compares it (numpy arrays as lists), for its shape only."""
    from grader.kinds import KINDS

    try:
        return KINDS[part.kind].normalise_reference(value, part)
    except (ValueError, TypeError, KeyError):
        return value  # validated when the spec loaded; a shape is then simply not checked


def student_meta(assignment: Any, sset: Any) -> StudentMeta:
    """What `grader check` and `grader submit` need, and nothing secret."""
    return StudentMeta(
        MetaAssignment(assignment.id, assignment.title,
                       assignment.due.isoformat() if assignment.due else None),
        MetaStudent(sset.student.id, sset.student.name),
        tuple(_meta_exercise(pe) for pe in sset.exercises))


def meta_bytes(meta: StudentMeta) -> bytes:
    """grader.json as written into the student's folder (sorted keys: same set, same bytes)."""
    return (json.dumps(meta.to_dict(), indent=1, ensure_ascii=False, sort_keys=True) +
            "\n").encode()


def _meta_exercise(pe: Any) -> MetaExercise:
    from grader.kinds import KINDS, runs_code

    parts = []
    for part in pe.exercise.parts:
        entry: dict[str, Any] = {"id": part.id, "kind": part.kind,
                                 "points": pe.part_points(part)}
        entry.update(KINDS[part.kind].meta_entry(part, _facts(pe, part, runs_code(part))))
        parts.append(entry)
    return MetaExercise(pe.exercise.id, tuple(parts), pe.number, pe.exercise.title, pe.points,
                        pe.exercise.source_hash)


def _facts(pe: Any, part: Any, code: bool) -> PartFacts:
    """What the part's kind needs to say what grader.json carries: public cases for code,
    the normalised reference (for its shape) and the integer answers for a typed part."""
    if code:
        return PartFacts(public=tuple((c.id, c.args, c.kwargs, reference_value(part.function, c))
                                      for pid, c in pe.cases
                                      if pid == part.id and c.visibility == "public"))
    answers = pe.variant.answers
    return PartFacts(reference=_reference(part, answers[part.id]),
                     others=tuple(answers[p.id] for p in pe.exercise.parts
                                  if p.kind == "integer"))
