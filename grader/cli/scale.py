"""`grader merge`: the results folders of `grade --shard K/N` runs as one (docs/scale.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli.errors import handle_errors
from grader.cli.grading import _finite, _path, export_options, report_lines
from grader.core.errors import EXIT_THRESHOLD


@click.command("merge")
@click.argument("shards", nargs=-1, required=True,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The merged results folder (as one unsharded `grader grade` writes it).")
@export_options
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PCT", callback=_finite,
              help="Exit 1 when a submitted result scores below PCT percent.")
@handle_errors
def merge_cmd(shards: tuple[Path, ...], out: Path, fail_under: float | None,
              **targets: str | None) -> None:
    """Merge the results folders of `grader grade --shard K/N` runs into one."""
    from grader.app.grade import threshold_failed
    from grader.app.merge import merge_shards

    result = merge_shards(list(shards), out, fail_under=fail_under,
                          exports_to={name: _path(path) for name, path in targets.items()})
    click.echo(f"merged {len(shards)} shards")
    for line in report_lines(result, out=str(out), fail_under=fail_under,
                             csv=targets.get("csv")):
        click.echo(line)
    if threshold_failed(result, fail_under):
        sys.exit(EXIT_THRESHOLD)
