"""The student's commands: check the work, then hand it in."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli.errors import handle_errors
from grader.cli.grading import _finite
from grader.cli.options import unsafe_option


@click.command("check")
@click.argument("folder", default=".", type=click.Path())
@unsafe_option
@handle_errors
def check_cmd(folder: str) -> None:
    """Check your answers' form and run the public examples (never the hidden ones)."""
    from grader.student import check

    report = check.check(Path(folder))
    click.echo(check.format_report(report))
    from grader.sandbox.platform import level_lines

    for line in level_lines(report.sandbox_level):  # only when this check ran solution.py
        click.echo(line)
    if not report.ready:
        sys.exit(2)


@click.command("submit")
@click.argument("folder", default=".", type=click.Path())
@click.option("--out", type=click.Path(),
              help="Archive to write, or a folder to put it in (default: beside the folder).")
@click.option("--anyway", is_flag=True,
              help="Hand in even with unreadable typed answers (those parts score 0).")
@click.option("--to", "url", help="Upload it to this course server (`grader serve`) and print "
                                  "the feedback.")
@click.option("--wait", default=60.0, show_default=True, type=click.FloatRange(0, 86400),
              callback=_finite, help="With --to: seconds to wait for the feedback.")
@unsafe_option
@handle_errors
def submit_cmd(folder: str, out: str | None, anyway: bool, url: str | None,
               wait: float) -> None:
    """Check, then pack your work into an archive to hand in (or upload it with --to)."""
    from grader.student import check

    if url:
        from grader.server import client

        server, token = client.server_and_token(url)  # before the check: fail early
    target = check.submit(Path(folder), out=out, anyway=anyway,
                          echo=click.echo)  # str: keeps "dir/" a folder
    if not url:
        click.echo(f"Wrote {target}: hand in this file.")
        return
    receipt = client.upload(server, token, target)
    click.echo(f"Uploaded {target}: stored by the server at {receipt['received_at']}.")
    click.echo(client.describe(client.wait_for(server, token, receipt, wait=wait), server))
