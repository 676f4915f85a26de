"""Benchmark `grader generate --key-only` against a full `grader generate` (issue 15).

    python bench/bench_key_only.py [--sizes 200,1000] [--repeat 3] [--json]

Grading solution.py files the instructor already has needs only the key. The alternative a
user would otherwise pick is the full `generate` (a problem-set folder per student, unused
here). Both run as CLI processes, the way an instructor runs them, each into a fresh folder,
alternately (full, key-only, full, key-only, ...) so that each pair meets the same machine
state; the median of --repeat pairs is reported, with the ratio key-only / full of each pair's
wall time (median of the ratios).

Two assignments: a function-only one (the issue's six deep-learning functions) and the demo
course's assignment (typed answers over every topic and one function). Per run: wall seconds,
CPU seconds (user + system of that process), its peak RSS, the bytes and files it wrote.
Both runs' key/ folders are compared byte for byte (they must be equal).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-key-only-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
FUNCTIONS = ["impl-softmax", "impl-entropy", "impl-cross-entropy", "impl-kl-divergence",
             "impl-lp-norm", "impl-sigmoid-backward"]


def write_courses(root: Path, sizes: list[int]) -> dict[str, Path]:
    """functions.yaml, demo.yaml and roster-N.csv for every size."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "functions.yaml").write_text(
        "id: fclass\ntitle: Functions\nsecret: {env: GRADER_SECRET}\n"
        f"exercises: {json.dumps(FUNCTIONS)}\nreveal: always\n", encoding="utf-8")
    demo = (ROOT / "grader" / "demo" / "assignment.yaml").read_text(encoding="utf-8")
    (root / "demo.yaml").write_text(demo.replace("secret: {file: secret.txt}",
                                                 "secret: {env: GRADER_SECRET}"),
                                    encoding="utf-8")
    for n in sizes:
        rows = "".join(f"s{i:05d},Student {i},s{i}@example.org\n" for i in range(n))
        (root / f"roster-{n}.csv").write_text("id,name,email\n" + rows, encoding="utf-8")
    return {"function-only (6 functions)": root / "functions.yaml",
            "demo assignment (7 exercises)": root / "demo.yaml"}


def run_generate(root: Path, assignment: Path, n: int, out: Path,
                 key_only: bool) -> dict[str, float]:
    """One CLI run into a fresh folder: wall, CPU and peak RSS of that process, bytes written."""
    args = [sys.executable, "-m", "grader", "generate", str(assignment), "--roster",
            str(root / f"roster-{n}.csv"), "--out", str(out)] + (["--key-only"] if key_only
                                                                  else [])
    env = {**os.environ, "GRADER_SECRET": SECRET, "NO_COLOR": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"generate failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    files = [p for p in out.rglob("*") if p.is_file()]
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "bytes": sum(p.stat().st_size for p in files),
            "files": len(files)}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}


def bench_pair(root: Path, assignment: Path, n: int, repeat: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, float]]] = {"full": [], "key_only": []}
    for i in range(repeat):
        for mode in ("full", "key_only"):
            out = root / f"out-{mode}-{i}"
            runs[mode].append(run_generate(root, assignment, n, out, mode == "key_only"))
        if tree(root / f"out-full-{i}" / "key") != tree(root / f"out-key_only-{i}" / "key"):
            raise SystemExit(f"{assignment.name}, {n} students: the keys differ")
        for mode in runs:
            shutil.rmtree(root / f"out-{mode}-{i}")
    med = {mode: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
           for mode, rs in runs.items()}
    ratio = statistics.median(k["wall"] / f["wall"] for f, k in zip(runs["full"],
                                                                     runs["key_only"]))
    return {"students": n, **med, "wall_ratio": ratio, "same_key": True}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000", help="class sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="pairs of runs per size")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    root = Path(tempfile.mkdtemp(prefix="grader-bench-keyonly-"))
    try:
        courses = write_courses(root, sizes)
        results = {"python": platform.python_version(), "cpus": os.cpu_count(),
                   "load_average_before": os.getloadavg()[0], "repeat": args.repeat,
                   "rows": [{"assignment": name, **bench_pair(root, path, n, args.repeat)}
                            for name, path in courses.items() for n in sizes]}
        results["load_average_after"] = os.getloadavg()[0]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(results, indent=2) if args.json else report(results))
    return 0


def report(r: dict[str, Any]) -> str:
    out = [f"Python {r['python']}, {r['cpus']} CPUs, load average "
           f"{r['load_average_before']:.1f} -> {r['load_average_after']:.1f}; medians of "
           f"{r['repeat']} alternating pairs; every pair's key/ folders byte-identical", "",
           "| assignment | students | run | wall (s) | CPU (s) | peak RSS (MB) | written (MB) "
           "| files | key-only / full (wall) |",
           "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in r["rows"]:
        for mode, label in (("full", "`generate`"), ("key_only", "`generate --key-only`")):
            m = row[mode]
            ratio = f"{row['wall_ratio']:.2f}" if mode == "key_only" else ""
            out.append(f"| {row['assignment']} | {row['students']} | {label} | {m['wall']:.2f} "
                       f"| {m['cpu']:.2f} | {m['rss_mb']:.0f} | {m['bytes'] / 1e6:.1f} "
                       f"| {m['files']:.0f} | {ratio} |")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
