"""`grader gradebook rebuild DIR`: replace a damaged gradebook from the stored results."""

from __future__ import annotations

from pathlib import Path

import click

from grader.cli import cli, handle_errors


@cli.group("gradebook")
def gradebook_group() -> None:
    """Repair the gradebook of a results folder."""


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
