"""Stop a block of trusted code (a reference solver) that runs too long.

`grader solve --param k=10000000` and a slow hidden case in `grader validate` can make a solver
run for hours; both stop it with the same alarm. Student code never runs here: it has the
sandbox's own limits.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any


class TooSlow(BaseException):  # not an Exception: no solver's `except Exception` swallows it
    """The block ran past its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TooSlow in the block after `seconds` (POSIX main thread only; elsewhere it runs)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
