"""Benchmark: a deadline burst against a real `grader serve` on 127.0.0.1.

N students (default 500) each upload 3 archives (typed KL answers and a softmax function),
at random moments within a window (default 120 s), then poll until each attempt is graded.
Feedback latency = from the start of the upload to the first poll that sees it graded (polls
every 0.25 s). Reported: p50/p95/p99 latency, errors, whether every acknowledged submission
was graded, and the peak memory (RSS) of the server's process tree (web process, grading
worker, its sandboxes), sampled every 0.2 s.

Side by side, for scale: `grader grade` on the same class's final archives after the deadline
(the batch a course runs without a server), timed in the same run.

Usage: PYTHONPATH=. .venv/bin/python bench/bench_serve.py [--students 500] [--window 120]
       [--per-student 3] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.app.fabricate import NAIVE_SOFTMAX, SOFTMAX  # noqa: E402

SECRET_ENV = "GRADER_BENCH_SERVE_SECRET"
ASSIGNMENT = f"""\
id: burst
title: Deadline burst
secret: {{env: {SECRET_ENV}}}
exercises: [info-kl-divergence, impl-softmax]
reveal: never
sandbox: {{time_limit: 4, memory_mb: 512}}
"""


def tree_rss(pid: int) -> int:
    """RSS in bytes of a process and all its descendants (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def make_course(root: Path, students: int):
    from grader.app.fabricate import Course, numbered_roster

    return Course.create(root / "course", ASSIGNMENT, numbered_roster(students))


def archives(course, sid: str, count: int, rng: random.Random) -> list[bytes]:
    """count uploads of one student: a wrong first try now and then, right at the end."""
    out = []
    for n in range(count):
        answers = course.right(sid)
        if n < count - 1 and rng.random() < 0.5:
            answers["info-kl-divergence"]["kl_pq"] *= 2
        code = NAIVE_SOFTMAX if n < count - 1 and rng.random() < 0.3 else SOFTMAX
        when = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
        out.append(course.archive(sid, answers, code, when, name=f"{sid}-{n}.zip").read_bytes())
    return out


async def student(client: httpx2.AsyncClient, token: str, uploads: list[bytes],
                  starts: list[float], t0: float, out: dict) -> None:
    for data, at in zip(uploads, starts):
        await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
        began = time.monotonic()
        try:
            r = await client.post("/api/submissions", content=data,
                                  headers={"Authorization": f"Bearer {token}"})
        except httpx2.HTTPError as exc:
            out["errors"].append(repr(exc))
            continue
        if r.status_code != 201:
            out["errors"].append(f"{r.status_code} {r.text[:100]}")
            continue
        number = r.json()["id"]
        out["acked"].append(number)
        while True:
            await asyncio.sleep(0.25)
            s = await client.get(f"/api/submissions/{number}",
                                 headers={"Authorization": f"Bearer {token}"})
            if s.status_code == 200 and s.json()["state"] == "graded":
                out["latency"].append(time.monotonic() - began)
                out["graded"].append(number)
                break
            if time.monotonic() - began > 600:
                out["errors"].append(f"attempt {number} not graded in 600 s")
                break


async def burst(url: str, tokens: dict[str, str], uploads: dict[str, list[bytes]],
                window: float, rng: random.Random) -> dict:
    out: dict = {"errors": [], "acked": [], "graded": [], "latency": []}
    limits = httpx2.Limits(max_connections=200)
    async with httpx2.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        t0 = time.monotonic()
        tasks = [student(client, tokens[sid], ups,
                         sorted(rng.uniform(0, window) for _ in ups), t0, out)
                 for sid, ups in uploads.items()]
        await asyncio.gather(*tasks)
        out["wall"] = time.monotonic() - t0
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def batch_grade(course, uploads: dict[str, list[bytes]], root: Path) -> float:
    """`grader grade` on each student's last archive: the no-server alternative."""
    from grader.app.grade import grade_assignment

    subs = root / "batch-subs"
    subs.mkdir()
    for sid, ups in uploads.items():
        (subs / f"burst-{course.folder(sid)}.zip").write_bytes(ups[-1])
    began = time.monotonic()
    grade_assignment(course.assignment, subs, root / "batch-results", key_dir=course.build,
                     force=True)
    return time.monotonic() - began


def one_run(course, uploads: dict[str, list[bytes]], state: Path, window: float,
            rng: random.Random, jobs: int | None = None) -> dict:
    """A fresh server (its own state folder), one burst, its figures."""
    import socket

    from grader.server import run

    c, store = run.prepare(course.assignment, course.build, state)
    tokens = {r.student_id: r.token for r in run.tokens(c, store, "http://x")}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "grader", "serve", str(course.assignment),
                               "--key", str(course.build), "--state", str(state),
                               "--port", str(port), *(["--jobs", str(jobs)] if jobs else [])],
                              stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx2.get(url + "/healthz", timeout=1)
            break
        except httpx2.HTTPError:
            time.sleep(0.1)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss(server.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out = asyncio.run(burst(url, tokens, uploads, window, rng))
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    lat = out["latency"]
    return {"acked": len(out["acked"]), "graded": len(out["graded"]),
            "errors": len(out["errors"]), "p50": pct(lat, 50), "p95": pct(lat, 95),
            "p99": pct(lat, 99), "max": max(lat), "rss": peak[0] / 2**20, "wall": out["wall"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--per-student", type=int, default=3)
    parser.add_argument("--window", type=float, default=120.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, help="grader serve --jobs (default: its own)")
    parser.add_argument("--quick", action="store_true", help="50 students, a 20 s window")
    args = parser.parse_args()
    if args.quick:
        args.students, args.window, args.repeat = 50, 20.0, 1
    import secrets

    os.environ[SECRET_ENV] = secrets.token_hex(32)
    rng = random.Random(7)
    root = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    print(f"setting up {args.students} students in {root} ...", flush=True)
    course = make_course(root, args.students)
    sids = [s["id"] for s in course.roster]
    uploads = {sid: archives(course, sid, args.per_student, rng) for sid in sids}
    runs = [one_run(course, uploads, root / f"state-{n}", args.window, rng, args.jobs)
            for n in range(args.repeat)]
    total = args.students * args.per_student
    print(f"\n{total} uploads from {args.students} students in a {args.window:g} s window, "
          f"{args.repeat} run(s):")
    for r in runs:
        print(f"  acknowledged {r['acked']}, graded {r['graded']}, errors {r['errors']}; "
              f"latency p50 {r['p50']:.2f} s, p95 {r['p95']:.2f} s, p99 {r['p99']:.2f} s, "
              f"max {r['max']:.2f} s; peak RSS {r['rss']:.0f} MB; done after {r['wall']:.1f} s")
    med = {k: statistics.median(r[k] for r in runs) for k in ("p50", "p95", "p99", "rss")}
    print(f"median: p50 {med['p50']:.2f} s, p95 {med['p95']:.2f} s, p99 {med['p99']:.2f} s, "
          f"peak RSS {med['rss']:.0f} MB")
    seconds = batch_grade(course, uploads, root)
    print(f"grader grade on the {args.students} final archives after the deadline: "
          f"{seconds:.1f} s (every student waits for the whole batch)")


if __name__ == "__main__":
    main()
