"""The JSON routes `grader submit --to` and `grader status` use (Bearer token).

    POST /api/submissions        body: the archive; 201 {id, received_at, sha256, ...}
    GET  /api/submissions        the caller's attempts
    GET  /api/submissions/{id}   one of the caller's attempts, with feedback once graded
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from grader.server import auth
from grader.server.course import Course
from grader.server.feedback import feedback_text
from grader.server.intake import Refused, check_archive, limit_message
from grader.server.store import Attempt, LimitReached, Store


def api_routes() -> list[Route]:
    return [Route("/api/submissions", submit, methods=["POST"]),
            Route("/api/submissions", listing, methods=["GET"]),
            Route("/api/submissions/{number:int}", one, methods=["GET"]),
            Route("/api/whoami", whoami, methods=["GET"])]


def error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _context(request: Request) -> tuple[Course, Store]:
    return request.app.state.course, request.app.state.store


def store_upload(course: Course, store: Store, student_id: str, data: bytes,
                 via: str) -> Attempt:
    """Check an upload and store it durably (raises Refused); runs in a worker thread."""
    check_archive(data, student_id=student_id, assignment_id=course.assignment.id,
                  scratch=course.state_dir)
    try:
        return store.add_submission(
            student_id, data, via=via,
            allowed=lambda times: limit_message(course.assignment, times,
                                                dt.datetime.now(dt.timezone.utc)))
    except LimitReached as exc:
        raise Refused(str(exc), 429) from None


def describe(attempt: Attempt, store: Store | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": attempt.id, "student_id": attempt.student_id, "state": attempt.state,
        "received_at": attempt.received_at, "sha256": attempt.sha256, "size": attempt.size,
        "score": attempt.score, "max_score": attempt.max_score, "status": attempt.status,
        "status_url": f"/api/submissions/{attempt.id}",
        "report_url": f"/me/attempts/{attempt.id}"}
    if store is not None and attempt.state == "graded":
        stored = store.result(attempt.id)
        out["feedback"] = feedback_text(stored[0]) if stored else None
    return out


async def submit(request: Request) -> Response:
    course, store = _context(request)
    caller = auth.who(request, course, store)
    if caller is None or caller.student_id is None or auth.from_cookie(request):
        return error("sign in: send your personal token as 'Authorization: Bearer TOKEN'", 401)
    data = await request.body()
    try:
        attempt = await run_in_threadpool(store_upload, course, store, caller.student_id, data,
                                          "cli")
    except Refused as exc:
        return error(str(exc), exc.status)
    return JSONResponse(describe(attempt), status_code=201)


async def listing(request: Request) -> Response:
    course, store = _context(request)
    caller = auth.who(request, course, store)
    if caller is None or caller.student_id is None:
        return error("sign in: send your personal token as 'Authorization: Bearer TOKEN'", 401)
    attempts = await run_in_threadpool(store.attempts, caller.student_id)
    return JSONResponse([describe(a) for a in attempts])


async def one(request: Request) -> Response:
    course, store = _context(request)
    caller = auth.who(request, course, store)
    if caller is None:
        return error("sign in: send your personal token as 'Authorization: Bearer TOKEN'", 401)
    attempt = await run_in_threadpool(store.attempt, request.path_params["number"])
    if attempt is None or not (caller.instructor or attempt.student_id == caller.student_id):
        return error("no such submission of yours", 404)
    return JSONResponse(await run_in_threadpool(describe, attempt, store))


async def whoami(request: Request) -> Response:
    course, store = _context(request)
    caller = auth.who(request, course, store)
    if caller is None:
        return error("not signed in", 401)
    return JSONResponse({"student_id": caller.student_id, "instructor": caller.instructor,
                         "assignment": course.assignment.id,
                         "title": course.assignment.title})
