"""Benchmark: how long `grader --help` takes to start, next to the bare interpreter.

A user waits for this on every command, whatever it then does. Three commands, interleaved
round by round (so a busy moment hits all of them alike), each a fresh process:

  python -c pass              the floor: the interpreter (and the venv's site) alone
  python -c 'import click'    the CLI library grader is built on, alone
  grader --help               the console script: imports grader.cli and prints the help

Reported: the median wall time of each and grader's ratio to the floor and to click; then the
heaviest imports of `python -X importtime -c 'import grader.cli'` (cumulative, in ms), and
whether the sandbox package was among them (the CLI should load it only for commands that run
student code).

Usage: .venv/bin/python bench/bench_cli_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import click'": [sys.executable, "-c", "import click"],
    "grader --help": [str(BIN / "grader"), "--help"],
}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def import_times(top: int) -> tuple[list[tuple[float, str]], bool]:
    """The `top` heaviest imports of grader.cli (cumulative ms, module) and whether
    grader.sandbox was imported."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import grader.cli"],
                         check=True, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPROFILEIMPORTTIME": ""}).stderr
    rows = []
    for line in err.splitlines()[1:]:
        _, cumulative, name = line.split("|")
        rows.append((int(cumulative) / 1000, name.strip()))
    sandbox = any(name == "grader.sandbox" for _, name in rows)
    return sorted(rows, reverse=True)[:top], sandbox


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    for cmd in COMMANDS.values():  # warm the page cache and the .pyc files
        timed(cmd)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, cmd in COMMANDS.items():
            times[name].append(timed(cmd))
    med = {name: statistics.median(t) * 1000 for name, t in times.items()}
    print(f"median of {args.runs} runs each (interleaved):")
    for name, ms in med.items():
        print(f"  {name:28} {ms:7.1f} ms")
    grader, floor, click = med["grader --help"], med["python -c pass"], \
        med["python -c 'import click'"]
    print(f"grader --help: {grader / floor:.2f}x the bare interpreter, {grader / click:.2f}x "
          f"python + click; {grader - click:.0f} ms of grader's own")
    top, sandbox = import_times(8)
    print("heaviest imports of grader.cli (cumulative ms, one run):")
    for ms, name in top:
        print(f"  {ms:7.1f}  {name}")
    print(f"grader.sandbox imported by `import grader.cli`: {'yes' if sandbox else 'no'}")


if __name__ == "__main__":
    main()
