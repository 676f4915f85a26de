"""Who is calling: a Bearer token (the CLI) or the session cookie (the browser), and CSRF.

The cookie holds the caller's token, HttpOnly and SameSite=Strict; every browser form carries a
CSRF field bound to that token (tokens.csrf_token), checked on POST. Bearer calls carry no
ambient credential, so they need no CSRF field.
"""

from __future__ import annotations

from starlette.requests import Request

from grader.server.course import Course
from grader.server.store import Store
from grader.server.tokens import Who, csrf_ok, identify

COOKIE = "grader_session"


def who(request: Request, course: Course, store: Store) -> Who | None:
    """The authenticated caller, or None."""
    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else \
        request.cookies.get(COOKIE, "")
    if not token:
        return None
    return identify(token, course.secret, course.assignment.id,
                    known=lambda sid: sid in course.keys, generation=store.generation)


def from_cookie(request: Request) -> bool:
    return not request.headers.get("authorization")


def form_ok(request: Request, course: Course, caller: Who, given: object) -> bool:
    """A browser form's CSRF field matches the caller's session (Bearer calls need none)."""
    if not from_cookie(request):
        return True
    return isinstance(given, str) and csrf_ok(course.secret, caller.token, given)
