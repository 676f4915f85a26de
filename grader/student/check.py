"""`grader check` and `grader submit`: the student's side.

check reads answers.yaml against grader.json: every part present or reported missing, each
answer readable and of the right form and shape; it runs the public examples of function
exercises in the sandbox. It never sees a hidden answer, so it never says "correct" about one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.core.errors import FormatError, UserError, display_path
from grader.core.model import HAND_TOLERANCE, PartSpec
from grader.student.documents import MetaExercise, StudentMeta
from grader.student.submission import (
    ANSWERS,
    META,
    SOLUTION,
    SUBMITTED,
    CheckReport,
    manifest_for,
    pack,
    read_answers,
    read_meta,
)
from grader.core.values import short
from grader.kinds import runs_code


def _part(entry: dict) -> PartSpec:
    return PartSpec(id=entry["id"], kind=entry["kind"], prompt="", solution=None,
                    points=entry.get("points", 1), tolerance=HAND_TOLERANCE,
                    options=entry.get("options") or {})


def check(folder: Path, *, run_code: bool = True) -> CheckReport:
    """Check a problem-set folder; UserError when answers.yaml cannot be read at all.

    A notebook (given, or the folder's only one when it has no answers.yaml or solution.py) is
    checked through the files its tagged cells stand for (grader.student.notebookcheck).
    """
    from grader.student.notebookcheck import check_notebook, notebook_to_check

    notebook = notebook_to_check(folder)
    if notebook is not None:
        return check_notebook(notebook, check, run_code=run_code)
    require_folder(folder, "check")
    meta = _read_meta(folder)
    report = CheckReport(folder)
    if any(not runs_code(p) for e in meta.exercises for p in e.parts):
        _check_answers(folder, meta, report)
    for ex in meta.exercises:
        for entry in ex.parts:
            if runs_code(entry):
                _check_function(folder, ex, entry, report, run_code=run_code)
    return report


def require_folder(folder: Path, command: str) -> None:
    """A file given where the problem-set folder is expected: say which folder to give instead."""
    if not folder.is_file():
        return
    where = display_path(folder)
    if folder.suffix.lower() == ".zip" and command == "submit":
        raise UserError(f"{where} is a file; give the folder of your problem set (the one holding "
                        "answers.yaml) to pack it; an archive `grader submit` made is ready to "
                        "hand in as it is")
    if folder.suffix.lower() == ".zip":
        raise UserError(f"{where} is a file; give the folder of your problem set (the one holding "
                        "answers.yaml), or to check an archive, unzip it into a folder and run "
                        "`grader check` on that folder")
    parent = display_path(folder.parent) or "."
    raise UserError(f"{where} is a file; give the folder that holds it: "
                    f"`grader {command} {parent}`")


def _read_meta(folder: Path) -> StudentMeta:
    """grader.json, or a message that points from a folder of problem sets into one of them."""
    try:
        return read_meta(folder)
    except UserError as exc:
        inside = sorted(p.parent.name for p in folder.glob("*/grader.json"))
        if (folder / "grader.json").exists() or not inside:
            raise
        shown = ", ".join(inside[:3]) + (", ..." if len(inside) > 3 else "")
        raise UserError(f"{exc}\nThis folder holds problem sets ({shown}): go into yours first, "
                        f"e.g. `cd {inside[0]}`.") from None


def _check_answers(folder: Path, meta: StudentMeta, report: CheckReport) -> None:
    path = folder / ANSWERS
    where = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{where}: not found; it came with your problem set") from None
    except UnicodeDecodeError:
        raise UserError(f"{where}: not UTF-8 text; save it as UTF-8") from None
    data, _ = read_answers(text, where)
    exercises = {e.id: e for e in meta.exercises}
    unknown = [k for k in data if k not in exercises]
    if unknown:
        listed = ", ".join(map(repr, unknown[:10])) + (", ..." if len(unknown) > 10 else "")
        raise UserError(f"{where}: unknown exercise {listed}; this "
                        f"problem set has: {', '.join(exercises)}")
    for ex in meta.exercises:
        given = data.get(ex.id)
        given = {} if given is None else given  # `ex: 0` is not a mapping, not "nothing yet"
        if not isinstance(given, dict):
            raise UserError(f"{where}: {ex.id}: expected a mapping of part ids to answers")
        extra = [k for k in given if k not in {p["id"] for p in ex.parts}]
        if extra:
            raise UserError(f"{where}: {ex.id}: unknown part {', '.join(map(repr, extra))}; "
                            f"the parts are: {', '.join(p['id'] for p in ex.parts)}")
        for entry in ex.parts:
            if not runs_code(entry):
                _check_part(ex, entry, given.get(entry["id"]), report)


def _check_part(ex: MetaExercise, entry: dict, raw: Any, report: CheckReport) -> None:
    from grader.kinds import KINDS

    label = f"{ex.id}.{entry['id']}"
    if raw is None:
        report.missing += 1
        report.lines.append(f"  missing  {label}: no answer yet")
        return
    try:
        value = KINDS[entry["kind"]].parse(raw, _part(entry))
    except FormatError as exc:
        report.errors += 1
        report.lines.append(f"  FORMAT   {label}: {exc}")
        return
    except (ValueError, TypeError, KeyError) as exc:  # the part's options in grader.json
        raise UserError(f"{META}: damaged ({label}: {exc}); copy it again from your problem "
                        "set") from None
    problem = shape_problem(value, entry.get("shape"), entry["kind"], fields=entry.get("fields"))
    if problem:
        report.errors += 1
        report.lines.append(f"  SHAPE    {label}: {problem}")
        return
    problem = number_problem(entry["kind"], value)
    if problem:  # nan is read as a number, yet never an answer: it would grade to 0
        report.errors += 1
        report.lines.append(f"  FORMAT   {label}: {problem}")
        return
    report.answered += 1
    report.lines.append(f"  ok       {label}: readable, right form")


def shape_problem(value: Any, shape: list[int] | None, kind: str, *,
                  fields: dict | None = None) -> str | None:
    """Why a parsed answer has the wrong shape for its part (None when it fits)."""
    from grader.kinds.forms import shape_problem as problem

    return problem(kind, value, shape, fields=fields if isinstance(fields, dict) else None)


def number_problem(kind: str, value: Any) -> str | None:
    """A number in a parsed answer that cannot be one (nan; inf for a count or direction)."""
    from grader.kinds.forms import number_problem as problem

    return problem(kind, value)


def _check_function(folder: Path, ex: MetaExercise, entry: dict, report: CheckReport, *,
                    run_code: bool) -> None:
    fn = entry["function"]
    label = f"{ex.id}: {fn['name']}"
    path = folder / SOLUTION
    if not path.is_file():
        report.errors += 1
        report.lines.append(f"  MISSING  {label}: {SOLUTION} not found")
        report.code_problems.append(f"{fn['name']} ({ex.id}): {SOLUTION} not found")
        return
    if not run_code:
        return
    lines, imported = run_public_examples(path.read_bytes(), fn)
    from grader.sandbox.pool import shared_level

    report.sandbox_level = shared_level()  # the pool that has just run it
    if not imported:  # it would score nothing on any case: not ready to submit
        report.errors += 1
        reason = lines[0].split(" does not import: ", 1)[-1].removeprefix(
            f"importing {SOLUTION} failed: ")
        report.code_problems.append(f"{fn['name']} ({ex.id}): {SOLUTION} does not import: "
                                    f"{reason}")
    report.lines += [f"  {line}" for line in lines]


def run_public_examples(source: bytes, fn: dict) -> tuple[list[str], bool]:
    """Run the public cases in the sandbox: a line per outcome, and whether the file imported.

    The sandbox needs Linux (fork, rlimits, prctl). Elsewhere (a student's Windows or macOS
    laptop) the examples are skipped with a note: they still run when the work is graded.
    """
    try:
        return _run_public_examples(source, fn)
    except UserError:
        raise
    except (ImportError, AttributeError, NotImplementedError, OSError) as exc:
        import platform

        return [f"SKIPPED  {fn['name']}: the public examples cannot run on this computer "
                f"({platform.system()}: {type(exc).__name__}); they run when your work is "
                "graded"], True


def _run_public_examples(source: bytes, fn: dict) -> tuple[list[str], bool]:
    from grader.sandbox import Limits, run_cases
    from grader.core.values import from_json, to_json

    cases = [(c["id"], from_json(to_json(c["args"])), c.get("kwargs") or {})
             for c in fn["public"]]
    case_by_id = {c["id"]: c for c in fn["public"]}
    # The limits grading uses (engine.limits_for): the function's own limit per case (and for
    # the import), under the assignment's wall clock, so that messages name the configured
    # limits; a wall clock grown with the number of cases said "9 s", then "7 s".
    wall = Limits().wall_seconds  # the assignment's default: problem sets do not carry it
    per_case = min(float(fn.get("time_limit", 2.0)), wall)
    run = run_cases({SOLUTION: source}, fn["name"], cases,
                    limits=Limits(wall_seconds=wall, cpu_seconds=int(wall) + 1,
                                  per_case_seconds=per_case))
    lines = []
    if run.import_error:
        from grader.sandbox.messages import import_message

        return [f"ERROR    {fn['name']}: {SOLUTION} does not import: "
                f"{import_message(run.import_error)}"], False
    for cid, args, _ in cases:
        out = run.outcomes.get(cid)
        call = f"{fn['name']}({', '.join(map(short, args))})"
        if out is None or out.status != "ok":
            msg = out.message if out else "not run"
            if out is not None and out.status == "exception":  # the student's text, cut
                from grader.sandbox.messages import raised_message

                msg = raised_message(msg)
            lines.append(f"ERROR    {call}: {msg}")
        else:
            lines.append(_public_line(call, out.value, case_by_id[cid], fn))
    return lines, True


def _public_line(call: str, value: Any, case: dict, fn: dict) -> str:
    """'passed'/'DIFFERS' for a public example whose expected value is known, else 'ran'."""
    from grader.core.model import Tolerance
    from grader.core.values import from_json, to_json
    from grader.kinds.function import judge

    if "expected" not in case:  # a problem set generated before expected values were stored
        return f"ran      {call} -> {short(value)}"
    expected = from_json(to_json(case["expected"]))
    tol = Tolerance(**fn.get("tolerance", {"rtol": 1e-6, "atol": 1e-9}))
    verdict = judge(value, expected, fn.get("returns", "scalar"), tol)
    if verdict.passed:
        return f"passed   {call} -> {short(value)}"
    # The expected value is shown, so a plain wrong value needs no words; a wrong shape or a
    # named slip (a transposed matrix, a flipped sign) says what it is, as grading will.
    why = "" if verdict.what == "wrong value" else f" ({verdict.detail or verdict.what})"
    return f"DIFFERS  {call} -> {short(value)}, expected {short(expected)}{why}"


def submit(folder: Path, *, out: Path | str | None = None, anyway: bool = False,
           echo: Callable[[str], None] = lambda s: None) -> Path:
    """Check, then write a zip with a manifest (student, assignment, sha256 of each file, time).

    `out` is the archive to write, or the folder to put it in: an existing folder, or any path
    given with a trailing slash (`--out handin/`, kept as a str since a Path drops the slash).
    A solution.py that does not import does not stop it: at a deadline the typed answers must
    not be lost with it, so the archive is written with a loud warning. A typed answer that
    cannot be read stops it (it is quick to fix) unless `anyway`.
    """
    from grader.core.fsutil import atomic_write_bytes
    from grader.student.notebookcheck import notebook_files, notebook_to_check

    notebook = notebook_to_check(folder)
    if notebook is None:
        require_folder(folder, "submit")
    report = check(folder)
    for line in report.lines:
        echo(line)
    typed = report.errors - len(report.code_problems)
    if typed and not anyway:
        where = display_path(folder)
        where = "" if where in ("", ".") else f"{where}: "  # `grader submit` run in the folder
        raise UserError(f"{where}{typed} problem(s) to fix before submitting (see above); "
                        "nothing was written. To hand in as it is (those parts score 0), run "
                        "`grader submit --anyway`")
    if notebook is not None:  # the files the notebook's tagged cells stand for, as graded
        files, meta = notebook_files(notebook)
        folder = notebook.parent
    else:
        meta = _read_meta(folder)
        files = {n: (folder / n).read_bytes() for n in SUBMITTED if (folder / n).is_file()}
    manifest = manifest_for(files, meta)
    here = folder.resolve()  # `grader submit` in the folder itself: Path(".").parent is "."
    name = f"{meta.assignment.id}-{here.name}.zip"
    target = _archive_path(out, here.parent / name)
    atomic_write_bytes(target, pack(files, manifest))
    for line in submit_warnings(report, anyway=anyway):
        echo(line)
    return target


def submit_warnings(report: CheckReport, *, anyway: bool = False) -> list[str]:
    """The loud lines after an archive written with problems: what will score 0, how to fix."""
    if not report.code_problems and not (anyway and report.errors):
        return []
    lines = ["", "WARNING " + "!" * 60]
    for problem in report.code_problems:
        lines.append(f"WARNING: {problem}")
    if report.code_problems:
        line = _syntax_line(report.code_problems)
        fix = f"fix line {line} of {SOLUTION}" if line else f"fix {SOLUTION}"
        lines.append("WARNING: the archive was written so that your typed answers count, but "
                     f"these function parts will score 0 unless you {fix}, run `grader check`, "
                     "then `grader submit` again and hand in the new archive before the "
                     "deadline.")
    if anyway and report.errors > len(report.code_problems):
        lines.append("WARNING: the answers marked FORMAT or SHAPE above were handed in as "
                     "they are and will score 0.")
    return lines + ["WARNING " + "!" * 60]


def _syntax_line(problems: list[str]) -> str | None:
    """The line number the sandbox named in an import error ('(solution.py, line 7)')."""
    import re

    for problem in problems:
        found = re.search(rf"\({re.escape(SOLUTION)}, line (\d+)", problem)
        if found:
            return found.group(1)
    return None


def _archive_path(out: Path | str | None, default: Path) -> Path:
    """Where the archive goes: `default`, `out`, or inside `out` when it names a folder."""
    if out is None:
        return default
    folder = str(out).endswith(("/", os.sep)) or Path(out).is_dir()  # `--out ~/handin/`
    target = Path(out) / default.name if folder else Path(out)
    if target.exists() and target.suffix.lower() != ".zip":  # an earlier archive may go
        raise UserError(f"{display_path(target)}: exists and is not an archive; nothing was "
                        "written. Give a new name ending in .zip, or a folder to put it in.")
    return target


def format_report(report: CheckReport) -> str:
    """The friendly summary printed by `grader check`."""
    lines = [f"Checked {display_path(report.folder) or '.'}:"] + report.lines
    # A public example that raised or timed out does not block submitting, but must be said.
    failing = sum(1 for line in report.lines if line.split()[:1] == ["ERROR"])
    differing = sum(1 for line in report.lines if line.split()[:1] == ["DIFFERS"])
    if report.errors:
        lines.append(f"{report.errors} problem(s) to fix before you submit.")
        if report.code_problems:  # said now, so nobody gives up on handing in at 23:58
            lines.append(f"{SOLUTION} does not import: `grader submit` still hands in your "
                         "typed answers, but every function part scores 0 until it does.")
    elif report.missing and not report.answered:
        code = " and write your functions in solution.py" if failing else ""
        lines.append(f"Nothing answered yet: replace the nulls in answers.yaml with your "
                     f"answers{code}, then run grader check again.")
    else:
        note = f", {report.missing} left unanswered" if report.missing else ""
        what = f"{report.answered} answer(s) readable{note}" if report.answered or note \
            else "solution.py imports"
        lines.append(f"Ready to submit: {what}. "
                     "This checked the form of your answers only, not whether they are right.")
        if failing:
            lines.append(f"{failing} public example(s) did not run through (ERROR above); a "
                         "case that raises or runs out of time earns nothing when graded.")
        if differing:
            lines.append(f"{differing} public example(s) returned a different value (DIFFERS "
                         "above): the hidden cases are likely to differ too.")
    if report.folder.suffix.lower() == ".ipynb":  # a notebook has cells, not these files
        from grader.student.notebookcheck import notebook_wording

        lines = [notebook_wording(line, report.folder.name) for line in lines]
    return "\n".join(lines)
