"""Benchmark: `grader grade` on a function-only class, paired with the unisolated floor.

    PYTHONPATH=. python bench/bench_function_class.py [--students 200] [--repeat 3]
        [--jobs N] [--hang | --hang-all] [--profile FILE]

Workload: N students (default 200) x six function exercises of the library (impl-softmax,
impl-entropy, impl-cross-entropy, impl-kl-divergence, impl-lp-norm, impl-sigmoid-backward;
17 cases each: public, hidden edge cases, random ones per student). Every student hands in
the library's own reference implementations as solution.py (so every case must pass); with
--hang, one student in 50 has a softmax that loops forever on a one-logit input (one hidden
case), and so pays the spec's 2 s per-case limit; with --hang-all, the class the issue
describes: 3 % of the students (6 of 200) have a softmax that loops forever on every input, so
each pays that function's whole budget (sandbox.time_limit, 10 s: five cases time out at 2 s,
the other twelve are not run) while their five other functions are graded as usual.

Two ways, alternately, in this one process, so that each grader run is paired with a floor
run on the same machine state (the ratio of each pair is reported, and their median):

floor   the unisolated in-process floor: given the parsed specs (untimed), read every key,
        compute every expected value with the reference solver, exec each solution.py in
        this process and call it on every case (a SIGALRM at the spec's per-case limit
        stops a hang; each function's cases share the assignment's budget, as grading's
        do: once it is used up, the function's remaining cases fail unrun), compare with the
        spec's tolerance. No isolation, no results, no
        gradebook, no pages: the least work grading can be. One process, one core. The
        grader's time includes loading the assignment and its specs.
grader  `grade_assignment(..., force=True)` into the same results folder (a regrade that
        redoes everything): keys, the sandbox at its full level on --jobs workers (all cores
        by default), results, gradebook, exports, every page.

Then an unchanged regrade (no --force; every result reused), --repeat times, reported as a
share of the median full grade.

Both must give every student the same score (printed). --profile FILE writes a cProfile of
one grader run (the grading process only; sandbox children are other processes).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import re
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXERCISES = ["impl-softmax", "impl-entropy", "impl-cross-entropy", "impl-kl-divergence",
             "impl-lp-norm", "impl-sigmoid-backward"]
HANG = "def softmax(z):\n    while len(z) == 1:\n        pass\n    return impl_softmax(z)\n"
HANG_ALL = "def softmax(z):\n    while True:\n        pass\n"
HANG_NOTE = {"one-case": " (1 in 50 hangs on one case)",
             "every-case": " (1 in 33 loops forever in softmax)"}
HANGS = {"one-case": (HANG, 50), "every-case": (HANG_ALL, 33)}  # (code, one student in N)


def honest_solution() -> str:
    """The library's reference implementations, as a student's solution.py."""
    src = (ROOT / "grader" / "solvers" / "implement.py").read_text(encoding="utf-8")
    src = src.replace("from grader.solvers.registry import solver\n", "")
    src = re.sub(r"^@solver\n", "", src, flags=re.M)
    names = "\n".join(f"{e[5:].replace('-', '_')} = impl_{e[5:].replace('-', '_')}"
                      for e in EXERCISES)
    return src + "\n" + names + "\n"


def build(root: Path, n: int, *, hang: str | bool | None) -> tuple[Path, Path, Path]:
    """The class; `hang`: None, "one-case" (True) or "every-case" (see HANGS)."""
    from grader.app.fabricate import Course

    rows = "".join(f"s{i:04d},Student {i},s{i}@example.org\n" for i in range(n))
    course = Course.create(root, "id: fclass\ntitle: Functions\nsecret: {env: GRADER_BENCH_SECRET}"
                           f"\nexercises: {json.dumps(EXERCISES)}\nreveal: always\n",
                           "id,name,email\n" + rows)
    honest = honest_solution()
    for i, s in enumerate(course.roster):
        code, every = HANGS["one-case" if hang is True else hang] if hang else ("", 0)
        src = honest + code if code and i % every == 7 else honest
        course.folder_submission(s["id"], {}, src)
    return course.assignment, course.subs, course.build


def _arg(x: Any) -> Any:
    """As the sandbox passes it: a list of numbers becomes a float array; ints stay ints."""
    if isinstance(x, list) and x and all(isinstance(v, (int, float)) or isinstance(v, list)
                                         for v in x):
        try:
            return np.asarray(x, dtype=float)
        except ValueError:
            return x
    return x


def load_specs(assignment: Path) -> tuple[Any, dict[str, Any]]:
    """The assignment and its specs, loaded once, outside the floor's timing."""
    from grader.course.assignment import load_assignment
    from grader.course.generate import load_library_for

    a = load_assignment(assignment)
    return a, {e.id: e for e in load_library_for(a)}


