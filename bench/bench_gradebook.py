"""Benchmark: how much the gradebook grows per student per run, schema v3 beside the v2 layout.

Issue 15, part 4: the v2 gradebook stored every result's whole JSON and its part rows again in
every run, even when a `--force` regrade produced a byte-identical document. Schema v3 stores
each distinct document once (by SHA-256, zlib-compressed) with its part rows, and a run adds a
row per student that refers to it.

A fabricated class (4 typed exercises: KL, Bayes, gradient descent, eigenvectors; every fifth
student with a wrong posterior) is graded three times through `grade_assignment` (the call
`grader grade` makes):

1. **first**: a full grade into an empty results folder;
2. **unchanged**: `--force`, nothing changed (every document byte-identical to the last);
3. **changed**: every student's answers changed (right ones made wrong, wrong ones right), so
   every document is new: the worst case for v3.

The v2 layout is measured in the same runs: every `Gradebook.record` (and `start_run`) also
writes the rows v2 wrote (the whole JSON text, the part rows with their feedback) into a second
file created from the v2 schema (MIGRATIONS[:2]), in the same WAL mode. The submissions,
first_seen and runs rows, alike in both layouts, go to the v3 file only, which if anything
favours v2. Sizes are the files' after a TRUNCATE checkpoint; growth is per student per run.
Medians over --repeat fresh folders.

Usage: PYTHONPATH=. python bench/bench_gradebook.py [--students 200] [--repeat 3] [--jobs N]
       [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.app.fabricate import Course, numbered_roster  # noqa: E402
from grader.app.grade import grade_assignment  # noqa: E402
from grader.grading import gradebook as G  # noqa: E402
from grader.outputs.exports import result_json  # noqa: E402

SECRET_ENV = "GRADER_BENCH_SECRET"
EXERCISES = ["info-kl-divergence", "prob-bayes", "opt-gradient-descent", "la-eigen-symmetric"]
ASSIGNMENT = f"""\
id: bench-book
title: Gradebook growth
secret: {{env: {SECRET_ENV}}}
exercises: {json.dumps(EXERCISES)}
reveal: always
"""
STEPS = ("first", "unchanged", "changed")


class V2Shadow:
    """A v2-layout gradebook written beside the real one with the same rows, in the same runs."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        for script in G.MIGRATIONS[:2]:  # v0 -> v1 -> v2, verbatim
            self.db.executescript(script)
        self.path = path

    def start_run(self, run: int, kw: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, '', NULL)",
                        (run, kw["assignment"], kw["grader_version"],
                         json.dumps(dict(kw["spec_hashes"]), sort_keys=True),
                         kw["sandbox_level"]))

    def record(self, run: int, r: Any, fingerprint: str, document: str | None) -> None:
        """What v2's Gradebook.record wrote (its submissions rows are the same as v3's)."""
        self.db.execute("BEGIN IMMEDIATE")
        self.db.executemany(
            "INSERT OR REPLACE INTO part_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run, r.student_id, p.exercise_id, p.part_id, p.score, p.max_score, p.status,
              p.mistake, p.feedback) for p in r.parts()])
        self.db.execute("INSERT OR REPLACE INTO student_results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (run, r.student_id, r.assignment_id, r.status, r.score, r.max_score,
                         fingerprint, document or result_json(r)))
        self.db.execute("COMMIT")


def size(path: Path) -> int:
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path.stat().st_size


def shadowed(shadow: V2Shadow) -> tuple[Any, Any]:
    """Gradebook.start_run and .record that also write the v2 rows (the originals, to restore).
    """
    start, record = G.Gradebook.start_run, G.Gradebook.record

    def start_run(self: G.Gradebook, **kw: Any) -> int:
        run = start(self, **kw)
        shadow.start_run(run, kw)
        return run

    def record_both(self: G.Gradebook, run: int, result: Any, *, fingerprint: str,
                    received_time: str | None, path: str | None,
                    document: str | None = None) -> None:
        record(self, run, result, fingerprint=fingerprint, received_time=received_time,
               path=path, document=document)
        shadow.record(run, result, fingerprint, document)

    G.Gradebook.start_run, G.Gradebook.record = start_run, record_both  # type: ignore
    return start, record


