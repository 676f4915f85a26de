"""Benchmark: grading a class with grader, side by side with one fresh pytest process per student.

Two workloads, as in the issue:
  numeric   1,000 students x 4 hand-worked exercises (KL, Bayes, gradient descent, eigen)
  function    200 students x impl-softmax (17 cases: public, hidden edge cases, random)
Submissions are fabricated from the key: most right, some with a typical mistake.

grader is timed end to end (`grade_assignment(..., force=True)`: reading, grading, gradebook,
JSON/CSV exports). The pytest baseline is how GitHub Classroom grades: for each student a fresh
`python -m pytest` process runs a test file with the student's expected values baked in. Running
it for every student takes many minutes, so it runs on a sample (--sample, default 40) and the
per-student median is multiplied out; the table says so. The function workload also pairs each
grader run with the unisolated in-process floor run just before it (bench_function_class.py's
floor) and reports the median of those ratios, as bench_sandbox.py and bench_function_class.py
do.

Usage: PYTHONPATH=. python bench/bench_grading.py [--students 1000] [--functions 200]
       [--sample 40] [--repeat 3] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_function_class import grade_floor, load_specs  # noqa: E402  the one floor

from grader.app.fabricate import NAIVE_SOFTMAX, SOFTMAX  # noqa: E402

ASSIGNMENT = """\
id: bench
title: Bench
secret: {{env: GRADER_BENCH_SECRET}}
exercises: {exercises}
reveal: always
sandbox: {{time_limit: 10}}
"""
NUMERIC = ["info-kl-divergence", "prob-bayes", "opt-gradient-descent", "la-eigen-symmetric"]
NUMERIC_TEST = """\
import pytest, yaml
EXPECTED = {expected!r}

def load():
    with open("answers.yaml") as fh:
        return yaml.safe_load(fh) or {{}}

@pytest.mark.parametrize("ex, part", [(e, p) for e in EXPECTED for p in EXPECTED[e]])
def test_part(ex, part):
    got = (load().get(ex) or {{}}).get(part)
    assert got is not None
    assert got == pytest.approx(EXPECTED[ex][part], rel=1e-2, abs=1e-6)
"""
FUNCTION_TEST = """\
import json, pytest
import numpy as np
from solution import softmax
CASES = json.loads({cases!r})

@pytest.mark.timeout(2)
@pytest.mark.parametrize("args, expected", CASES)
def test_case(args, expected):
    assert np.allclose(np.asarray(softmax(*args), dtype=float), expected, rtol=1e-6, atol=1e-9)
"""


def make_class(root: Path, exercises: list[str], n: int) -> tuple[Path, Path]:
    """The class generated (assignment.yaml, roster, build/); an empty subs/ beside them."""
    from grader.app.fabricate import Course, numbered_roster

    course = Course.create(root, ASSIGNMENT.format(exercises=json.dumps(exercises)),
                           numbered_roster(n))
    return course.assignment, course.build


def keys(build: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((build / "key").glob("*.json"))
            if p.name != "roster.json"]


def fabricate(build: Path, subs: Path, *, function: bool) -> None:
    for i, key in enumerate(keys(build)):
        folder = subs / key["student"]["folder"]
        folder.mkdir(parents=True)
        shutil.copy(build / key["student"]["folder"] / "grader.json", folder / "grader.json")
        answers = {e["id"]: dict(e["answers"]) for e in key["exercises"] if e["answers"]}
        if i % 5 == 1 and "prob-bayes" in answers:  # a typical slip now and then
            answers["prob-bayes"]["posterior"] = 0.5
        (folder / "answers.yaml").write_text(yaml.safe_dump(answers), encoding="utf-8")
        if function:
            (folder / "solution.py").write_text(NAIVE_SOFTMAX if i % 4 == 3 else SOFTMAX)


def time_grader(a: Path, subs: Path, build: Path, out: Path, *, repeat: int,
                jobs: int | None) -> list[float]:
    from grader.app.grade import grade_assignment

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        grade_assignment(a, subs, out, key_dir=build, jobs=jobs, force=True)
        times.append(time.perf_counter() - start)
    return times


def pytest_workdir(key: dict, folder: Path, work: Path, *, function: bool) -> Path:
    """One student's pytest folder: their files plus a test file with their expected values."""
    from grader.authoring.cases import BuiltCase, reference_value
    from grader.authoring.spec import find_exercise

    shutil.copytree(folder, work)
    if not function:
        expected = {e["id"]: {p: v for p, v in e["answers"].items()
                              if isinstance(v, (int, float))} for e in key["exercises"]}
        (work / "test_student.py").write_text(NUMERIC_TEST.format(expected=expected))
        return work
    fn = find_exercise("impl-softmax").part("softmax").function
    cases = [[c["args"], reference_value(fn, BuiltCase(c["id"], c["args"], {}, "hidden"))]
             for e in key["exercises"] for c in e["cases"]]
    (work / "test_student.py").write_text(FUNCTION_TEST.format(cases=json.dumps(cases)))
    return work


