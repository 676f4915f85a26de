"""Benchmark: how grader grows with the class (issue 15, part 4).

Side by side in one run, each in its own child process (so that the peak RSS is that command's
own, read from the kernel with os.wait4):

1. **generate** a typed class of N students (default 1,000 and 5,000; 4 exercises: KL, Bayes,
   gradient descent, eigenvectors) into a fresh folder: wall, CPU, peak RSS, the size of
   key/index.html and the largest key file. With `--old TREE` the same command also runs from
   an older checkout (e.g. `git archive` of the commit before), alternately with this one.
2. **grade** classes of `--grade-students` (comma-separated, default 1,000; e.g. 1000,5000;
   submissions fabricated from the key: right answers, every fifth student a wrong
   posterior): a full grade (`--force`), then an unchanged regrade (nothing changed, no
   `--force`), `--repeat` pairs, timed inside the child around `grade_assignment` (imports
   excluded; the same call `grader grade` makes), with the peak RSS of the child and its
   workers. Reports each pair's regrade / full ratio and their median. Then **report**:
   `grader report` re-renders every page from the stored results (wall, peak RSS).

Usage: PYTHONPATH=. python bench/bench_class_growth.py [--sizes 1000,5000]
       [--grade-students 1000[,5000]] [--repeat 3] [--old TREE] [--skip-generate] [--skip-grade]
       [--jobs N] [--json]
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
EXERCISES = ["info-kl-divergence", "prob-bayes", "opt-gradient-descent", "la-eigen-symmetric"]
SECRET = "bench-class-growth-secret-0123456789abcdef"
GRADE_CHILD = """\
import json, sys, time
from pathlib import Path
from grader.app.grade import grade_assignment
a, subs, out, key, force, jobs = sys.argv[1:7]
start = time.perf_counter(); cpu = time.process_time()
s = grade_assignment(Path(a), Path(subs), Path(out), key_dir=Path(key), force=force == "1",
                     jobs=int(jobs) if jobs != "0" else None)
import resource
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # KiB on Linux
print(json.dumps({"seconds": time.perf_counter() - start,
                  "cpu": time.process_time() - cpu, "graded": s.graded, "skipped": s.skipped,
                  "peak_kb": peak}))
"""


def measured(cmd: list[str], tree: Path) -> dict:
    """cmd in a child: wall, CPU and peak RSS from the kernel's accounting of that child."""
    env = {**os.environ, "PYTHONPATH": str(tree), "GRADER_BENCH_SECRET": SECRET,
           "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    # not from this folder: `python -m grader` would import the checkout in the working folder
    proc = subprocess.Popen([sys.executable, *cmd], env=env, cwd=tempfile.gettempdir())
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd} failed with status {status}")
    return {"seconds": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024}  # ru_maxrss is in KiB on Linux


def write_course(root: Path, n: int) -> tuple[Path, Path]:
    root.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"s{i:05d},Student {i},s{i}@example.org\n" for i in range(n))
    (root / "roster.csv").write_text("id,name,email\n" + rows, encoding="utf-8")
    a = root / "assignment.yaml"
    a.write_text("id: growth\ntitle: Growth\nsecret: {env: GRADER_BENCH_SECRET}\n"
                 f"exercises: {json.dumps(EXERCISES)}\nreveal: always\n", encoding="utf-8")
    return a, root / "roster.csv"


def run_generate(tree: Path, n: int, tmp: Path, label: str) -> dict:
    a, roster = write_course(tmp / f"course-{n}", n)
    out = tmp / f"build-{n}-{label}"
    shutil.rmtree(out, ignore_errors=True)
    row = measured(["-m", "grader", "generate", str(a), "--roster", str(roster), "--out",
                    str(out)], tree)
    key = out / "key"
    pages = [p.stat().st_size for p in key.glob("*.html") if p.name != "index.html"]
    row.update(code=label, students=n, index_mb=(key / "index.html").stat().st_size / 1e6,
               largest_key_page_mb=max(pages, default=0) / 1e6)
    return row


def fabricate(build: Path, subs: Path) -> None:
    for i, path in enumerate(sorted((build / "key").glob("*.json"))):
        if path.name == "roster.json":
            continue
        key = json.loads(path.read_text(encoding="utf-8"))
        folder = subs / key["student"]["folder"]
        folder.mkdir(parents=True)
        shutil.copy(build / key["student"]["folder"] / "grader.json", folder / "grader.json")
        answers = {e["id"]: dict(e["answers"]) for e in key["exercises"] if e["answers"]}
        if i % 5 == 1:
            answers["prob-bayes"]["posterior"] = 0.5
        (folder / "answers.yaml").write_text(yaml.safe_dump(answers), encoding="utf-8")


