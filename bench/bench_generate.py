"""Benchmark `grader generate`: 300 students over a 10-exercise assignment.

Builds the roster and the assignment in a temporary folder, then times:

- `grader generate` in-process (the library call), median of --runs, each into a fresh folder
  and with grader's formula caches emptied, so every run pays the full cost;
- `grader generate` as a CLI subprocess, the way an instructor runs it (imports included);
- a rerun of the CLI into the same folder, where nothing changes and nothing is written;
- the alternative without the batch command: one fresh `grader generate` process per student
  (a one-line roster each), which is what a script calling grader student by student pays.
  It is timed on --sample students and scaled to the whole roster (it is linear: each process
  does the same work);
- a shell loop of `grader preview ID --seed N --html` per student and exercise, the only way to
  get per-student pages with the instructor commands alone; also sampled and scaled.

Run it from the repository root (see bench/README.md for the fresh-venv command):

    python bench/bench_generate.py [--students 300] [--runs 3] [--sample 10] [--json]

Wall-clock times depend on the machine's load; CPU seconds (user + system) are shown beside
them because they do not.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SECRET = "bench-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
EXERCISES = [  # ten exercises over every topic: prompts with matrices, fractions, sums
    "info-kl-divergence", "la-eigen-symmetric", "opt-gradient-descent", "prob-bayes",
    "ml-perceptron", "la-matmul", "calc-derivative", "info-mutual-information",
    "prob-covariance", "impl-softmax",
]
FIRST = ["Ada", "Alan", "Grace", "李", "Émile", "Katherine", "Claude", "Hanna", "Srinivasa", "Zoë"]
LAST = ["Lovelace", "Turing", "Hopper", "雷", "Borel", "Johnson", "Shannon", "Müller", "Ramanujan"]


def write_course(root: Path, students: int) -> tuple[Path, Path]:
    """assignment.yaml and roster.csv for the benchmark (ids partly non-ASCII on purpose)."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["id: bench-week", 'title: "Benchmark week"', "secret: {env: GRADER_SECRET}",
             "exercises:", *(f"  - {e}" for e in EXERCISES), "reveal: after_due",
             "due: 2026-12-01T23:59:00+00:00"]
    (root / "assignment.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = ["id,name,email"]
    for i in range(students):
        sid = f"s{i:04d}" if i % 10 else f"Étudiant-{i:04d}"
        name = f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}"
        rows.append(f"{sid},{name},student{i}@example.edu")
    (root / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root / "assignment.yaml", root / "roster.csv"


def locate_grader() -> str:
    """The installed grader when there is one (a fresh venv), else this checkout's."""
    try:
        import grader
    except ImportError:
        repo = str(Path(__file__).resolve().parent.parent)
        sys.path.insert(0, repo)
        path = os.environ.get("PYTHONPATH", "")
        os.environ["PYTHONPATH"] = f"{repo}{os.pathsep}{path}" if path else repo
        import grader
    return str(Path(grader.__file__).parent)


def env() -> dict[str, str]:
    return {**os.environ, "GRADER_SECRET": SECRET, "NO_COLOR": "1"}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn: Callable[[], object], cpu: Callable[[], float]) -> tuple[float, float]:
    c0, t0 = cpu(), time.perf_counter()
    fn()
    return time.perf_counter() - t0, cpu() - c0


