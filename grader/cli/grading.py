"""Grading commands: `grade` (exit 1 under --fail-under), `report`, `gradebook rebuild` and
`gradebook compact` over a results folder."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Any, TypeVar

import click

from grader.cli.errors import handle_errors
from grader.core.errors import EXIT_THRESHOLD, UserError
from grader.cli.progress import ProgressBar
from grader.cli.options import unsafe_option

F = TypeVar("F", bound=Callable[..., Any])


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _finite(_ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """FloatRange lets nan through (every comparison with nan is false): refuse it (exit 2)."""
    if value is not None and math.isnan(value):
        bounds = param.type if isinstance(param.type, click.FloatRange) else None
        span = f" from {bounds.min:g} to {bounds.max:g}" if bounds and bounds.min is not None \
            and bounds.max is not None else ""
        raise click.BadParameter(f"must be a number{span}, not nan")
    return value


def _format_names() -> list[str]:
    from grader.outputs.formats import FORMATS

    return list(FORMATS)


def export_options(fn: F) -> F:
    """One `--NAME PATH` option per export format in the registry (grader.outputs.formats)."""
    from grader.outputs.formats import FORMATS

    for fmt in reversed(FORMATS.values()):
        fn = click.option(f"--{fmt.name}", fmt.name, type=click.Path(dir_okay=False),
                          help=fmt.help)(fn)
    return fn


def _shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from grader.grading.shard import parse_shard

    if value is None:
        return None
    try:
        return parse_shard(value)
    except UserError as exc:
        raise click.BadParameter(str(exc)) from None


def shard_option(fn: F) -> F:
    """`--shard K/N`: grade only the students of shard K of N (then `grader merge`)."""
    return click.option(
        "--shard", metavar="K/N", callback=_shard,
        help="Grade only shard K of N (students split by a hash of their id) into OUT; "
             "combine the N folders with `grader merge`.")(fn)


def _executor(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from grader.grading.executor import check_executor

    try:
        return check_executor(value)
    except UserError as exc:
        raise click.BadParameter(str(exc)) from None


def _scale_out(shard: Any, executor: str | None) -> dict[str, Any]:
    """--shard and --executor, passed on only when given (docs/scale.md)."""
    return {k: v for k, v in (("shard", shard), ("executor", executor)) if v is not None}


@click.command("grade")
@click.argument("assignment", type=click.Path(dir_okay=False))
@click.argument("submissions", type=click.Path())
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Results folder: <student>.json, gradebook.sqlite, gradebook.csv.")
@click.option("--key", type=click.Path(file_okay=False),
              help="The folder `grader generate` wrote (default: OUT/key or SUBMISSIONS/key).")
@click.option("--jobs", type=click.IntRange(1, 512), help="Parallel workers [default: all cores].")
@export_options
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PCT",
              callback=_finite,
              help="Exit 1 when a submitted result scores below PCT percent.")
@click.option("--force", is_flag=True, help="Regrade unchanged submissions too.")
@click.option("--allow-empty", is_flag=True,
              help="Grade even when SUBMISSIONS holds no submission (all recorded missing).")
@shard_option
@click.option("--executor", metavar="URL", callback=_executor,
              help="Where student code runs: local (this machine's cores, the default) or "
                   "dask://HOST:PORT (a Dask cluster's scheduler; needs grader[dask]).")
@unsafe_option
@handle_errors
def grade_cmd(assignment: str, submissions: str, out: str, key: str | None, jobs: int | None,
              fail_under: float | None, force: bool, allow_empty: bool, shard: Any,
              executor: str | None, **targets: str | None) -> None:
    """Grade a folder of submissions against the instructor key."""
    from grader.app.grade import grade_assignment, threshold_failed

    with ProgressBar("grading") as bar:
        result = grade_assignment(
            Path(assignment), Path(submissions), Path(out), key_dir=_path(key), jobs=jobs,
            exports_to={name: _path(path) for name, path in targets.items()},
            fail_under=fail_under, force=force,
            allow_empty=allow_empty, progress=bar,
            **_scale_out(shard, executor))
    for line in report_lines(result, out=out, fail_under=fail_under, csv=targets.get("csv")):
        click.echo(line)
    if threshold_failed(result, fail_under):
        sys.exit(EXIT_THRESHOLD)


def report_lines(result: Any, *, out: str, fail_under: float | None,
                 csv: str | None = None) -> list[str]:
    """What `grader grade` prints after the run."""
    from grader.outputs.exports import num
    from grader.outputs.summary import below
    from grader.outputs.reports.classstats import class_mean
    from grader.sandbox.platform import level_lines

    lines = [f"sandbox level: {result.sandbox_level}", _counts_line(result)]
    lines[1:1] = level_lines(result.sandbox_level)  # what the level meant, and the fix
    for student, old, new in result.changes:
        lines.append(f"changed: {student} {num(old)} -> {num(new)} ({new - old:+.4g})")
    lines += [f"warning: {w}" for w in result.warnings]
    lines += late_lines(result.results)
    folder = Path(out)  # "res/" and "res" alike print as "res/"
    mean = class_mean(result.results).text()  # the class report shows the same number
    lines.append(f"{len(result.results)} students, {mean}; results in "
                 f"{folder}/ (index.html: the class report; <student>.html and .json, "
                 f"gradebook.sqlite, {csv or 'gradebook.csv'})")
    if fail_under is not None:
        low = below(result, fail_under)
        if low:
            shown = ", ".join(f"{r.student_id} {r.percent:.1f}%" for r in low[:10])
            lines.append(f"fail-under {num(fail_under)}%: not met by {len(low)} ({shown})")
        else:
            lines.append(f"fail-under {num(fail_under)}%: met")
    return lines


def _counts_line(result: Any) -> str:
    """`graded N, missing M, unchanged K`: every student of the run in exactly one count.

    Students without a submission are counted as missing, whether their zero was given in this
    run or kept from the last one; `missing` is left out when there are none.
    """
    missing = sum(r.status == "missing" for r in result.results)
    kept_missing = max(missing - result.missing, 0)  # reused from the last run
    graded, unchanged = result.graded - result.missing, result.skipped - kept_missing
    return (f"graded {graded}" + (f", missing {missing}" if missing else "")
            + f", unchanged {unchanged}" + (" (--force regrades them)" if unchanged else ""))


def late_lines(results: Any) -> list[str]:
    """Who lost points to the late policy: a zero that is only a deadline should not surprise."""
    late = [r for r in results if r.late and r.late.days_late and r.late.penalty_percent]
    if not late:
        return []
    shown = ", ".join(f"{r.student_id} {r.late.days_late} d (-{r.late.penalty_percent:g}%)"
                      for r in late[:10])
    more = f", and {len(late) - 10} more" if len(late) > 10 else ""
    return [f"late: {len(late)} submission{'s' if len(late) != 1 else ''} lost points "
            f"({shown}{more}); the due date and late policy are in the assignment file"]


@click.command("report")
@click.argument("results_dir", metavar="DIR", type=click.Path(path_type=Path))
@handle_errors
def report_cmd(results_dir: Path) -> None:
    """Re-render every report page in DIR from its stored results, without regrading."""
    from grader.outputs.reports import report_command

    pages = report_command(results_dir)
    click.echo(f"wrote {len(pages) - 1} student reports and the class report "
               f"{results_dir / 'index.html'}")


@click.group("gradebook")
def gradebook_group() -> None:
    """Repair or compact the gradebook of a results folder."""


@gradebook_group.command("rebuild")
@click.argument("results_dir", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--empty", is_flag=True,
              help="Start a fresh, empty gradebook instead (every student is regraded).")
@handle_errors
def rebuild_cmd(results_dir: Path, empty: bool) -> None:
    """Rebuild DIR's damaged gradebook from DIR/<student>.json, keeping the damaged file."""
    from grader.grading.rebuild import rebuild_gradebook

    done = rebuild_gradebook(results_dir, empty=empty)
    kept = f"; the damaged file is kept as {done.kept}" if done.kept else ""
    what = "a fresh, empty gradebook" if empty else \
        f"rebuilt from {done.students} stored results"
    click.echo(f"{done.path}: {what}{kept}. The next `grader grade` regrades every student.")


