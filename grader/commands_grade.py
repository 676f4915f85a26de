"""`grader grade`: options in, grade_assignment, a short report out (exit 1 under --fail-under)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from grader.cli import cli, handle_errors
from grader.errors import EXIT_THRESHOLD
from grader.progress import ProgressBar
from grader.sandbox.options import unsafe_option


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


@cli.command("grade")
@click.argument("assignment", type=click.Path(dir_okay=False))
@click.argument("submissions", type=click.Path())
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Results folder: <student>.json, gradebook.sqlite, gradebook.csv.")
@click.option("--key", type=click.Path(file_okay=False),
              help="The folder `grader generate` wrote (default: OUT/key or SUBMISSIONS/key).")
@click.option("--jobs", type=click.IntRange(1, 512), help="Parallel workers [default: all cores].")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False),
              help="Where to write the LMS gradebook CSV [default: OUT/gradebook.csv].")
@click.option("--junit", type=click.Path(dir_okay=False),
              help="Also write a JUnit XML report here.")
@click.option("--gradescope", type=click.Path(dir_okay=False),
              help="Also write Gradescope's results.json here.")
@click.option("--summary", type=click.Path(dir_okay=False),
              help="Also write a Markdown summary here ($GITHUB_STEP_SUMMARY gets it anyway).")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PCT",
              help="Exit 1 when a submitted result scores below PCT percent.")
@click.option("--force", is_flag=True, help="Regrade unchanged submissions too.")
@click.option("--allow-empty", is_flag=True,
              help="Grade even when SUBMISSIONS holds no submission (all recorded missing).")
@unsafe_option
@handle_errors
def grade_cmd(assignment: str, submissions: str, out: str, key: str | None, jobs: int | None,
              csv_file: str | None, junit: str | None, gradescope: str | None,
              summary: str | None, fail_under: float | None, force: bool,
              allow_empty: bool) -> None:
    """Grade a folder of submissions against the instructor key."""
    from grader.grading import grade_assignment, threshold_failed

    with ProgressBar("grading") as bar:
        result = grade_assignment(
            Path(assignment), Path(submissions), Path(out), key_dir=_path(key), jobs=jobs,
            csv=_path(csv_file), junit=_path(junit), gradescope=_path(gradescope),
            summary=_path(summary), fail_under=fail_under, force=force,
            allow_empty=allow_empty, progress=bar)
    for line in report_lines(result, out=out, fail_under=fail_under, csv=csv_file):
        click.echo(line)
    if threshold_failed(result, fail_under):
        sys.exit(EXIT_THRESHOLD)


def report_lines(result: Any, *, out: str, fail_under: float | None,
                 csv: str | None = None) -> list[str]:
    """What `grader grade` prints after the run."""
    from grader.grading.exports import num
    from grader.grading.summary import below
    from grader.reports.classstats import class_mean
    from grader.sandbox.platform import level_lines

    lines = [f"sandbox level: {result.sandbox_level}",
             f"graded {result.graded}, unchanged {result.skipped}"
             + (" (--force regrades them)" if result.skipped else "")]
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