def time_pytest(build: Path, subs: Path, tmp: Path, *, sample: int, function: bool) -> list[float]:
    """Seconds per student for a fresh `python -m pytest` in the student's folder."""
    times = []
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for key in keys(build)[:sample]:
        folder = subs / key["student"]["folder"]
        work = pytest_workdir(key, folder, tmp / f"pt-{folder.name}", function=function)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "test_student.py"], cwd=work, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


def workload(name: str, exercises: list[str], n: int, args: argparse.Namespace,
             tmp: Path) -> dict:
    root = tmp / name
    t0 = time.perf_counter()
    a, build = make_class(root, exercises, n)
    subs = root / "subs"
    fabricate(build, subs, function=name == "function")
    setup = time.perf_counter() - t0
    floors: list[float] = []
    if name == "function":  # each grader run paired with the in-process floor just before it
        grader_times = []
        specs = load_specs(a)
        for _ in range(args.repeat):
            start = time.perf_counter()
            grade_floor(specs, subs, build)
            floors.append(time.perf_counter() - start)
            grader_times += time_grader(a, subs, build, root / "out", repeat=1, jobs=args.jobs)
    else:
        grader_times = time_grader(a, subs, build, root / "out", repeat=args.repeat,
                                   jobs=args.jobs)
    per = time_pytest(build, subs, root, sample=min(args.sample, n), function=name == "function")
    g = statistics.median(grader_times)
    p = statistics.median(per) * n
    paired = [g_ / f for g_, f in zip(grader_times, floors)]
    return {"workload": name, "students": n, "setup_s": setup, "grader_s": g,
            "grader_runs": grader_times, "pytest_per_student_s": statistics.median(per),
            "pytest_sample": len(per), "pytest_s": p, "ratio": p / g,
            "floor_runs": floors, "floor_ratios": paired,
            "floor_ratio": statistics.median(paired) if paired else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=1000)
    ap.add_argument("--functions", type=int, default=200)
    ap.add_argument("--sample", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    os.environ.setdefault("GRADER_BENCH_SECRET", "bench-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0")
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        rows = [workload("numeric", NUMERIC, args.students, args, Path(tmp)),
                workload("function", ["impl-softmax"], args.functions, args, Path(tmp))]
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    print("| workload | students | grader (median of runs) | pytest per student (median of "
          "sample) | pytest, whole class (extrapolated) | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['workload']} | {r['students']} | {r['grader_s']:.2f} s | "
              f"{r['pytest_per_student_s'] * 1000:.0f} ms (n={r['pytest_sample']}) | "
              f"{r['pytest_s']:.0f} s | {r['ratio']:.0f}x |")
    for r in rows:
        if r["floor_ratios"]:
            print(f"{r['workload']}: grader / in-process floor, paired runs "
                  f"{', '.join(f'{x:.2f}' for x in r['floor_ratios'])}: median "
                  f"{r['floor_ratio']:.2f}x (the floor as in bench_function_class.py)")
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
