"""`grader export DIR --format NAME`: one export of a results folder's stored results.

The same renderers as `grader grade --NAME` (grader.outputs.formats), over the results that
run stored: so an export made later, or in another format than the run asked for, needs no
regrading and no key. A results folder keeps no record of the run itself, so what only a run
knows (which totals changed, its warnings) is not in a summary exported later.
"""

from __future__ import annotations

from pathlib import Path

from grader.core.errors import UserError, display_path
from grader.grading.results import RunSummary
from grader.grading.runlock import results_lock
from grader.grading.stored import load_results
from grader.outputs import formats


def stored_run(results_dir: Path) -> RunSummary:
    """The stored results as a run: every submission counted as graded, no changes."""
    results = tuple(sorted(load_results(results_dir), key=lambda r: r.student_id))
    ids = {r.assignment_id for r in results if r.assignment_id}
    if len(ids) > 1:
        raise UserError(f"{display_path(results_dir)}: results of several assignments "
                        f"({', '.join(sorted(ids))}); export one results folder per assignment.")
    levels = sorted({r.sandbox_level for r in results if r.sandbox_level})
    graded = sum(r.status != "missing" for r in results)
    return RunSummary(ids.pop() if ids else "", results, graded, 0, ", ".join(levels))


def export_stored(results_dir: Path, name: str, target: Path | None = None, *,
                  fail_under: float | None = None) -> list[Path]:
    """Write format `name` of DIR's stored results to `target` (default: DIR/<usual name>)."""
    fmt = formats.FORMATS[name]
    path = target or results_dir / fmt.filename
    if not results_dir.is_dir():
        raise UserError(f"{display_path(results_dir)}: no such folder. Give the --out folder "
                        "of `grader grade`.")
    with results_lock(results_dir, command="grader export"):
        run = stored_run(results_dir)
        # The results keep the assignment's id, not its title: the summary is titled by id.
        ctx = formats.Context(run.assignment_id, run.assignment_id, fail_under)
        return formats.write(name, path, run, ctx)
