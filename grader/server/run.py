"""`grader serve`'s library side: start the server, list and revoke tokens.

Defaults live here; the CLI passes options through.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import UserError
from grader.server.course import Course, open_course, save_config
from grader.server.store import Store
from grader.server.tokens import instructor_token, student_token

HOST = "127.0.0.1"
PORT = 8000
STATE = Path("grader-state")


@dataclass(frozen=True)
class TokenRow:
    student_id: str
    name: str
    email: str
    token: str
    link: str


def prepare(assignment: Path, key: Path, state: Path | None = None,
            database: str | None = None) -> tuple[Course, Store]:
    """Load the course, record it in the state folder, open (and migrate) the store."""
    course = open_course(assignment, key, state or STATE, database)
    save_config(course)
    return course, Store(course.state_dir, database=database)


def serve(assignment: Path, key: Path, *, state: Path | None = None, host: str = HOST,
          port: int = PORT, jobs: int | None = None, database: str | None = None,
          announce: Callable[[str], None] = print) -> None:
    """Run the server (web process + grading worker) until interrupted; once the course is
    loaded and the address taken, tell `announce` the server's address."""
    try:
        import uvicorn

        from grader.server.app import create_app
    except ImportError as exc:
        raise UserError(f"grader serve needs {exc.name}: pip install 'dlmath-grader[serve]'") \
            from None

    course, _ = prepare(assignment, key, state, database)
    sock = listen(host, port)
    announce(f"http://{_url_host(host)}:{sock.getsockname()[1]}/")
    # no access log: a personal link's token would be written to it
    config = uvicorn.Config(create_app(course, jobs=jobs), host=host, port=port,
                            access_log=False, log_level="warning")
    with sock:
        uvicorn.Server(config).run(sockets=[sock])


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, or a UserError saying why it cannot be had (a host
    that is not this machine's or not known, a port in use or reserved)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except (OSError, OverflowError) as exc:
        why = exc.strerror.split(" (while")[0] if isinstance(exc, OSError) and exc.strerror \
            else exc
        raise UserError(f"--host {host} --port {port}: cannot listen there ({why}); give "
                        "this machine's address (127.0.0.1 by default) and a free port") \
            from None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def tokens(course: Course, store: Store, base_url: str) -> list[TokenRow]:
    """Every student's current token and personal link, then the instructor's."""
    base = base_url.rstrip("/")
    rows = []
    for k in course.keys.values():
        token = student_token(course.secret, course.assignment.id, k.id, store.generation(k.id))
        rows.append(TokenRow(k.id, k.name, k.email, token, f"{base}/login?token={token}"))
    token = instructor_token(course.secret, course.assignment.id)
    rows.append(TokenRow("(instructor)", "", "", token, f"{base}/login?token={token}"))
    return rows


def revoke(course: Course, store: Store, student_id: str) -> int:
    """Invalidate a student's token (a new one is printed by `grader serve --tokens`)."""
    if student_id not in course.keys:
        raise UserError(f"{student_id!r} is not on the roster of {course.assignment.id}")
    return store.revoke(student_id)


def tokens_csv(rows: list[TokenRow]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "name", "email", "token", "link"])
    for r in rows:
        writer.writerow([r.student_id, r.name, r.email, r.token, r.link])
    return buf.getvalue()