def grade_pairs(tree: Path, n: int, tmp: Path, *, repeat: int, jobs: int | None,
                label: str) -> dict:
    """Full grade then unchanged regrade, `repeat` times, timed inside the child."""
    a, roster = write_course(tmp / f"course-{n}", n)
    build, subs = tmp / f"gbuild-{n}", tmp / f"subs-{n}"
    if not (build / "key" / "roster.json").exists():
        env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADER_BENCH_SECRET": SECRET}
        subprocess.run([sys.executable, "-m", "grader", "generate", str(a), "--roster",
                        str(roster), "--out", str(build)], check=True, capture_output=True,
                       env=env)
        fabricate(build, subs)
    out = tmp / f"results-{n}-{label}"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(tree), "GRADER_BENCH_SECRET": SECRET}
    pairs = []
    for _ in range(repeat):
        pair = []
        for force in ("1", "0"):
            pair.append(child_json([sys.executable, "-c", GRADE_CHILD, str(a), str(subs),
                                    str(out), str(build), force, str(jobs or 0)], env))
        pairs.append(pair)
    report = measured(["-m", "grader", "report", str(out)], tree)  # every page, from the JSON
    ratios = [again["seconds"] / full["seconds"] for full, again in pairs]
    cpu = [again["cpu"] / full["cpu"] for full, again in pairs]
    return {"code": label, "students": n,
            "full": [p[0]["seconds"] for p in pairs], "again": [p[1]["seconds"] for p in pairs],
            "full_peak_mb": max(p[0]["peak_mb"] for p in pairs),
            "again_peak_mb": max(p[1]["peak_mb"] for p in pairs),
            "report_seconds": report["seconds"], "report_peak_mb": report["peak_mb"],
            "ratios": ratios, "median_ratio": statistics.median(ratios),
            "cpu_ratios": cpu, "median_cpu_ratio": statistics.median(cpu)}


def child_json(cmd: list[str], env: dict[str, str]) -> dict:
    """Run a timing child; its last stdout line (JSON) plus its peak RSS (with its workers':
    the largest of the process tree's, as the kernel accounts a waited-for child)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=tempfile.gettempdir())
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"grading failed:\n{err.decode()[-3000:]}")
    row = json.loads(out.decode().strip().splitlines()[-1])
    row["peak_mb"] = row.pop("peak_kb", 0) / 1024
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,5000")
    ap.add_argument("--grade-students", default="1000",
                    help="class sizes to grade, comma-separated (e.g. 1000,5000)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--old", type=Path, help="an older checkout to run side by side")
    ap.add_argument("--skip-generate", action="store_true")
    ap.add_argument("--skip-grade", action="store_true")
    ap.add_argument("--jobs", type=int)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    trees = [("new", ROOT)] + ([("old", args.old.resolve())] if args.old else [])
    report: dict = {"generate": [], "grade": []}
    with tempfile.TemporaryDirectory(prefix="grader-growth-") as name:
        tmp = Path(name)
        if not args.skip_generate:
            for n in (int(x) for x in args.sizes.split(",")):
                for label, tree in trees:
                    row = run_generate(tree, n, tmp, label)
                    report["generate"].append(row)
                    print(f"generate {n:>6} students ({label}): {row['seconds']:.1f} s wall, "
                          f"{row['cpu']:.1f} s CPU, peak RSS {row['peak_mb']:.0f} MB, "
                          f"key/index.html {row['index_mb']:.2f} MB, largest key page "
                          f"{row['largest_key_page_mb']:.3f} MB", flush=True)
                    shutil.rmtree(tmp / f"build-{n}-{label}", ignore_errors=True)
        if not args.skip_grade:
            for n in (int(x) for x in args.grade_students.split(",")):
                for label, tree in trees:
                    row = grade_pairs(tree, n, tmp, repeat=args.repeat, jobs=args.jobs,
                                      label=label)
                    report["grade"].append(row)
                    print_grade(row, label)
    if args.json:
        print(json.dumps(report, indent=1))


def print_grade(row: dict, label: str) -> None:
    print(f"grade {row['students']} students ({label}): full "
          f"{', '.join(f'{x:.2f}' for x in row['full'])} s (peak RSS "
          f"{row['full_peak_mb']:.0f} MB); unchanged regrade "
          f"{', '.join(f'{x:.2f}' for x in row['again'])} s (peak RSS "
          f"{row['again_peak_mb']:.0f} MB); regrade/full "
          f"{', '.join(f'{x:.1%}' for x in row['ratios'])} (median "
          f"{row['median_ratio']:.1%}; CPU {row['median_cpu_ratio']:.1%}); "
          f"grader report {row['report_seconds']:.2f} s (peak RSS "
          f"{row['report_peak_mb']:.0f} MB)", flush=True)


if __name__ == "__main__":
    main()
