"""Central finite differences: the independent oracle the solver tests check derivatives with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def central_diff(f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-6) -> np.ndarray:
    """d f / d x by (f(x + h eᵢ) − f(x − h eᵢ)) / 2h, one entry of x at a time: f's output
    shape first, then x's shape (a gradient for a scalar f, a Jacobian for a vector f)."""
    x0 = np.asarray(x, float)
    cols = []
    for i in range(x0.size):
        e = np.zeros(x0.size)
        e[i] = h
        hi = np.asarray(f(x0 + e.reshape(x0.shape)), float)
        lo = np.asarray(f(x0 - e.reshape(x0.shape)), float)
        cols.append((hi - lo) / (2 * h))
    out = np.stack(cols, axis=-1)
    return out.reshape(out.shape[:-1] + x0.shape)
