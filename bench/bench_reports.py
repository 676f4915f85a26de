"""Benchmark: rendering the class report (and every student's page) for a large class.

    PYTHONPATH=. .venv/bin/python bench/bench_reports.py [--students 1000] [--repeat 5]

The class is fabricated by grader.app.sample (real exercises and variants, made-up
verdicts); building it is not timed. Prints medians of the repeats.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from grader.outputs.reports import render_class_report, render_reports, render_student_report
    from grader.app.sample import sample_class

    start = time.perf_counter()
    results, prompts = sample_class(args.students, seed=1)
    print(f"fabricated {len(results)} results in {time.perf_counter() - start:.2f} s (not timed)")
    render_class_report(results[:5])  # import matplotlib, compile templates: not timed

    page: list[str] = []
    t_class = _median_seconds(lambda: page.append(render_class_report(results)), args.repeat)
    print(f"class report, {len(results)} students: median {t_class:.2f} s "
          f"over {args.repeat} runs ({len(page[-1]) / 1e6:.1f} MB of HTML)")
    def students_in_memory() -> None:
        for r in results:
            render_student_report(r, prompts=prompts.get(r.folder))

    t_students = _median_seconds(students_in_memory, max(1, args.repeat // 2))
    print(f"{len(results)} student reports rendered in memory: median {t_students:.2f} s "
          f"({1000 * t_students / len(results):.1f} ms per student)")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = iter(range(1000))  # a new folder each run: nothing is skipped as unchanged
        t_all = _median_seconds(
            lambda: render_reports(Path(tmp) / str(next(fresh)), results=results,
                                   prompts=prompts),
            max(1, args.repeat // 2))
    print(f"all pages (class report + {len(results)} student reports, written to disk): "
          f"median {t_all:.2f} s ({1000 * t_all / len(results):.1f} ms per student, "
          "prompts stored too)")


if __name__ == "__main__":
    main()
