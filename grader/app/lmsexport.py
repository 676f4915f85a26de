"""`grader export ASSIGNMENT --to TARGET --out DIR`: the assignment for another platform.

`grader export` has two forms, told apart by the option and checked against the first
argument: `--format NAME` exports a results folder (grader.app.export), `--to TARGET` an
assignment file. Mixing them up is a usage error that says which form was meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import UserError, display_path
from grader.core.fsutil import write_if_changed

# the targets built so far (docs/export.md)
TARGETS = ("jupyter", "moodle", "gradescope", "prairielearn", "canvas")
DEFAULT_POOL = 20


@dataclass(frozen=True)
class TargetResult:
    written: tuple[Path, ...]
    unchanged: int
    notes: tuple[str, ...]


def usage_problem(source: Path, *, fmt: str | None, to: str | None, out: Path | None,
                  roster: Path | None, key: Path | None = None) -> str | None:
    """What is wrong with how `grader export` was called, or None."""
    where = display_path(source)
    if fmt and to:
        return ("give either --format (export a results folder) or --to (export an assignment "
                "for another platform), not both")
    if not fmt and not to:
        return ("say what to export: `grader export RESULTS --format NAME` for a results folder, "
                "or `grader export ASSIGNMENT.yaml --to TARGET --out DIR` for an assignment")
    if to and source.is_dir():
        return (f"{where} is a folder; --to exports an assignment file (e.g. week3.yaml). To "
                "export a results folder, use --format.")
    if fmt and source.is_file():
        return (f"{where} is a file; --format exports a results folder (the --out of `grader "
                "grade`). To export this assignment for another platform, use --to TARGET.")
    if to and out is None:
        return f"--to {to} needs --out DIR, the folder to write into"
    if to == "gradescope" and key is None:
        return ("--to gradescope needs --key DIR, the folder `grader generate` wrote (the key "
                "and each student's grader.json go into the autograder)")
    if to == "jupyter" and roster is None:
        return "--to jupyter writes a personal notebook per student: give --roster roster.csv"
    if to and to != "jupyter" and roster is not None:
        return f"--roster is only for --to jupyter; {to} exports a pool of variants, no roster"
    return None


def export_assignment(assignment: Path, to: str, out: Path, *, pool: int = DEFAULT_POOL,
                      roster: Path | None = None, key: Path | None = None) -> TargetResult:
    """Write the assignment for platform `to` into `out` (same inputs, same bytes)."""
    if not assignment.is_file():
        raise UserError(f"{display_path(assignment)}: no such assignment file")
    if to == "jupyter":
        from grader.course.generate import generate

        assert roster is not None  # usage_problem insists
        res = generate(assignment, roster, out, form="notebook")
        return TargetResult((out,), res.unchanged, res.notes)
    if to == "gradescope":
        from grader.outputs.targets import gradescope

        assert key is not None  # usage_problem insists
        files = {Path(gradescope.FILENAME): gradescope.build_zip(assignment, key)}
        notes: tuple[str, ...] = ()
    else:
        files, notes = _pool_target(to, assignment, pool)
    written = [out / rel for rel, data in files.items() if write_if_changed(out / rel, data)]
    return TargetResult(tuple(written), len(files) - len(written), notes)


def _pool_target(to: str, assignment: Path, size: int) -> tuple[dict[Path, bytes],
                                                                   tuple[str, ...]]:
    """The files of a target built from a pool of variants (moodle, prairielearn, canvas)."""
    from grader.outputs.targets import canvas, moodle, prairielearn
    from grader.outputs.targets.pool import build_pool

    pool = build_pool(assignment, size)
    if to == "moodle":
        built = moodle.export(pool)
        return built.files, built.notes
    return (prairielearn if to == "prairielearn" else canvas).export(pool)
