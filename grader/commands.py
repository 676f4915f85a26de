"""The grader commands. Each parses options, calls one library function and prints its result."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from grader.cli import cli, handle_errors
from grader.progress import ProgressBar
from grader.sandbox.options import unsafe_option


@cli.command("list")
@click.option("--topic", help="Only this topic (e.g. information-theory).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--markdown", "as_markdown", is_flag=True,
              help="A Markdown catalogue (docs/exercises.md is this output).")
@click.option("--library", "libraries", multiple=True, type=click.Path(),
              help="Extra folder of specs (repeatable).")
@handle_errors
def list_cmd(topic: str | None, as_json: bool, as_markdown: bool,
             libraries: tuple[str, ...]) -> None:
    """List the exercises in the library."""
    from grader import library

    rows = library.list_exercises(topic=topic, extra_dirs=[Path(p) for p in libraries])
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    elif as_markdown:
        click.echo(library.markdown_catalogue(rows), nl=False)
    else:
        click.echo(library.format_table(rows))


@cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--samples", default=50, show_default=True, type=click.IntRange(0, 100000),
              help="Variants to draw and check per exercise.")
@handle_errors
def validate_cmd(paths: tuple[str, ...], samples: int) -> None:
    """Lint specs and sample variants of each (default: the packaged library)."""
    from grader import validate

    report = validate.validate_paths([Path(p) for p in paths], samples=samples,
                                     progress=lambda line: click.echo(line))
    click.echo(report.summary())
    if not report.ok:
        sys.exit(2)


@cli.command("preview")
@click.argument("exercise_id")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the variant.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False),
              help="Also write the variant as HTML (a file).")
@click.option("--library", "libraries", multiple=True, type=click.Path(),
              help="Extra folder of specs (repeatable).")
@handle_errors
def preview_cmd(exercise_id: str, seed: int, html_out: str | None,
                libraries: tuple[str, ...]) -> None:
    """Show one variant of an exercise with its solution."""
    from grader import preview

    text = preview.preview(exercise_id, seed=seed, html=Path(html_out) if html_out else None,
                           extra_dirs=[Path(p) for p in libraries])
    click.echo(text)


@cli.command("solve")
@click.argument("exercise_id")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value as a YAML/JSON literal (repeatable); others are drawn.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed for the parameters not given.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--library", "libraries", multiple=True, type=click.Path(),
              help="Extra folder of specs (repeatable).")
@handle_errors
def solve_cmd(exercise_id: str, params: tuple[str, ...], seed: int, as_json: bool,
              libraries: tuple[str, ...]) -> None:
    """Print the reference answers for given parameters."""
    from grader import preview

    click.echo(preview.solve_command(exercise_id, list(params), seed=seed, as_json=as_json,
                                     extra_dirs=[Path(p) for p in libraries]))


@cli.command("schema")
@click.option("--kind", type=click.Choice(["exercise", "assignment"]), default="exercise",
              show_default=True)
@handle_errors
def schema_cmd(kind: str) -> None:
    """Print the path of the JSON Schema for editors."""
    from grader import library

    click.echo(str(library.schema_path(kind)))


@cli.command("generate")
@click.argument("assignment", type=click.Path(dir_okay=False))
@click.option("--roster", required=True, type=click.Path(dir_okay=False),
              help="CSV with id, name, email.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--force", is_flag=True,
              help="Rewrite problem sets whose variants would change (another secret, "
                   "changed exercises); students must then get their new folders.")
@handle_errors
def generate_cmd(assignment: str, roster: str, out: str, force: bool) -> None:
    """Generate every student's problem set and the instructor key."""
    from grader import generate

    folder = Path(out)  # "build/" and "build" alike print as "build/"
    with ProgressBar("generating", lines=False) as bar:
        result = generate.generate(Path(assignment), Path(roster), folder, force=force,
                                   progress=bar)
    click.echo(f"{result.students} problem sets in {folder}/ ({result.written} files written, "
               f"{result.unchanged} unchanged); instructor key in {folder / 'key'}/ "
               "(keep it from students)")
    for note in result.notes:
        click.echo(note)


@cli.command("check")
@click.argument("folder", default=".", type=click.Path())
@unsafe_option
@handle_errors
def check_cmd(folder: str) -> None:
    """Check your answers' form and run the public examples (never the hidden ones)."""
    from grader import check

    report = check.check(Path(folder))
    click.echo(check.format_report(report))
    from grader.sandbox.platform import level_lines
    from grader.sandbox.pool import shared_level

    for line in level_lines(shared_level()):  # only when solution.py ran
        click.echo(line)
    if not report.ready:
        sys.exit(2)


@cli.command("submit")
@click.argument("folder", default=".", type=click.Path())
@click.option("--out", type=click.Path(),
              help="Archive to write, or a folder to put it in (default: beside the folder).")
@click.option("--anyway", is_flag=True,
              help="Hand in even with unreadable typed answers (those parts score 0).")
@unsafe_option
@handle_errors
def submit_cmd(folder: str, out: str | None, anyway: bool) -> None:
    """Check, then pack your work into an archive to hand in."""
    from grader import check

    target = check.submit(Path(folder), out=out, anyway=anyway,
                          echo=click.echo)  # str: keeps "dir/" a folder
    click.echo(f"Wrote {target}: hand in this file.")


@cli.command("demo")
@click.option("--out", default="demo-course", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo course.")
@click.option("--jobs", type=click.IntRange(1, 256), help="Parallel graders (default: all cores).")
@unsafe_option
@handle_errors
def demo_cmd(out: str, jobs: int | None) -> None:
    """Set up a small demo course, fabricate submissions, grade them, show where it all is."""
    from grader import demo

    result = demo.run_demo(Path(out), echo=click.echo, jobs=jobs)
    click.echo(demo.describe(result))


# Commands that live beside their subsystems register themselves on import.
from grader import commands_grade as _commands_grade  # noqa: E402,F401
from grader import commands_gradebook as _commands_gradebook  # noqa: E402,F401
from grader import commands_report as _commands_report  # noqa: E402,F401