def change_answers(course: Course) -> None:
    """Every student's posterior flipped between right and wrong: every document changes."""
    for s in course.roster:
        path = course.subs / s["folder"] / "answers.yaml"
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))
        right = course.right(s["id"])["prob-bayes"]["posterior"]
        answers["prob-bayes"]["posterior"] = right if answers["prob-bayes"]["posterior"] == 0.5 \
            else 0.5
        path.write_text(yaml.safe_dump(answers), encoding="utf-8")


def hand_in(course: Course) -> None:
    for i, s in enumerate(course.roster):
        answers = course.right(s["id"])
        if i % 5 == 1:
            answers["prob-bayes"]["posterior"] = 0.5
        course.folder_submission(s["id"], answers, None)


def one_repeat(root: Path, n: int, jobs: int | None) -> dict[str, dict[str, float]]:
    course = Course.open(root)  # a fresh, empty subs/
    hand_in(course)
    out = root / "results"
    out.mkdir()
    shadow = V2Shadow(root / "v2.sqlite")
    start, record = shadowed(shadow)
    grown: dict[str, dict[str, float]] = {}
    try:
        for step in STEPS:
            if step == "changed":
                change_answers(course)
            before = {"v3": size(out / "gradebook.sqlite"), "v2": size(shadow.path)} \
                if step != "first" else {"v3": 0, "v2": 0}  # the empty schema counts too
            done = grade_assignment(course.assignment, course.subs, out, key_dir=course.build,
                                    jobs=jobs, force=step == "unchanged")
            assert done.graded == n, (step, done.graded)
            grown[step] = {"v3": (size(out / "gradebook.sqlite") - before["v3"]) / n,
                           "v2": (size(shadow.path) - before["v2"]) / n}
    finally:
        G.Gradebook.start_run, G.Gradebook.record = start, record  # type: ignore
        shadow.db.close()
    grown["file"] = {"v3": size(out / "gradebook.sqlite"), "v2": size(shadow.path)}
    return grown


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--json", action="store_true", help="print the measurements as JSON")
    args = ap.parse_args()
    os.environ.setdefault(SECRET_ENV, "bench-gradebook-secret-0123456789abcdef")
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        base = Course.create(Path(tmp) / "course", ASSIGNMENT, numbered_roster(args.students))
        rows = []
        for i in range(args.repeat):
            root = Path(tmp) / f"r{i}"
            root.mkdir()
            for name in ("assignment.yaml", "roster.csv"):
                (root / name).write_bytes((base.root / name).read_bytes())
            os.symlink(base.build, root / "build")
            rows.append(one_repeat(root, args.students, args.jobs))
    report(rows, args.students, as_json=args.json)


def report(rows: list[dict[str, dict[str, float]]], n: int, *, as_json: bool) -> None:
    med = {step: {v: statistics.median(r[step][v] for r in rows) for v in ("v2", "v3")}
           for step in (*STEPS, "file")}
    if as_json:
        print(json.dumps({"students": n, "repeats": rows, "median": med}, indent=1))
        return
    print(f"{n} students, medians of {len(rows)} repeats; bytes per student per run")
    print(f"{'run':<28}{'v2 layout':>12}{'v3':>12}{'v2 / v3':>10}")
    label = {"first": "first grade", "unchanged": "unchanged regrade --force",
             "changed": "changed regrade"}
    for step in STEPS:
        v2, v3 = med[step]["v2"], med[step]["v3"]
        print(f"{label[step]:<28}{v2:>12,.0f}{v3:>12,.0f}{v2 / v3:>9.1f}x")
    print(f"{'file after 3 runs (bytes)':<28}{med['file']['v2']:>12,.0f}"
          f"{med['file']['v3']:>12,.0f}{med['file']['v2'] / med['file']['v3']:>9.1f}x")


if __name__ == "__main__":
    main()