def grader(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def clear_caches() -> None:
    """Empty grader's in-process memo caches so that each in-process run starts cold."""
    from grader.core import markup

    for name in ("_mathml", "render_markdown"):
        clear = getattr(getattr(markup, name, None), "cache_clear", None)
        if clear is not None:
            clear()


def median_of(samples: list[tuple[float, float]]) -> dict[str, float]:
    return {"wall": statistics.median(s[0] for s in samples),
            "cpu": statistics.median(s[1] for s in samples),
            "runs": len(samples)}


def bench_in_process(root: Path, runs: int) -> dict[str, float]:
    from grader.course.generate import generate

    os.environ["GRADER_SECRET"] = SECRET
    samples = []
    for i in range(runs):
        clear_caches()
        out = root / f"inproc-{i}"
        run = functools.partial(generate, root / "assignment.yaml", root / "roster.csv", out)
        samples.append(timed(run, self_cpu))
        shutil.rmtree(out)
    return median_of(samples)


def bench_cli(root: Path, runs: int) -> tuple[dict[str, float], dict[str, float]]:
    fresh, rerun = [], []
    for i in range(runs):
        args = ("generate", "assignment.yaml", "--roster", "roster.csv", "--out", f"cli-{i}")
        fresh.append(timed(functools.partial(grader, *args, cwd=root), children_cpu))
        rerun.append(timed(functools.partial(grader, *args, cwd=root), children_cpu))
        if i:
            shutil.rmtree(root / f"cli-{i}")
    return median_of(fresh), median_of(rerun)


def bench_per_student_process(root: Path, sample: int, students: int) -> dict[str, float]:
    roster = (root / "roster.csv").read_text(encoding="utf-8").splitlines()
    work = root / "one-by-one"
    work.mkdir()
    shutil.copy(root / "assignment.yaml", work / "assignment.yaml")

    def loop() -> None:
        for _, row in enumerate(roster[1:sample + 1]):
            (work / "one.csv").write_text(f"{roster[0]}\n{row}\n", encoding="utf-8")
            grader("generate", "assignment.yaml", "--roster", "one.csv", "--out", "out", cwd=work)

    wall, cpu = timed(loop, children_cpu)
    scale = students / sample
    return {"wall": wall * scale, "cpu": cpu * scale, "sampled": sample}


def bench_preview_loop(root: Path, sample: int, students: int) -> dict[str, float]:
    work = root / "previews"
    work.mkdir()

    def loop() -> None:
        for s in range(sample):
            for ex in EXERCISES:
                grader("preview", ex, "--seed", str(s), "--html", f"{s}-{ex}.html", cwd=work)

    wall, cpu = timed(loop, children_cpu)
    scale = students / sample
    return {"wall": wall * scale, "cpu": cpu * scale, "sampled": sample}


def count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--sample", type=int, default=10,
                        help="students timed for the one-process-per-student alternatives")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args(argv)

    package = locate_grader()
    root = args.keep or Path(tempfile.mkdtemp(prefix="grader-bench-"))
    try:
        write_course(root, args.students)
        results = {
            "students": args.students, "exercises": len(EXERCISES),
            "python": platform.python_version(), "cpus": os.cpu_count(), "grader": package,
            "load_average_before": os.getloadavg()[0],
        }
        results["cli"], results["cli_rerun"] = bench_cli(root, args.runs)
        results["files"] = count_files(root / "cli-0")
        results["in_process"] = bench_in_process(root, args.runs)
        results["per_student_process"] = bench_per_student_process(root, args.sample,
                                                                   args.students)
        results["preview_loop"] = bench_preview_loop(root, max(1, args.sample // 3),
                                                     args.students)
        results["load_average_after"] = os.getloadavg()[0]
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(results, indent=2) if args.json else report(results))
    return 0


def scaled(sample: int, what: str, n: int) -> str:
    return f"{sample} {what} timed, scaled x{n / sample:g}"


def report(r: dict) -> str:
    n = r["students"]
    rows = [
        ("`grader generate` (CLI process, fresh folder)", r["cli"],
         f"median of {r['cli']['runs']}"),
        ("`grader generate` (in-process library call)", r["in_process"],
         f"median of {r['in_process']['runs']}"),
        ("`grader generate` rerun, nothing changed", r["cli_rerun"],
         f"median of {r['cli_rerun']['runs']}"),
        ("one `grader generate` process per student", r["per_student_process"],
         scaled(r["per_student_process"]["sampled"], "students", n)),
        ("`grader preview --html` per student and exercise", r["preview_loop"],
         scaled(r["preview_loop"]["sampled"], "students", n)),
    ]
    head = (f"{n} students x {r['exercises']} exercises, {r['files']} files; Python "
            f"{r['python']}, {r['cpus']} CPUs, load average {r['load_average_before']:.1f} -> "
            f"{r['load_average_after']:.1f}; grader from {r['grader']}")
    out = [head, "",
           "| approach | wall (s) | CPU (s) | per student (ms, wall) | how measured |",
           "| --- | ---: | ---: | ---: | --- |"]
    for label, m, how in rows:
        out.append(f"| {label} | {m['wall']:.2f} | {m['cpu']:.2f} | {1000 * m['wall'] / n:.1f} "
                   f"| {how} |")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
