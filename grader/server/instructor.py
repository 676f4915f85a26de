"""The instructor's pages: every attempt, the class report, regrade, the gradebook exports."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from grader.core.render import render
from grader.server import auth

EXPORTS = ("csv", "junit", "summary")  # the one-file formats of grader.outputs.formats


def routes() -> list[Route]:
    return [Route("/instructor", index), Route("/instructor/class", class_report),
            Route("/instructor/regrade", regrade, methods=["POST"]),
            Route("/instructor/export/{name}", export),
            Route("/instructor/attempts/{number:int}", attempt)]


def _allowed(request: Request) -> bool:
    course, store = request.app.state.course, request.app.state.store
    caller = auth.who(request, course, store)
    return caller is not None and caller.instructor


async def index(request: Request) -> Response:
    from grader.server.respond import html, not_found
    from grader.server.tokens import csrf_token

    if not _allowed(request):
        return not_found()
    course, store = request.app.state.course, request.app.state.store
    token = auth.who(request, course, store).token  # type: ignore[union-attr]
    attempts = await run_in_threadpool(store.attempts)
    return html(render("serve_instructor.html", title=f"{course.assignment.title}: instructor",
                       message=request.query_params.get("done", ""), attempts=attempts,
                       folders={k.id: k.folder for k in course.keys.values()},
                       formats=EXPORTS, csrf=csrf_token(course.secret, token)))


def _results(request: Request) -> list:
    import json

    from grader.grading.results import StudentResult

    store = request.app.state.store
    return [StudentResult.from_dict(json.loads(doc)) for doc in store.latest_results()]


async def class_report(request: Request) -> Response:
    from grader.outputs.reports import render_class_report
    from grader.server.respond import html, not_found

    if not _allowed(request):
        return not_found()
    a = request.app.state.course.assignment
    results = await run_in_threadpool(_results, request)
    return html(render_class_report(results, assignment_title=a.title, assignment_id=a.id))


async def regrade(request: Request) -> Response:
    from grader.server.respond import message, not_found

    course, store = request.app.state.course, request.app.state.store
    caller = auth.who(request, course, store)
    if caller is None or not caller.instructor:
        return not_found()
    form = await request.form()
    if not auth.form_ok(request, course, caller, form.get("csrf")):
        return message("This form has expired: reload the page and try again.", 403)
    count = await run_in_threadpool(store.requeue_all)
    return RedirectResponse(f"/instructor?done=Regrading+{count}+attempts.", status_code=303)


async def export(request: Request) -> Response:
    from grader.grading.results import RunSummary
    from grader.outputs import formats
    from grader.server.respond import not_found

    name = request.path_params["name"]
    if not _allowed(request) or name not in EXPORTS:
        return not_found()
    a = request.app.state.course.assignment
    results = tuple(await run_in_threadpool(_results, request))
    run = RunSummary(a.id, results, len(results), 0, "")
    fmt = formats.FORMATS[name]
    (_, data), = fmt.render(run, formats.Context(a.id, f"{a.title} ({a.id})"))
    return Response(data, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{fmt.filename}"'})


async def attempt(request: Request) -> Response:
    from grader.server.respond import html, message, not_found

    if not _allowed(request):
        return not_found()
    stored = await run_in_threadpool(request.app.state.store.result,
                                     request.path_params["number"])
    return html(stored[1]) if stored else message("Not graded yet.", 404)
