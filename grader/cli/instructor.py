"""The instructor's commands before grading: the library, specs, problem sets, the demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from grader.cli.errors import handle_errors
from grader.cli.progress import ProgressBar
from grader.cli.options import unsafe_option


@click.command("list")
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
    from grader.authoring import library

    rows = library.list_exercises(topic=topic, extra_dirs=[Path(p) for p in libraries])
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    elif as_markdown:
        click.echo(library.markdown_catalogue(rows), nl=False)
    else:
        click.echo(library.format_table(rows))


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--samples", default=50, show_default=True, type=click.IntRange(0, 100000),
              help="Variants to draw and check per exercise.")
@handle_errors
def validate_cmd(paths: tuple[str, ...], samples: int) -> None:
    """Lint specs and sample variants of each (default: the packaged library)."""
    from grader.authoring import validate

    report = validate.validate_paths([Path(p) for p in paths], samples=samples,
                                     progress=lambda line: click.echo(line))
    click.echo(report.summary())
    if not report.ok:
        sys.exit(2)


@click.command("preview")
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
    from grader.authoring import preview

    text = preview.preview(exercise_id, seed=seed, html=Path(html_out) if html_out else None,
                           extra_dirs=[Path(p) for p in libraries])
    click.echo(text)


@click.command("solve")
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
    from grader.authoring import preview

    click.echo(preview.solve_command(exercise_id, list(params), seed=seed, as_json=as_json,
                                     extra_dirs=[Path(p) for p in libraries]))


@click.command("schema")
@click.option("--kind", type=click.Choice(["exercise", "assignment"]), default="exercise",
              show_default=True)
@handle_errors
def schema_cmd(kind: str) -> None:
    """Print the path of the JSON Schema for editors."""
    from grader.authoring import library

    click.echo(str(library.schema_path(kind)))


@click.command("generate")
@click.argument("assignment", type=click.Path(dir_okay=False))
@click.option("--roster", required=True, type=click.Path(dir_okay=False),
              help="CSV with id, name, email.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--force", is_flag=True,
              help="Rewrite problem sets whose variants would change (another secret, "
                   "changed exercises); students must then get their new folders.")
@click.option("--format", "form", type=click.Choice(["folder", "notebook"]), default=None,
              help="folder (default): answers.yaml and solution.py; notebook: one Jupyter "
                   "notebook (problems.ipynb) per student in their place.")
@click.option("--key-only", is_flag=True,
              help="Write only the instructor key (OUT/key/: what `grader grade` reads), no "
                   "problem-set folders: for grading solution.py files you already have.")
@click.option("--only", "only", multiple=True, metavar="STUDENT",
              help="Write the problem-set folder of this student only (id or folder name; "
                   "repeatable), and the whole key.")
@handle_errors
def generate_cmd(assignment: str, roster: str, out: str, force: bool, form: str | None,
                 key_only: bool, only: tuple[str, ...]) -> None:
    """Generate every student's problem set and the instructor key."""
    from grader.course import generate

    folder = Path(out)  # "build/" and "build" alike print as "build/"
    who = _folders_wanted(key_only, only, form)
    with ProgressBar("generating", lines=False) as bar:
        result = generate.generate(Path(assignment), Path(roster), folder, force=force,
                                   progress=bar, form=form or "folder", only=who)
    click.echo(_summary(result, folder))
    for note in result.notes:
        click.echo(note)


def _summary(result: Any, folder: Path) -> str:
    counts = f"{result.written} files written, {result.unchanged} unchanged"
    key = f"{folder / 'key'}/ (keep it from students)"
    if result.folders is None:
        return f"{result.students} problem sets in {folder}/ ({counts}); instructor key in {key}"
    sets = f"{result.folders} problem set(s) in {folder}/" if result.folders else \
        "no problem-set folder written"
    return f"{sets} ({counts}); instructor key for {result.students} student(s) in {key}"


def _folders_wanted(key_only: bool, only: tuple[str, ...],
                    form: str | None) -> tuple[str, ...] | None:
    """The students whose folders generate writes (None: everyone's); bad combinations refused."""
    from grader.core.errors import UserError

    if key_only and only:
        raise UserError("--key-only writes no problem-set folder and --only writes some: "
                        "give one of them")
    if key_only and form:
        raise UserError(f"--key-only writes no problem sets, so --format {form} has nothing to "
                        "shape (the key is the same for every format): drop --format")
    return () if key_only else (only or None)


@click.command("demo")
@click.option("--out", default="demo-course", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo course.")
@click.option("--jobs", type=click.IntRange(1, 256), help="Parallel graders (default: all cores).")
@unsafe_option
@handle_errors
def demo_cmd(out: str, jobs: int | None) -> None:
    """Set up a small demo course, fabricate submissions, grade them, show where it all is."""
    from grader.app import demo

    result = demo.run_demo(Path(out), echo=click.echo, jobs=jobs)
    click.echo(demo.describe(result))
