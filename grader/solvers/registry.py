"""The registry of reference solvers: spec expressions look solvers up here by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SOLVERS: dict[str, Callable[..., Any]] = {}


def solver(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register fn under its own name; a second function with that name is a bug."""
    if fn.__name__ in SOLVERS:
        raise ValueError(f"solver {fn.__name__!r} registered twice")
    SOLVERS[fn.__name__] = fn
    return fn
