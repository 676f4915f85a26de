"""Answers a student could give without working, found by `grader validate` across samples.

Two kinds: a probability-like answer (every sampled value in [0, 1]) that is exactly 0 or 1 in
many variants but not all (P = 1 when the interval covers the support), and an answer so small
that 0 is within its tolerance (a saturated sigmoid's gradients), so typing 0 earns the marks.
A part that is 0 in every variant (zero covariance, by design) is the exercise's point, not a
slip; values below NOISE are rounding of an exact 0 (QᵀQ off the diagonal) and count as 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NOISE = 1e-12  # below this a value is an exact 0 computed in floating point
EXTREME_SHARE = 0.2  # a probability-like part that is 0 or 1 in this share of variants
ZERO_KINDS = ("scalar", "vector", "matrix")


@dataclass
class TrivialAnswers:
    """Counts, over the sampled variants of one exercise, of answers that need no working."""

    samples: int = 0  # variants drawn
    extremes: Counter[tuple[str, float]] = field(default_factory=Counter)
    unit: set[str] = field(default_factory=set)  # scalar parts seen outside [0, 1]
    zero_passes: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, part: Any, value: Any) -> None:
        """Record one variant's reference answer of one typed part."""
        if part.kind == "scalar":
            self._scalar(part.id, value)
        if part.kind in ZERO_KINDS:
            self._zero(part, value)

    def _scalar(self, part_id: str, value: Any) -> None:
        try:
            v = float(value)
        except (TypeError, ValueError):
            self.unit.add(part_id)
            return
        if not -NOISE <= v <= 1 + NOISE:
            self.unit.add(part_id)
        for extreme in (0.0, 1.0):
            if abs(v - extreme) <= NOISE:
                self.extremes[(part_id, extreme)] += 1

    def _zero(self, part: Any, value: Any) -> None:
        from grader.kinds.base import close

        try:
            x = np.asarray(value, dtype=float).ravel()
        except (TypeError, ValueError):
            return
        real = np.abs(x) > NOISE
        if x.size and real.any() and bool(np.all(close(np.zeros_like(x), x, part.tolerance))):
            self.zero_passes[part.id].append(float(np.max(np.abs(x))))

    def problems(self) -> list[str]:
        """One sentence per part whose answer needs no working in too many variants."""
        n = self.samples
        found = []
        for (part_id, extreme), count in sorted(self.extremes.items()):
            if part_id in self.unit or count == n or count < max(2, EXTREME_SHARE * n):
                continue
            found.append(f"{part_id}: the answer is exactly {extreme:g} in {count} of {n} "
                         "variants (a probability-like answer a student can give without "
                         "working): add a where: constraint that excludes it")
        for part_id, sizes in sorted(self.zero_passes.items()):
            found.append(f"{part_id}: in {len(sizes)} of {n} variants the answer (largest entry "
                         f"{max(sizes):.2g}) is within its tolerance of 0, so typing 0 earns "
                         "the marks: keep the values away from 0 (a where: constraint) or "
                         "tighten the part's tolerance.atol")
        return found
