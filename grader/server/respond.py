"""Responses every page shares: security headers, a short message page, the one 404."""

from __future__ import annotations

from starlette.responses import HTMLResponse

from grader.core.render import render

HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
           "script-src 'unsafe-inline'; img-src data:; form-action 'self'; "
           "frame-ancestors 'none'; base-uri 'none'",
           "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


def html(page: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(page, status_code=status, headers=HEADERS)


def message(text: str, status: int, *, login: bool = False) -> HTMLResponse:
    return html(render("serve_message.html", title="grader", message=text, login=login), status)


def not_found() -> HTMLResponse:
    return message("Not found (or not yours). Sign in with your own personal link.", 404)
