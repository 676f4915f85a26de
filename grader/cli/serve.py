"""`grader serve` (the instructor's course server) and the student's `login` and `status`."""

from __future__ import annotations

from pathlib import Path

import click

from grader.cli.errors import handle_errors


@click.command("serve")
@click.argument("assignment", type=click.Path())
@click.option("--key", required=True, type=click.Path(),
              help="The folder `grader generate` wrote (or its key/ folder).")
@click.option("--state", type=click.Path(),
              help="The server's state folder (database) [default: ./grader-state].")
@click.option("--database", envvar="GRADER_DATABASE", metavar="URL",
              help="A postgresql:// address (or $GRADER_DATABASE) instead of the SQLite file in "
                   "the state folder.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="0: any free port (the one taken is printed).")
@click.option("--jobs", type=click.IntRange(1, 512),
              help="Grading worker processes [default: one per core but one].")
@click.option("--tokens", "show_tokens", is_flag=True,
              help="Print every student's token and personal link, and do not start.")
@click.option("--csv", "csv_out", type=click.Path(),
              help="With --tokens: write them as CSV (for a mail merge) instead.")
@click.option("--url", help="With --tokens: the address students use [default: from --host "
                            "and --port].")
@click.option("--revoke", multiple=True, metavar="STUDENT",
              help="Invalidate a student's token (then --tokens prints the new one).")
@handle_errors
def serve_cmd(assignment: str, key: str, state: str | None, database: str | None, host: str,
              port: int,
              jobs: int | None, show_tokens: bool, csv_out: str | None, url: str | None,
              revoke: tuple[str, ...]) -> None:
    """Serve the course: students submit here and get their feedback at once."""
    from grader.server import run

    from grader.server.client import normal_url

    state_dir = Path(state) if state else None
    if show_tokens or revoke or csv_out:
        base = normal_url(url) if url else f"http://{host}:{port}"  # a bad --url: exit 2
        course, store = run.prepare(Path(assignment), Path(key), state_dir, database)
        for sid in revoke:
            click.echo(f"revoked the token of {sid} (generation {run.revoke(course, store, sid)})")
        if show_tokens or csv_out:
            _print_tokens(run.tokens(course, store, base), csv_out)
        return
    run.serve(Path(assignment), Path(key), state=state_dir, host=host, port=port, jobs=jobs,
              database=database, announce=lambda address: click.echo(
                  f"grader serve: {address} (state in {state_dir or run.STATE}); "
                  "Ctrl-C stops it"))


def _print_tokens(rows: list, csv_out: str | None) -> None:
    from grader.core.fsutil import atomic_write_text
    from grader.server import run

    if csv_out:
        atomic_write_text(Path(csv_out), run.tokens_csv(rows), mode=0o600)
        click.echo(f"Wrote {len(rows)} tokens to {csv_out} (keep it private).")
        return
    for r in rows:
        click.echo(f"{r.student_id}\t{r.token}\t{r.link}")


@click.command("login")
@click.argument("url")
@click.option("--token", required=True, help="The personal token your instructor sent you.")
@handle_errors
def login_cmd(url: str, token: str) -> None:
    """Remember your token for a course server (for `grader submit --to`)."""
    from grader.server import client

    me = client.login(url, token)
    who = "the instructor" if me.get("instructor") else me.get("student_id")
    click.echo(f"Signed in to {me.get('title')} as {who}; token saved in "
               f"{client.credentials_path()}.")


@click.command("status")
@click.argument("attempt", required=False, type=int)
@click.option("--to", "url", help="The course server [default: the last one you logged in to].")
@handle_errors
def status_cmd(attempt: int | None, url: str | None) -> None:
    """Your attempts on a course server, or one attempt's feedback."""
    from grader.server import client

    server, token = client.server_and_token(url)
    states = client.status(server, token, attempt)
    if not states:
        click.echo("No attempts yet.")
    for state in states if attempt is not None else states[-5:]:
        click.echo(client.describe(state, server) if attempt is not None else
                   f"{state['id']}\t{state['received_at']}\t{state['state']}\t"
                   f"{state.get('score')}/{state.get('max_score')}")
