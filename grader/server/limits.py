"""The upload size cap, enforced on the raw request before anything parses it.

A declared Content-Length over the cap is refused at once (413); a body without one (chunked)
is counted as it arrives and cut off at the cap.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grader.student.submission import MAX_ARCHIVE_BYTES

# An archive at its cap plus a multipart envelope; a form's three files fit well inside it.
MAX_BODY = MAX_ARCHIVE_BYTES + (64 << 10)
TOO_LARGE = (f"the upload is larger than {MAX_BODY} bytes; hand in only answers.yaml, "
             "solution.py and grader.json (the archive `grader submit` writes)").encode()


class TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_body:
            await _refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            if not started:
                await _refuse(send)


async def _refuse(send: Send) -> None:
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(TOO_LARGE)).encode())]})
    await send({"type": "http.response.body", "body": TOO_LARGE})
