"""Scale-out, measured: a Dask cluster against the local pool, and a sharded class merged.

    python bench/bench_scale.py                 # 200 x 6 functions; a 2,000-student class
    python bench/bench_scale.py --quick         # 40 x 6 functions; a 400-student class
    python bench/bench_scale.py --class-size 20000   # the issue's full size (slow on 2 cores)

Part 1, executors: bench_sandbox.py's workload (N submissions x 6 functions x 20 cases) run
through grader's local SandboxPool and through `DaskExecutor` on a LocalCluster (a scheduler
and 2 worker processes on 127.0.0.1, started here, 1 thread each), cold (first run: workers
start their zygotes) and warm. Scores must agree. Gives the overhead per submission and the
break-even: how many Dask worker cores beat this machine's pool.

Part 2, shards: a class of S students (typed answers: info-kl-divergence; one function
exercise: impl-softmax) graded unsharded, then as 4 shards one after another (each timed, as 4
machines would run them at once), then merged (timed: merge alone). The merged gradebook.csv
and index.html must equal the unsharded ones. Fits the model
    shard time(S, N) = c + a*S + b*S/N  (c: fixed (the exercise library, the class report's
                                        plots, starting the pool); a: per student, what every
                                        shard repeats (reading the key, finding every
                                        submission), timed directly; b: grading one student,
                                        from the unsharded and the median shard run)
    total(S, N)      = shard time(S, N) + m*S   (m: merge, per student)
c comes from a shard 1/64 (owning almost nobody). Predicts S = 100,000 on N machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_grading  # noqa: E402  (the class builder and fabricated submissions)
import bench_sandbox  # noqa: E402  (the 6-function workload and its scorer)

SHARDS = 4
THIN = 64  # a shard that owns almost nobody: the fixed cost of a run


# ---------------------------------------------------------------- part 1: executors

def _jobs(n: int) -> tuple[list[Any], dict]:
    from grader.sandbox import Job, Limits

    students, cases, expected = bench_sandbox.workload(n)
    limits = Limits(wall_seconds=30, per_case_seconds=bench_sandbox.CASE_SECONDS)
    calls = {name: [(cid, args, {}) for cid, args in items] for name, items in cases.items()}
    jobs = [Job(sid, {"solution.py": src.encode()}, calls, limits=limits)
            for sid, src in students]
    return jobs, expected


def _score(runs: Any, expected: dict) -> dict[str, float]:
    return {sid: bench_sandbox.score({c: o.value for c, o in run.outcomes.items()}, expected)
            for sid, run in runs}


def executors(n: int, repeat: int) -> dict[str, Any]:
    from distributed import LocalCluster

    from grader.grading.executor import DaskExecutor
    from grader.sandbox import SandboxPool

    jobs, expected = _jobs(n)
    local = []
    with SandboxPool(workers=2) as pool:
        for _ in range(repeat + 1):  # the first is cold: the pool starts its zygotes
            start = time.perf_counter()
            local_scores = _score(pool.run_many(jobs), expected)
            local.append(time.perf_counter() - start)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=50) as cluster:
        started = cluster.scheduler_address  # the cluster is up: time from here
        dask_runs = []
        for _ in range(repeat + 1):  # the first is cold: the workers start their zygotes
            t0 = time.perf_counter()
            with DaskExecutor(started) as ex:
                dask_scores = _score(ex.run_many(jobs), expected)
            dask_runs.append(time.perf_counter() - t0)
    return {"n": n, "local_s": statistics.median(local[1:]), "local_cold_s": local[0],
            "dask_cold_s": dask_runs[0],
            "dask_warm_s": statistics.median(dask_runs[1:]),
            "agree": local_scores == dask_scores}


# ---------------------------------------------------------------- part 2: shards

def shards(size: int, tmp: Path) -> dict[str, Any]:
    from grader.app.grade import grade_assignment
    from grader.app.merge import merge_shards
    from grader.grading.shard import ShardSpec

    os.environ.setdefault("GRADER_BENCH_SECRET", "bench-scale-secret-0123456789")
    t0 = time.perf_counter()
    a, build = bench_grading.make_class(tmp / "class", ["info-kl-divergence", "impl-softmax"],
                                        size)
    subs = tmp / "class" / "subs"
    bench_grading.fabricate(build, subs, function=True)
    setup = time.perf_counter() - t0

    def timed(fn: Any, *args: Any, **kw: Any) -> float:
        start = time.perf_counter()
        fn(*args, **kw)
        return time.perf_counter() - start

    single = timed(grade_assignment, a, subs, tmp / "single", key_dir=build, jobs=2)
    per_shard = [timed(grade_assignment, a, subs, tmp / f"shard{k}", key_dir=build, jobs=2,
                       shard=ShardSpec(k, SHARDS)) for k in range(1, SHARDS + 1)]
    merge = timed(merge_shards, [tmp / f"shard{k}" for k in range(1, SHARDS + 1)],
                  tmp / "merged")
    thin = timed(grade_assignment, a, subs, tmp / "thin", key_dir=build, jobs=2,
                 shard=ShardSpec(1, THIN))
    reading = timed(_read_class, a, subs, build)
    same = all((tmp / "single" / f).read_bytes() == (tmp / "merged" / f).read_bytes()
               for f in ("gradebook.csv", "index.html"))
    return {"size": size, "setup_s": setup, "single_s": single, "shards_s": per_shard,
            "merge_s": merge, "thin_s": thin, "reading_s": reading, "identical": same}


def _read_class(a: Path, subs: Path, build: Path) -> None:
    """What every shard does for the whole class: read the key, find every submission."""
    from grader.course.assignment import load_assignment
    from grader.grading.collect import gather
    from grader.grading.keys import load_keys

    keys = load_keys(build / "key", load_assignment(a).id)
    gather(subs, keys, load_assignment(a).id)


def model(r: dict[str, Any]) -> dict[str, float]:
    """T(S, N) = c + a*S + b*S/N (+ merge m*S): a measured directly (reading the whole
    class), b from the unsharded and the median 4-shard run, c from the 1/THIN shard."""
    s = r["size"]
    a = r["reading_s"] / s
    b = (r["single_s"] - statistics.median(r["shards_s"])) / (s * (1 - 1 / SHARDS))
    c = max(0.0, r["thin_s"] - a * s - b * s / THIN)
    return {"c": c, "a": a, "b": b, "m": r["merge_s"] / s}


def predict(k: dict[str, float], size: int, machines: int) -> float:
    return k["c"] + k["a"] * size + k["b"] * size / machines + k["m"] * size


# ---------------------------------------------------------------- report

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("-n", type=int, help="submissions in part 1 (default 200)")
    ap.add_argument("--class-size", type=int, help="students in part 2 (default 2000)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-executors", action="store_true")
    a = ap.parse_args()
    n = a.n or (40 if a.quick else 200)
    size = a.class_size or (400 if a.quick else 2000)
    repeat = 1 if a.quick else a.repeat
    if not a.skip_executors:
        e = executors(n, repeat)
        over = (e["dask_warm_s"] - e["local_s"]) / n
        work = e["local_s"] * 2 / n  # core-seconds per submission in the local pool
        print(f"part 1: {n} submissions x 6 functions x 20 cases, 2 cores; scores agree: "
              f"{e['agree']}")
        print(f"  local pool (2 zygotes) warm       {e['local_s']:6.2f} s  "
              f"{1000 * e['local_s'] / n:6.1f} ms/submission (cold {e['local_cold_s']:.2f} s)")
        print(f"  Dask LocalCluster 2 workers warm  {e['dask_warm_s']:6.2f} s  "
              f"{1000 * e['dask_warm_s'] / n:6.1f} ms/submission (cold {e['dask_cold_s']:.2f} s)")
        print(f"  Dask overhead {1000 * over:+.1f} ms/submission on the same 2 cores; "
              f"work {1000 * work:.1f} core-ms/submission")
        if over > 0:
            print(f"  break-even: a cluster beats this machine's pool from "
                  f"{2 * (work + 2 * over) / work:.1f} worker cores")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        r = shards(size, Path(tmp))
    print(f"part 2: a class of {size} (typed + impl-softmax), setup {r['setup_s']:.1f} s; "
          f"merged == unsharded: {r['identical']}")
    print(f"  unsharded {r['single_s']:7.2f} s")
    print("  shards    " + ", ".join(f"{t:.2f}" for t in r["shards_s"])
          + f" s (slowest {max(r['shards_s']):.2f} s: 4 machines' wall clock)")
    print(f"  merge     {r['merge_s']:7.2f} s ({1000 * r['merge_s'] / size:.2f} ms/student)")
    print(f"  shard 1/{THIN} {r['thin_s']:.2f} s; reading the whole class (key + "
          f"submissions) {r['reading_s']:.2f} s")
    k = model(r)
    print(f"  model: c={k['c']:.1f} s fixed; per student a={1000 * k['a']:.2f} ms (every "
          f"shard), b={1000 * k['b']:.2f} ms (graded once), m={1000 * k['m']:.2f} ms (merge); "
          "2 cores per machine")
    for size_ in (20_000, 100_000):
        cells = ", ".join(f"N={n}: {predict(k, size_, n) / 60:.1f} min" for n in (1, 4, 16, 64))
        print(f"  predicted {size_:>7,} students: {cells}")


if __name__ == "__main__":
    main()
