"""The browser's pages: sign-in, a student's page and attempts, the instructor's pages.

A student's page lives at /students/<folder>; anyone but that student (or the instructor) gets
the same 404 as for a folder that does not exist. Every form carries the CSRF field.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from grader.core.render import render
from grader.server import auth, instructor
from grader.server.api import store_upload
from grader.server.course import Course
from grader.server.intake import Refused, archive_from_files
from grader.server.store import Store
from grader.server.respond import HEADERS, html, message, not_found
from grader.server.tokens import Who, csrf_token
from grader.student.submission import ANSWERS, META, SOLUTION

FILES = (ANSWERS, SOLUTION, META)  # the blank files of the problem set, as generated


def page_routes() -> list[Route]:
    return [Route("/", home), Route("/login", login, methods=["GET", "POST"]),
            Route("/logout", logout, methods=["POST"]), Route("/me", me),
            Route("/me/attempts/{number:int}", my_attempt),
            Route("/students/{folder}", student_page),
            Route("/students/{folder}/problems", problems),
            Route("/students/{folder}/files/{name}", blank_file),
            Route("/students/{folder}/upload", upload, methods=["POST"]),
            Route("/students/{folder}/attempts/{number:int}", attempt_report),
            *instructor.routes()]


def _ctx(request: Request) -> tuple[Course, Store, Who | None]:
    course, store = request.app.state.course, request.app.state.store
    return course, store, auth.who(request, course, store)


def _owner(request: Request, course: Course, caller: Who | None) -> str | None:
    """The student whose folder the URL names, if the caller may see it."""
    folder = request.path_params["folder"]
    sid = next((k.id for k in course.keys.values() if k.folder == folder), None)
    if caller is None or sid is None:
        return None
    return sid if caller.instructor or caller.student_id == sid else None


async def home(request: Request) -> Response:
    return message("Sign in with the personal link or token your instructor sent you.", 200,
                   login=True)


async def login(request: Request) -> Response:
    course, store = request.app.state.course, request.app.state.store
    form = await request.form() if request.method == "POST" else request.query_params
    token = str(form.get("token") or "")
    if not token:
        return await home(request)
    from grader.server.tokens import identify

    caller = identify(token, course.secret, course.assignment.id,
                      known=lambda sid: sid in course.keys, generation=store.generation)
    if caller is None:
        return message("That token is not valid (mistyped, or revoked: ask your instructor "
                       "for a new one).", 403, login=True)
    response = RedirectResponse("/me", status_code=303)
    response.set_cookie(auth.COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(auth.COOKIE)
    return response


async def me(request: Request) -> Response:
    course, _, caller = _ctx(request)
    if caller is None:
        return await home(request)
    if caller.student_id is None:
        return RedirectResponse("/instructor", status_code=303)
    return RedirectResponse(f"/students/{course.keys[caller.student_id].folder}",
                            status_code=303)


async def my_attempt(request: Request) -> Response:
    course, _, caller = _ctx(request)
    if caller is None or caller.student_id is None:
        return not_found()
    folder = course.keys[caller.student_id].folder
    return RedirectResponse(f"/students/{folder}/attempts/{request.path_params['number']}",
                            status_code=303)


def _student_page(course: Course, store: Store, sid: str, caller: Who, note: str = "") -> str:
    key = course.keys[sid]
    attempts = store.attempts(sid)
    a = course.assignment
    limits = " ".join(x for x in (
        f"This assignment allows {a.attempts} submissions ({len(attempts)} used)."
        if a.attempts else "",
        f"Wait {a.cooldown:g} s between two submissions." if a.cooldown else "") if x)
    return render("serve_student.html", title=f"{a.title}: {key.name or key.id}",
                  student=key, message=note, base=f"/students/{key.folder}",
                  has_problems=course.problem_file(sid, "problems.html") is not None,
                  files=[n for n in FILES if course.problem_file(sid, n)], limits=limits,
                  csrf=csrf_token(course.secret, caller.token), attempts=attempts,
                  pending=any(x.state in ("queued", "grading") for x in attempts))


async def student_page(request: Request) -> Response:
    course, store, caller = _ctx(request)
    sid = _owner(request, course, caller)
    if sid is None or caller is None:
        return not_found()
    return html(await run_in_threadpool(_student_page, course, store, sid, caller))


async def problems(request: Request) -> Response:
    return await _problem_file(request, "problems.html")


async def blank_file(request: Request) -> Response:
    name = request.path_params["name"]
    return await _problem_file(request, name) if name in FILES else not_found()


async def _problem_file(request: Request, name: str) -> Response:
    course, _, caller = _ctx(request)
    sid = _owner(request, course, caller)
    path = course.problem_file(sid, name) if sid else None
    if path is None:
        return not_found()
    if name.endswith(".html"):
        return html(path.read_text(encoding="utf-8"))
    return Response(path.read_bytes(), media_type="text/plain; charset=utf-8", headers={
        **HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})


async def upload(request: Request) -> Response:
    course, store, caller = _ctx(request)
    sid = _owner(request, course, caller)
    if sid is None or caller is None or caller.instructor:
        return not_found()
    form = await request.form(max_files=3, max_fields=4)
    if not auth.form_ok(request, course, caller, form.get("csrf")):
        return message("This form has expired or did not come from this site: reload the "
                       "page and submit again.", 403)
    files = {name: await _read(form.get(field)) for field, name in
             (("archive", "archive"), ("answers", ANSWERS), ("solution", SOLUTION))}
    try:
        data = files.pop("archive") or await run_in_threadpool(
            archive_from_files, files, course.build_dir / course.keys[sid].folder)
        await run_in_threadpool(store_upload, course, store, sid, data, "browser")
    except Refused as exc:
        page = await run_in_threadpool(_student_page, course, store, sid, caller,
                                       f"Not submitted: {exc}")
        return html(page, exc.status)
    return RedirectResponse(f"/students/{course.keys[sid].folder}", status_code=303)


async def _read(item: Any) -> bytes:
    return await item.read() if hasattr(item, "read") else b""


async def attempt_report(request: Request) -> Response:
    course, store, caller = _ctx(request)
    sid = _owner(request, course, caller)
    number = request.path_params["number"]
    attempt = await run_in_threadpool(store.attempt, number) if sid else None
    if attempt is None or attempt.student_id != sid:
        return not_found()
    stored = await run_in_threadpool(store.result, number)
    if stored is None:
        return message(f"Attempt {number} is {attempt.state}; reload in a few seconds.", 200)
    return html(stored[1])
