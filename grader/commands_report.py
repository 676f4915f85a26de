"""`grader report DIR`: re-render the HTML reports from stored results, without regrading."""

from __future__ import annotations

from pathlib import Path

import click

from grader.cli import cli, handle_errors


@cli.command("report")
@click.argument("results_dir", metavar="DIR", type=click.Path(path_type=Path))
@handle_errors
def report_cmd(results_dir: Path) -> None:
    """Re-render every report page in DIR from its stored results, without regrading."""
    from grader.reports import report_command

    pages = report_command(results_dir)
    click.echo(f"wrote {len(pages) - 1} student reports and the class report "
               f"{results_dir / 'index.html'}")
