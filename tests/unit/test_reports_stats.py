"""Class statistics against hand-computed values and scipy as an independent oracle."""

from __future__ import annotations

import math

import pytest
from scipy import stats as sps

from grader.outputs.reports import stats
from grader.outputs.reports.classstats import class_stats
from grader.grading.results import ExerciseResult, LateInfo, PartResult, StudentResult


def test_mean_median_stdev_by_hand() -> None:
    assert stats.mean([1, 2, 6]) == 3
    assert stats.median([5, 1, 3]) == 3
    assert stats.median([4, 1, 3, 2]) == 2.5
    # population sd of 2, 4, 4, 4, 5, 5, 7, 9 is 2 (the textbook example)
    assert stats.stdev([2, 4, 4, 4, 5, 5, 7, 9]) == pytest.approx(2.0)
    assert stats.mean([]) is None and stats.median([]) is None and stats.stdev([]) is None


def test_histogram_bins_edges_and_out_of_range() -> None:
    counts = stats.histogram([0, 9.99, 10, 55, 99.9, 100, 105, -3])
    assert counts == [3, 1, 0, 0, 0, 1, 0, 0, 0, 3]


def test_correlation_by_hand() -> None:
    # x = 1, 2, 3 and y = 2, 4, 7: deviations (-1, 0, 1) and (-7/3, -1/3, 8/3),
    # Sxy = 5, Sxx = 2, Syy = 114/9, so r = 5 / sqrt(2 * 114 / 9).
    assert stats.correlation([1, 2, 3], [2, 4, 7]) == pytest.approx(5 / math.sqrt(228 / 9))
    assert stats.correlation([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


@pytest.mark.parametrize("xs, ys", [([1, 1, 1], [1, 2, 3]), ([1, 2], [2, 1]), ([], [])])
def test_correlation_undefined(xs: list, ys: list) -> None:
    assert stats.correlation(xs, ys) is None


def test_correlation_matches_scipy_pearson() -> None:
    xs = [0.1, 0.5, 0.4, 0.9, 1.0, 0.0, 0.7]
    ys = [0.3, 0.6, 0.2, 0.8, 0.9, 0.1, 0.4]
    assert stats.correlation(xs, ys) == pytest.approx(sps.pearsonr(xs, ys)[0])


def test_upper_lower_index_by_hand() -> None:
    # 10 students: k = round(2.7) = 3. Bottom three by total: ids 0, 1, 2 with item fractions
    # 0, 0, 1 (mean 1/3); top three: ids 7, 8, 9 with 1, 1, 1 (mean 1). D = 2/3.
    item = [0, 0, 1, 0, 1, 0, 1, 1, 1, 1]
    total = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert stats.upper_lower_index(item, total) == pytest.approx(2 / 3)
    assert stats.upper_lower_index([1], [5]) is None
    assert stats.upper_lower_index([0, 1], [1, 2]) == 1.0


def test_score_bands() -> None:
    assert stats.score_bands([0, 0.2, 0.5, 0.99, 1.0, 1.0]) == (1, 1, 2, 2)


def _student(sid: str, scores: list[tuple[float, float]], *, status: str = "graded",
             late_days: int = 0) -> StudentResult:
    exercises = tuple(
        ExerciseResult(f"ex{i}", i + 1, f"Exercise {i}", s, m, (
            PartResult(f"ex{i}", "a", "scalar", s, m, "correct" if s == m else "wrong", "",
                       mistake=None if s == m else "sign flipped"),))
        for i, (s, m) in enumerate(scores))
    raw = sum(s for s, _ in scores)
    return StudentResult("a1", sid, sid.upper(), f"{sid}@x", sid, status,  # type: ignore
                         raw * (1 - 0.1 * late_days), raw, sum(m for _, m in scores),
                         exercises, late=LateInfo(None, "none", late_days, 10.0 * late_days))


def test_discrimination_of_all_or_nothing_exercise_is_point_biserial() -> None:
    # Exercise 0 is all-or-nothing (0 or 2 points): its item-rest correlation is the
    # point-biserial correlation of the 0/1 item with the rest of the total.
    rows = [(2, 3, 4), (0, 1, 2), (2, 5, 3), (0, 4, 1), (2, 4, 5), (0, 0, 1), (2, 2, 2)]
    results = [_student(f"s{i}", [(a, 2), (b, 5), (c, 5)]) for i, (a, b, c) in enumerate(rows)]
    ex0 = class_stats(results).exercises[0]
    item = [a / 2 for a, _, _ in rows]
    rest = [(b + c) / 10 for _, b, c in rows]
    assert ex0.discrimination == pytest.approx(sps.pointbiserialr(item, rest)[0])
    assert ex0.difficulty == pytest.approx(4 / 7)
    assert ex0.mean_score == pytest.approx(8 / 7)


def test_class_stats_counts_graded_only_and_lists_the_rest() -> None:
    results = [_student("a", [(4, 4)]), _student("b", [(1, 4)], late_days=2),
               _student("c", [(0, 4)], status="missing"), _student("d", [(3, 4)], late_days=1)]
    st = class_stats(results)
    assert (st.roster, st.graded) == (4, 3)
    assert [r.student_id for r in st.attention] == ["c"]
    assert [r.student_id for r in st.late] == ["b", "d"]  # most days late first
    # totals after the penalty: 100%, 25% * 0.8 = 20%, 75% * 0.9 = 67.5%
    assert st.percents == pytest.approx((100.0, 20.0, 67.5))
    assert st.mean == pytest.approx(187.5 / 3)
    ex = st.exercises[0]
    assert ex.students == 3 and ex.bands == (0, 1, 1, 1)
    assert [(m.part_id, m.name, m.count) for m in ex.mistakes] == [("a", "sign flipped", 2)]


def test_top_mistakes_most_frequent_first_and_limited() -> None:
    from grader.outputs.reports.classstats import top_mistakes

    def ex(*mistakes: str) -> ExerciseResult:
        parts = tuple(PartResult("e", f"p{i}", "scalar", 0, 1, "wrong", "", mistake=m)
                      for i, m in enumerate(mistakes))
        return ExerciseResult("e", 1, "E", 0, len(parts), parts)

    s = _student("x", [])
    pairs = [(ex("m1", "m2"), s), (ex("m1", "m3"), s), (ex("m1", "m2"), s)]
    got = [(m.part_id, m.name, m.count) for m in top_mistakes(pairs, limit=2)]
    assert got == [("p0", "m1", 3), ("p1", "m2", 2)]
