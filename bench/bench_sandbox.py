"""Grade one workload three ways, side by side: in-process, pytest per student, grader's sandbox.

    python bench/bench_sandbox.py            # 200 submissions x 6 functions x 20 cases
    python bench/bench_sandbox.py --quick    # 20 submissions, one repetition

floor    every student's module exec'd in this process, no isolation (a SIGALRM per case
         stops hangs): the fastest grading can be.
pytest   one fresh `python -m pytest` per student on a generated test file holding the
         cases and expected values (how GitHub Classroom grades), pytest-timeout for hangs.
sandbox  grader.sandbox.SandboxPool: one forked, isolated child per student.
All three use every core but the floor (which cannot: it is one process), the same per-case
time limit, and must agree on every score. Each mode runs in its own process so that its peak
memory (ru_maxrss of the grading process) is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CASE_SECONDS = 0.5
HONEST = '''import numpy as np

def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))

def l2_norm(x):
    return float(np.sqrt(np.sum(x * x)))

def mse(y, yhat):
    return float(np.mean((y - yhat) ** 2))

def cross_entropy(p, q):
    return float(-np.sum(p * np.log(q)))

def relu(x):
    return np.maximum(x, 0.0)
'''
BUGS = {  # what some students get wrong; "hang" loops forever on one case in twenty
    "wrong": ("return float(np.mean((y - yhat) ** 2))", "return float(np.sum((y - yhat) ** 2))"),
    "raises": ("return np.maximum(x, 0.0)", "return np.maximum(x, 0.0)[len(x)]"),
    "hang": ("e = np.exp(z - np.max(z))",
             ("e = np.exp(z - np.max(z))\n    while z[0] == 0.5:\n        pass")),
}
FUNCTIONS = {"softmax": 1, "sigmoid": 1, "l2_norm": 1, "mse": 2, "cross_entropy": 2, "relu": 1}


def reference(name: str, args: list) -> Any:
    a = [np.asarray(x, dtype=float) for x in args]
    if name == "softmax":
        return np.exp(a[0]) / np.exp(a[0]).sum()  # inputs are small: the naive form is exact
    if name == "sigmoid":
        return np.tanh(a[0] / 2) / 2 + 0.5
    if name == "l2_norm":
        return np.linalg.norm(a[0])
    if name == "mse":
        return np.square(a[0] - a[1]).sum() / a[0].size
    if name == "cross_entropy":
        return -(a[0] @ np.log(a[1]))
    return np.where(a[0] > 0, a[0], 0.0)


def workload(n: int) -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, list]]], dict]:
    """Students' sources, the cases per function, and the expected value per case id."""
    rng = np.random.default_rng(7)
    cases: dict[str, list[tuple[str, list]]] = {}
    expected = {}
    for name, arity in FUNCTIONS.items():
        cases[name] = []
        for i in range(20):
            args = [rng.dirichlet(np.ones(5)).tolist() for _ in range(arity)]
            if name == "softmax" and i == 7:
                args = [[0.5, 0.1, 0.2]]  # the case a "hang" student loops on
            cases[name].append((f"{name}-{i}", args))
            expected[f"{name}-{i}"] = np.asarray(reference(name, args)).tolist()
    students = []
    for s in range(n):
        src = f"# student {s}\n" + HONEST
        bug = "hang" if s % 50 == 7 else "raises" if s % 25 == 3 else "wrong" if s % 7 == 1 else ""
        if bug:
            src = src.replace(*BUGS[bug])
        students.append((f"student{s:03d}", src))
    return students, cases, expected


def score(values: dict[str, Any], expected: dict) -> float:
    good = sum(1 for cid, want in expected.items() if cid in values and values[cid] is not None
               and np.shape(values[cid]) == np.shape(want)
               and np.allclose(values[cid], want, rtol=1e-6, atol=1e-9))
    return good / len(expected)


def grade_floor(students: list, cases: dict, expected: dict, workers: int) -> dict[str, float]:
    def alarm(*_: Any) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, alarm)
    scores = {}
    for sid, src in students:
        ns: dict[str, Any] = {}
        exec(compile(src, f"{sid}/solution.py", "exec"), ns)
        values = {}
        for name, items in cases.items():
            for cid, args in items:
                signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
                try:
                    values[cid] = np.asarray(ns[name](*[np.asarray(a) for a in args])).tolist()
                except Exception:
                    values[cid] = None
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
        scores[sid] = score(values, expected)
    return scores


PYTEST_FILE = '''import json, numpy as np, pytest
from solution import *
CASES = json.loads({cases!r})
EXPECTED = json.loads({expected!r})
@pytest.mark.parametrize("name, cid, args", CASES)
def test_case(name, cid, args):
    got = globals()[name](*[np.asarray(a) for a in args])
    assert np.shape(got) == np.shape(EXPECTED[cid])
    assert np.allclose(got, EXPECTED[cid], rtol=1e-6, atol=1e-9)
'''


