"""Moments as pages show them: a <time> element's machine-readable value and readable text.

Apart from the reports package so that writing problem sets does not load matplotlib.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class TimeView:
    """A moment for a <time> element: machine-readable `iso`, and `text` people read."""

    iso: str
    text: str


def time_view(t: dt.datetime | str | None) -> TimeView | None:
    """'Mon 14 Dec 2026, 23:59 (UTC+01:00)': weekday and month in words whatever the locale,
    and the offset, so a student abroad knows which 23:59 is meant. None for no time."""
    if t is None or t == "":
        return None
    if isinstance(t, str):
        try:
            t = dt.datetime.fromisoformat(t)
        except ValueError:
            return None  # not a time: better no element than a wrong one
    text = f"{_DAYS[t.weekday()]} {t.day} {_MONTHS[t.month - 1]} {t.year}, {t:%H:%M}"
    offset = t.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        hours, mins = divmod(abs(minutes), 60)
        zone = "UTC" if minutes == 0 else f"UTC{sign}{hours:02d}:{mins:02d}"
        text += f" ({zone})"
    return TimeView(t.isoformat(), text)


# An ISO 8601 time with seconds and an offset, as grader writes them into notes.
_ISO = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")


def timed_text(text: str) -> list[tuple[str, TimeView | None]]:
    """A note split around the ISO times it quotes: (text before, the time) pairs, so that a
    page shows 'deadline Tue 1 Dec 2026, 22:59 (UTC)' in a <time> instead of raw ISO."""
    pieces: list[tuple[str, TimeView | None]] = []
    last = 0
    for found in _ISO.finditer(text):
        view = time_view(found.group(0).replace("Z", "+00:00"))
        if view is not None:
            pieces.append((text[last:found.start()], view))
            last = found.end()
    return pieces + [(text[last:], None)]
