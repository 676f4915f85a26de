"""Class statistics as plain functions over numbers, so each is tested against hand-computed values.

Conventions (shown on the class report too):
- only students whose status is "graded" enter the statistics; missing, empty, tampered and
  unknown submissions are listed apart, because counting them as zeros would make every
  exercise look harder and more discriminating than it is;
- totals are percentages after the late penalty; item statistics use the raw points, since a
  late penalty says nothing about an exercise;
- difficulty is the mean fraction of an exercise's points earned (1.0: everybody got it);
- discrimination is the correlation of the exercise's score with the rest of the total (the
  total without this exercise, so an exercise is not correlated with itself). For an
  all-or-nothing exercise this is exactly the point-biserial correlation;
- the upper-lower index is the mean fraction in the top 27% by total minus that in the bottom 27%.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

UPPER_LOWER_SHARE = 0.27
HISTOGRAM_BINS = 10  # of 10 percentage points each; 100% falls in the last


def mean(xs: Sequence[float]) -> float | None:
    """The arithmetic mean; None for no values."""
    return sum(xs) / len(xs) if xs else None


def median(xs: Sequence[float]) -> float | None:
    """The middle value (mean of the two middle values for an even count)."""
    if not xs:
        return None
    s = sorted(xs)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def stdev(xs: Sequence[float]) -> float | None:
    """The population standard deviation (the class is the whole population)."""
    m = mean(xs)
    if m is None:
        return None
    return math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))


def histogram(percents: Sequence[float], *, bins: int = HISTOGRAM_BINS) -> list[int]:
    """Counts of percentages in equal bins over [0, 100]; 100 goes in the last bin."""
    counts = [0] * bins
    for p in percents:
        i = int(min(max(p, 0.0), 100.0) * bins // 100)
        counts[min(i, bins - 1)] += 1
    return counts


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None with fewer than 3 pairs or when either side does not vary."""
    if len(xs) != len(ys):
        raise ValueError(f"correlation of {len(xs)} values with {len(ys)} values")
    if len(xs) < 3:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 * len(xs) or syy <= 1e-12 * len(ys):
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def upper_lower_index(item_fraction: Sequence[float], total: Sequence[float], *,
                      share: float = UPPER_LOWER_SHARE) -> float | None:
    """Mean item fraction of the top `share` of students by total minus the bottom `share`.

    Ties in the total are broken by position (callers pass students in a stable order), so the
    index is reproducible. None with fewer than 2 students.
    """
    n = len(item_fraction)
    if n < 2:
        return None
    k = max(1, round(share * n))
    k = min(k, n // 2)
    order = sorted(range(n), key=lambda i: (total[i], i))
    lower = [item_fraction[i] for i in order[:k]]
    upper = [item_fraction[i] for i in order[-k:]]
    return sum(upper) / k - sum(lower) / k


def score_bands(fractions: Sequence[float]) -> tuple[int, int, int, int]:
    """Counts of students with no points, under half, half or more (not all), and full marks."""
    eps = 1e-9
    zero = sum(1 for f in fractions if f <= eps)
    full = sum(1 for f in fractions if f >= 1 - eps)
    low = sum(1 for f in fractions if eps < f < 0.5)
    return zero, low, len(fractions) - zero - full - low, full
