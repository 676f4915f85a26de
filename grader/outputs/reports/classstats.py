"""The class report's numbers: from a class's StudentResults to per-exercise statistics.

See grader.outputs.reports.stats for the definitions; this module only groups results and
calls them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from grader.outputs.reports import stats
from grader.grading.results import ExerciseResult, StudentResult

TOP_MISTAKES = 5
COUNTED_STATUS = "graded"  # per-exercise statistics: only work that was read and graded
# The class mean (CLI, Markdown summary, class report): over the students who handed in work.
# An empty or tampered submission counts with its score (0); a missing student does not, and
# how many are missing is always said beside the mean.
HANDED_IN = ("graded", "empty", "tampered")
MEAN_DEFINITION = ("mean over the students who handed in work (graded, empty or tampered); "
                   "missing students are not counted")


@dataclass(frozen=True)
class ClassMean:
    """The one class mean grader shows, with who it counts."""

    percent: float | None  # None when nobody handed in work
    counted: int
    missing: int

    def text(self) -> str:
        """'mean 72.5% over the 18 students who handed in work (2 missing, not counted)'."""
        if self.percent is None:
            return f"no mean: nobody handed in work ({self.missing} missing)"
        return (f"mean {self.percent:.1f}% over the {self.counted} student(s) who handed in "
                f"work ({self.missing} missing, not counted)")


def class_mean(results: Sequence[StudentResult]) -> ClassMean:
    """The class mean (after late penalties) as MEAN_DEFINITION says; the only one grader uses."""
    percents = [r.percent for r in results if r.status in HANDED_IN]
    return ClassMean(stats.mean(percents), len(percents),
                     sum(1 for r in results if r.status == "missing"))


@dataclass(frozen=True)
class MistakeCount:
    part_id: str
    name: str
    count: int


@dataclass(frozen=True)
class ExerciseStats:
    """One exercise over the students who had it (a `pick:` slot gives students different ones)."""

    id: str
    title: str
    number: int  # its position in the set (the first one seen, for picked exercises)
    students: int
    max_score: float
    mean_score: float
    difficulty: float  # mean fraction of the points
    discrimination: float | None  # item-rest correlation
    upper_lower: float | None
    bands: tuple[int, int, int, int]  # none, under half, half or more, full
    mistakes: tuple[MistakeCount, ...]
    format_errors: int
    missing_parts: int


@dataclass(frozen=True)
class ClassStats:
    roster: int
    graded: int
    handed_in: int  # counted in the mean and the distribution (HANDED_IN)
    missing: int
    percents: tuple[float, ...]  # after the late penalty, students who handed in work
    mean: float | None
    median: float | None
    sd: float | None
    low: float | None
    high: float | None
    histogram: tuple[int, ...]
    exercises: tuple[ExerciseStats, ...]
    late: tuple[StudentResult, ...]
    attention: tuple[StudentResult, ...]  # not graded: missing, empty, tampered, unknown
    sandbox_levels: tuple[str, ...]
    grader_versions: tuple[str, ...]


def class_stats(results: Sequence[StudentResult]) -> ClassStats:
    """Every number the class report shows, for results in a stable order."""
    graded = [r for r in results if r.status == COUNTED_STATUS]
    percents = tuple(r.percent for r in results if r.status in HANDED_IN)
    mean = class_mean(results)
    return ClassStats(
        roster=len(results), graded=len(graded), handed_in=mean.counted, missing=mean.missing,
        percents=percents,
        mean=mean.percent, median=stats.median(percents), sd=stats.stdev(percents),
        low=min(percents, default=None), high=max(percents, default=None),
        histogram=tuple(stats.histogram(percents)),
        exercises=exercise_stats(graded),
        late=tuple(sorted((r for r in results if r.late and r.late.days_late > 0),
                          key=lambda r: (-r.late.days_late if r.late else 0, r.student_id))),
        attention=tuple(r for r in results if r.status != COUNTED_STATUS),
        sandbox_levels=tuple(sorted({r.sandbox_level for r in results if r.sandbox_level})),
        grader_versions=tuple(sorted({r.grader_version for r in results if r.grader_version})),
    )


def exercise_stats(graded: Sequence[StudentResult]) -> tuple[ExerciseStats, ...]:
    """Per exercise id: difficulty, discrimination, score bands and the common mistakes."""
    rows: dict[str, list[tuple[ExerciseResult, StudentResult]]] = defaultdict(list)
    for r in graded:
        for e in r.exercises:
            rows[e.id].append((e, r))
    out = [_one_exercise(pairs) for pairs in rows.values()]
    return tuple(sorted(out, key=lambda s: (s.number, s.id)))


def _fraction(score: float, max_score: float) -> float:
    return score / max_score if max_score else 0.0


def _one_exercise(pairs: list[tuple[ExerciseResult, StudentResult]]) -> ExerciseStats:
    first = pairs[0][0]
    item = [_fraction(e.score, e.max_score) for e, _ in pairs]
    # The rest of the total as a fraction, so students whose other exercises carry different
    # points (a `pick:` slot) stay comparable.
    rest = [_fraction(r.raw_score - e.score, r.max_score - e.max_score) for e, r in pairs]
    totals = [_fraction(r.raw_score, r.max_score) for _, r in pairs]
    parts = [p for e, _ in pairs for p in e.parts]
    return ExerciseStats(
        id=first.id, title=first.title, number=min(e.number for e, _ in pairs),
        students=len(pairs), max_score=max(e.max_score for e, _ in pairs),
        mean_score=sum(e.score for e, _ in pairs) / len(pairs),
        difficulty=sum(item) / len(item),
        discrimination=stats.correlation(item, rest),
        upper_lower=stats.upper_lower_index(item, totals),
        bands=stats.score_bands(item),
        mistakes=top_mistakes(pairs),
        format_errors=sum(1 for p in parts if p.status == "format_error"),
        missing_parts=sum(1 for p in parts if p.status == "missing"))


def top_mistakes(pairs: Sequence[tuple[ExerciseResult, StudentResult]], *,
                 limit: int = TOP_MISTAKES) -> tuple[MistakeCount, ...]:
    """The recognised mistakes most often made in one exercise, most frequent first."""
    counts = Counter((p.part_id, p.mistake) for e, _ in pairs for p in e.parts if p.mistake)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(MistakeCount(part, name, n) for (part, name), n in ranked[:limit])