def grade_floor(specs: tuple[Any, dict[str, Any]], subs: Path,
                build_dir: Path) -> dict[str, float]:
    """Every student's score, graded in this process without isolation."""
    from grader.authoring.cases import BuiltCase, reference_value
    from grader.core.values import to_plain
    from grader.grading.keys import load_keys
    from grader.kinds import KINDS

    a, library = specs
    budget = a.sandbox.time_limit  # each function's, as grading keeps it

    def alarm(*_: Any) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, alarm)
    scores = {}
    for key in load_keys(build_dir / "key", a.id):
        src = (subs / key.folder / "solution.py").read_text(encoding="utf-8")
        ns: dict[str, Any] = {"__name__": "solution"}
        exec(compile(src, f"{key.folder}/solution.py", "exec"), ns)
        total = 0.0
        for kex in key.exercises:
            for part in library[kex.id].parts:
                fn = part.function
                assert fn is not None
                cases = [c for c in kex.cases if c.part == part.id]
                passed, used = 0, 0.0
                for c in cases:
                    if used >= budget:  # the function's budget is spent: not run
                        continue
                    want = reference_value(fn, BuiltCase(c.id, list(c.args), dict(c.kwargs),
                                                         c.visibility, c.why))
                    limit = min(fn.time_limit, budget - used)
                    signal.setitimer(signal.ITIMER_REAL, limit)
                    started = time.perf_counter()
                    try:
                        got = to_plain(ns[fn.name](*map(_arg, c.args),
                                                   **{k: _arg(v) for k, v in c.kwargs.items()}))
                        passed += KINDS[part.kind].judge(got, want, part).passed
                    except Exception:
                        pass
                    finally:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                        used += min(time.perf_counter() - started, limit)
                total += kex.points * passed / len(cases)
        scores[key.id] = round(total, 4)
    return scores


def grade_grader(assignment: Path, subs: Path, build_dir: Path, out: Path,
                 jobs: int | None, profile: str | None = None) -> dict[str, float]:
    from grader.app.grade import grade_assignment

    prof = cProfile.Profile() if profile else None
    if prof:
        prof.enable()
    summary = grade_assignment(assignment, subs, out, key_dir=build_dir, jobs=jobs, force=True)
    if prof:
        prof.disable()
        prof.dump_stats(profile)
    return {r.student_id: round(r.score, 4) for r in summary.results}


def grade_again(assignment: Path, subs: Path, build_dir: Path, out: Path,
                jobs: int | None) -> None:
    """A regrade with nothing changed (no --force): every result is reused."""
    from grader.app.grade import grade_assignment

    summary = grade_assignment(assignment, subs, out, key_dir=build_dir, jobs=jobs)
    assert summary.graded == 0, summary.graded


def cpu_seconds() -> float:
    """CPU time of this process (all threads) and of every child it has waited for (the
    sandbox's zygotes, which have waited for their forked children): robust to other jobs
    loading the machine, unlike wall time."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Any, *args: Any, **kw: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - start, out


def timed_cpu(fn: Any, *args: Any, **kw: Any) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds, result)."""
    cpu = cpu_seconds()
    wall, out = timed(fn, *args, **kw)
    return wall, cpu_seconds() - cpu, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None)
    hang = ap.add_mutually_exclusive_group()
    hang.add_argument("--hang", action="store_const", const="one-case", dest="hang",
                      help="one student in 50 loops forever on one case of softmax")
    hang.add_argument("--hang-all", action="store_const", const="every-case", dest="hang",
                      help="one student in 33 (6 of 200) loops forever on every softmax case")
    ap.add_argument("--profile", help="write a cProfile of one grader run to this file")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("GRADER_BENCH_SECRET", "bench-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0")
    tmp = Path(tempfile.mkdtemp(prefix="grader-fclass-"))
    try:
        a, subs, build_dir = build(tmp / "class", args.students, hang=args.hang)
        out = tmp / "out"
        grade_grader(a, subs, build_dir, out, args.jobs)  # warm: imports, first gradebook
        specs = load_specs(a)  # the floor is given its specs: it pays no YAML parsing
        pairs, cpus = [], []
        for _ in range(args.repeat):
            f, fc, floor_scores = timed_cpu(grade_floor, specs, subs, build_dir)
            g, gc, grader_scores = timed_cpu(grade_grader, a, subs, build_dir, out, args.jobs)
            pairs.append((f, g))
            cpus.append((fc, gc))
        regrades = [timed(grade_again, a, subs, build_dir, out, args.jobs)[0]
                    for _ in range(args.repeat)]
        if args.profile:
            grade_grader(a, subs, build_dir, out, args.jobs, args.profile)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ratios = [g / f for f, g in pairs]
    report = {"students": args.students, "functions": len(EXERCISES), "hang": args.hang,
              "jobs": args.jobs or len(os.sched_getaffinity(0)),
              "floor_s": [round(f, 3) for f, _ in pairs],
              "grader_s": [round(g, 3) for _, g in pairs],
              "ratios": [round(r, 3) for r in ratios], "median_ratio": statistics.median(ratios),
              "floor_cpu_s": [round(f, 3) for f, _ in cpus],
              "grader_cpu_s": [round(g, 3) for _, g in cpus],
              "median_cpu_ratio": statistics.median(g / f for f, g in cpus),
              "scores_agree": floor_scores == grader_scores,
              "regrade_s": [round(r, 3) for r in regrades],
              "regrade_share": statistics.median(regrades) / statistics.median(
                  g for _, g in pairs)}
    if args.json:
        print(json.dumps(report))
        return
    print(f"{args.students} students x {len(EXERCISES)} functions"
          f"{HANG_NOTE.get(args.hang, '')}, {report['jobs']} workers; "
          f"scores agree: {report['scores_agree']}")
    for (f, g), (fc, gc) in zip(pairs, cpus):
        print(f"  floor {f:6.2f} s   grader {g:6.2f} s   ratio {g / f:5.2f}   "
              f"(CPU: floor {fc:6.2f} s, grader {gc:6.2f} s, ratio {gc / fc:5.2f})")
    print(f"  median ratio grader/floor: {report['median_ratio']:.2f} wall, "
          f"{report['median_cpu_ratio']:.2f} CPU")
    print(f"  unchanged regrade: median {statistics.median(regrades):.2f} s, "
          f"{100 * report['regrade_share']:.0f}% of a full grade")


if __name__ == "__main__":
    main()
