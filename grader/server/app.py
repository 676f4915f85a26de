"""The web process: a Starlette app that authenticates, stores uploads durably and answers.

    create_app(course)      the ASGI app; its lifespan starts the grading worker process

Students reach only their own pages and attempts (anything else is 404, the same answer as for
a page that does not exist); instructor routes need the instructor token. No route sends the
key, the secret, hidden cases or another student's work to a student.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grader.server import pages
from grader.server.api import api_routes
from grader.server.course import DATABASE_ENV, Course
from grader.server.limits import BodyLimit
from grader.server.store import Store


def create_app(course: Course, *, worker: bool = True, jobs: int | None = None) -> Starlette:
    """The server for `course` with `jobs` grading processes (default: one per core but one,
    which the web process and the sandboxes need; at least one);
    `worker=False` leaves grading to workers started elsewhere."""
    store = Store(course.state_dir, database=course.database)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        procs = []
        if worker:
            store.requeue_unfinished()  # what a killed server's workers had started
            count = jobs or max(1, _cores() - 1)
            procs = [_start_worker(course, max(2, _cores() // count)) for _ in range(count)]
        try:
            yield
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    routes = [*pages.page_routes(), *api_routes(), Route("/healthz", _health)]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.course, app.state.store = course, store
    app.add_middleware(BodyLimit)
    return app


async def _health(request: Request) -> Response:
    return Response("ok\n", media_type="text/plain")


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _start_worker(course: Course, sandboxes: int) -> subprocess.Popen:
    """A grading worker: a separate process (student code never comes near this one) with a
    pool of `sandboxes` zygotes."""
    cmd = [sys.executable, "-m", "grader.server.worker", str(course.state_dir),
           "--parent", str(os.getpid()), "--jobs", str(sandboxes)]
    env = {**os.environ}
    env.pop(DATABASE_ENV, None)
    if course.database:
        env[DATABASE_ENV] = course.database
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, env=env)
