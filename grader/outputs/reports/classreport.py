"""The class report page (`DIR/index.html`): distribution, exercises, mistakes, late work, roster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from grader.outputs.reports import plots
from grader.outputs.reports.classstats import ClassStats, class_stats
from grader.outputs.reports.files import write_if_changed
from grader.outputs.reports.student import NOT_GRADED_TEXT, percent, points
from grader.core.timeview import time_view
from grader.outputs.pages import page_href
from grader.grading.results import StudentResult

PLOT_CACHE = Path(".cache") / "plots"  # beside index.html: the plots of the last render
STATUS_TEXT = {"graded": "graded", "missing": "no submission", "empty": "empty submission",
               "unknown_student": "not on the roster", "tampered": "tampered"}


@dataclass(frozen=True)
class Cell:
    score: float
    max_score: float

    @property
    def percent(self) -> float:
        return 100 * self.score / self.max_score if self.max_score else 0.0


@dataclass(frozen=True)
class RosterRow:
    result: StudentResult
    href: str
    status_text: str
    cells: tuple[Cell | None, ...]  # by exercise number


@dataclass(frozen=True)
class Column:
    number: int
    title: str




def columns(results: Sequence[StudentResult]) -> list[Column]:
    """One column per exercise position; a `pick:` slot says so instead of naming one title."""
    titles: dict[int, set[str]] = defaultdict(set)
    for r in results:
        for e in r.exercises:
            titles[e.number].add(e.title)
    return [Column(n, next(iter(t)) if len(t) == 1 else f"one of {len(t)} exercises")
            for n, t in sorted(titles.items())]


def roster_rows(results: Sequence[StudentResult], cols: Sequence[Column]) -> list[RosterRow]:
    rows = []
    for r in results:
        by_number = {e.number: Cell(e.score, e.max_score) for e in r.exercises}
        rows.append(RosterRow(r, page_href(r), STATUS_TEXT.get(r.status, r.status),
                              tuple(by_number.get(c.number) for c in cols)))
    return rows


def signed(x: float | None) -> str:
    """A correlation or index to two places, or a dash when it is undefined."""
    return "—" if x is None else f"{x:+.2f}".replace("-", "−")


def weak_sandbox_sentences(levels: Sequence[str]) -> list[str]:
    """For each weaker-than-full sandbox level some results ran at: what it meant, the fix."""
    from grader.sandbox.platform import level_gaps, level_sentence

    return [level_sentence(lv) for lv in levels if level_gaps(lv)]


def class_context(results: Sequence[StudentResult], *, assignment_title: str | None = None,
                  assignment_id: str | None = None,
                  plot_cache: Path | None = None) -> dict[str, Any]:
    """Everything class_report.html needs; plots are reused from `plot_cache` when given."""
    st: ClassStats = class_stats(results)
    aid = assignment_id or (results[0].assignment_id if results else "")
    title = assignment_title or aid
    cols = columns(results)
    bands = [(f"{e.number}. {e.id}", e.bands) for e in st.exercises]
    return {
        "title": f"{title}: class report",
        "assignment_title": title,
        "assignment_id": aid,
        "st": st,
        "histogram_svg": Markup(plots.cached(
            plot_cache, "totals", (st.histogram, st.mean),
            lambda: plots.score_histogram(st.histogram, mean=st.mean))),
        "bands_svg": Markup(plots.cached(
            plot_cache, "exercises", bands,
            lambda: plots.exercise_bands(bands))) if st.exercises else None,
        "columns": cols,
        "rows": roster_rows(results, cols),
        "not_graded_text": NOT_GRADED_TEXT,
        "pts": points, "pct": percent, "signed": signed, "time_view": time_view,
        "href": page_href,
        "sandbox_sentences": weak_sandbox_sentences(st.sandbox_levels),
        "budget_lost": budget_rows(results),
    }


def budget_rows(results: Sequence[StudentResult]) -> list[tuple[StudentResult, str]]:
    """Students whose function cases were not run because a function's time budget ran out."""
    from grader.grading.functions import lost_to_budget

    rows = []
    for r in results:
        lost = [f"{e.id}.{p.part_id}: {n} of {len(p.cases)} cases" for e in r.exercises
                for p in e.parts if (n := sum(lost_to_budget(c) for c in p.cases))]
        if lost:
            rows.append((r, "; ".join(lost)))
    return rows


def render_class_report(results: Sequence[StudentResult], *, assignment_title: str | None = None,
                        assignment_id: str | None = None, out_path: Path | None = None) -> str:
    """Render the class report; write it to out_path (atomically, only if changed) when given."""
    from grader.core.render import render

    cache = Path(out_path).parent / PLOT_CACHE if out_path is not None else None
    page = render("class_report.html", **class_context(
        results, assignment_title=assignment_title, assignment_id=assignment_id,
        plot_cache=cache))
    if out_path is not None:
        write_if_changed(Path(out_path), page)
    return page
