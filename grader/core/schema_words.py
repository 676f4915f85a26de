"""The words every loader's messages share: how a found value is shown, "did you mean"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


def describe(value: Any) -> str:
    """How a found value is shown after 'got': -0.1, 'abc', true, null, a list."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown) if value else "an empty string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def suggest(name: str, known: Iterable[str]) -> str:
    """'; did you mean 'x'?' for the closest known name, or ''.

    A known name that starts with `name` wins ('kl' -> 'kl_divergence'), since
    abbreviations are the commonest slip and difflib scores them low.
    """
    names = [k for k in known if isinstance(k, str)]
    prefixed = sorted((k for k in names if len(name) >= 2 and k.startswith(name)
                       and not k.startswith("_")), key=lambda k: (len(k), k))
    close = prefixed[:1] or difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