def grade_pytest(students: list, cases: dict, expected: dict, workers: int) -> dict[str, float]:
    flat = [(name, cid, args) for name, items in cases.items() for cid, args in items]
    tmp = Path(tempfile.mkdtemp(prefix="bench-pytest-"))

    def one(student: tuple[str, str]) -> tuple[str, float]:
        sid, src = student
        d = tmp / sid
        d.mkdir()
        (d / "solution.py").write_text(src)
        (d / "test_solution.py").write_text(PYTEST_FILE.format(cases=json.dumps(flat),
                                                               expected=json.dumps(expected)))
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "-c", os.devnull, "--rootdir", str(d), f"--timeout={CASE_SECONDS}",
                        "--junitxml", str(d / "junit.xml"), str(d)], cwd=d,
                       capture_output=True, check=False)
        xml = (d / "junit.xml").read_text()
        failed = int(xml.split('failures="')[1].split('"')[0]) + int(
            xml.split('errors="')[1].split('"')[0])
        return sid, (len(flat) - failed) / len(flat)

    try:
        with ThreadPoolExecutor(workers) as ex:
            return dict(ex.map(one, students))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def grade_sandbox(students: list, cases: dict, expected: dict, workers: int) -> dict[str, float]:
    from grader.sandbox import Job, Limits, SandboxPool

    limits = Limits(wall_seconds=30, per_case_seconds=CASE_SECONDS)
    calls = {name: [(cid, args, {}) for cid, args in items] for name, items in cases.items()}
    jobs = (Job(sid, {"solution.py": src.encode()}, calls, limits=limits) for sid, src in students)
    with SandboxPool(workers=workers) as pool:
        return {sid: score({c: o.value for c, o in run.outcomes.items()}, expected)
                for sid, run in pool.run_many(jobs)}


MODES = {"floor": grade_floor, "pytest": grade_pytest, "sandbox": grade_sandbox}


def run_mode(mode: str, n: int, workers: int) -> dict[str, Any]:
    """One timed grading of n students, in this process (called in a fresh subprocess)."""
    students, cases, expected = workload(n)
    start = time.perf_counter()
    scores = MODES[mode](students, cases, expected, workers)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "per_student_ms": 1000 * seconds / n, "scores": scores,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_once(mode: str, n: int, workers: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--mode", mode, "-n", str(n),
                          "--workers", str(workers)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"median_s": statistics.median(r["seconds"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs), "scores": runs[0]["scores"],
            "runs": len(runs)}


def measure(mode: str, n: int, workers: int, repeat: int) -> dict[str, Any]:
    return summarise([run_once(mode, n, workers) for _ in range(repeat)])


def paired(n: int, workers: int, repeat: int) -> tuple[dict[str, Any], dict[str, Any],
                                                       list[float]]:
    """Floor and sandbox run alternately, each sandbox run paired with the floor run before
    it, so that both see the same machine load (as bench_function_class.py does)."""
    floors, sandboxes = [], []
    for _ in range(repeat):
        floors.append(run_once("floor", n, workers))
        sandboxes.append(run_once("sandbox", n, workers))
    ratios = [s["seconds"] / f["seconds"] for f, s in zip(floors, sandboxes)]
    return summarise(floors), summarise(sandboxes), ratios


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20 submissions, one repetition")
    ap.add_argument("-n", type=int, default=None, help="number of submissions (default 200)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions of floor and sandbox")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    a = ap.parse_args()
    n = a.n or (20 if a.quick else 200)
    if a.mode:
        print(json.dumps(run_mode(a.mode, n, a.workers)))
        return
    repeat = 1 if a.quick else a.repeat
    floor_res, sandbox_res, ratios = paired(n, a.workers, repeat)
    res = {"floor": floor_res, "pytest": measure("pytest", n, a.workers, 1),
           "sandbox": sandbox_res}
    small = measure("sandbox", max(n // 4, 5), a.workers, 1)
    agree = res["floor"]["scores"] == res["pytest"]["scores"] == res["sandbox"]["scores"]
    pyt, sbx = res["pytest"]["median_s"], res["sandbox"]["median_s"]
    print(f"{n} submissions x 6 functions x 20 cases, {a.workers} workers, "
          f"per-case limit {CASE_SECONDS} s; scores agree across modes: {agree}")
    for m in MODES:
        print(f"  {m:8s} median {res[m]['median_s']:7.2f} s over {res[m]['runs']} run(s), "
              f"{1000 * res[m]['median_s'] / n:6.1f} ms/submission, "
              f"peak {res[m]['peak_mb']:.0f} MB")
    print(f"  sandbox is {pyt / sbx:.1f}x faster than pytest-per-student; sandbox/floor "
          f"paired ratios {', '.join(f'{r:.2f}' for r in ratios)}: median "
          f"{statistics.median(ratios):.2f}x the unisolated floor")
    print(f"  sandbox grader peak memory: {small['peak_mb']:.0f} MB at {max(n // 4, 5)} "
          f"submissions, {res['sandbox']['peak_mb']:.0f} MB at {n}")


if __name__ == "__main__":
    main()