@gradebook_group.command("compact")
@click.argument("results_dir", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--keep-runs", type=int, metavar="N",
              help="Also drop each student's results older than their latest N runs "
                   "[default: keep every result].")
@handle_errors
def compact_cmd(results_dir: Path, keep_runs: int | None) -> None:
    """Shrink DIR's gradebook: drop documents no result uses (and older results), VACUUM."""
    from grader.grading.compact import compact_gradebook

    done = compact_gradebook(results_dir, keep_runs=keep_runs)
    click.echo(f"{done.path}: removed {done.results} result{'s' * (done.results != 1)} of "
               f"older runs and {done.documents} unreferenced "
               f"document{'s' * (done.documents != 1)}; {_size(done.before)} -> "
               f"{_size(done.after)}")


def _size(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


@click.command("export")
@click.argument("source", metavar="RESULTS|ASSIGNMENT", type=click.Path(path_type=Path))
@click.option("--format", "name", type=click.Choice(sorted(_format_names())),
              help="Export a results folder in this format.")
@click.option("--to", "to", type=click.Choice(["jupyter", "moodle", "canvas", "prairielearn",
                                                    "gradescope"]),
              help="Export an assignment file for this platform (docs/export.md).")
@click.option("--out", "target", type=click.Path(path_type=Path),
              help="--format: file to write [default: RESULTS/<usual name>]; "
                   "--to: folder to write into.")
@click.option("--pool", type=click.IntRange(1, 500), default=20, show_default=True,
              help="--to moodle, canvas, prairielearn: variants per exercise.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="--to jupyter: the roster (one notebook per student).")
@click.option("--key", type=click.Path(file_okay=False, path_type=Path),
              help="--to gradescope: the folder `grader generate` wrote.")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PCT",
              callback=_finite,
              help="The threshold the summary reports against.")
@handle_errors
def export_cmd(source: Path, name: str | None, to: str | None, target: Path | None, pool: int,
               roster: Path | None, key: Path | None, fail_under: float | None) -> None:
    """Export a results folder (--format) or an assignment for another platform (--to)."""
    from grader.app.lmsexport import export_assignment, usage_problem
    from grader.core.errors import UserError

    problem = usage_problem(source, fmt=name, to=to, out=target, roster=roster, key=key)
    if problem:
        raise UserError(problem)
    if to is not None and target is not None:
        result = export_assignment(source, to, target, pool=pool, roster=roster, key=key)
        for line in [f"wrote {p}" for p in result.written] + list(result.notes):
            click.echo(line)
        return
    from grader.app.export import export_stored

    assert name is not None
    for path in export_stored(source, name, target, fail_under=fail_under):
        click.echo(f"wrote {path}")


@click.command("cases")
@click.argument("assignment", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--key", "key", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder `grader generate` wrote (it holds the hidden cases).")
@click.option("--student", required=True, metavar="ID",
              help="The student's id or folder name, as on the roster.")
@click.option("--html", "html", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the cases as a page (not inside a results folder).")
@click.option("--json", "as_json", is_flag=True, help="Print the cases as JSON.")
@unsafe_option
@handle_errors
def cases_cmd(assignment: Path, submissions: Path, key: Path, student: str, html: Path | None,
              as_json: bool) -> None:
    """Instructor only: run a student's functions on every case, hidden ones included."""
    from grader.app.cases import student_cases, text_lines, write_html
    from grader.core.values import to_json

    result = student_cases(assignment, submissions, key_dir=key, student=student)
    if html is not None:
        write_html(result, html)
    lines = [to_json(result.to_dict(), indent=1)] if as_json else text_lines(result)
    for line in lines + ([f"wrote {html} (instructor only)"] if html and not as_json else []):
        click.echo(line)
