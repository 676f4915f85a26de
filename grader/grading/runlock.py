"""One grader run at a time per results folder: an exclusive flock on DIR/.grader.lock.

Two runs writing the same folder interleave their gradebook rows, CSV, JSON and HTML, so the
gradebook can say 20 while the CSV says 45. The lock is taken without blocking (a second run is
told at once who holds it) and held for the whole run. flock is released by the kernel when the
holder's process dies, however it dies, so a crashed or killed run never blocks the next one; the
file itself stays (removing it would let a third run lock a different inode than the second).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grader.core.errors import UserError, display_path
from grader.core.fsutil import disk_error_message

LOCK_NAME = ".grader.lock"

try:
    import fcntl
except ImportError:  # Windows: no flock; runs there are not serialised
    fcntl = None  # type: ignore[assignment]


@contextmanager
def results_lock(out: Path, *, command: str = "grade") -> Iterator[None]:
    """Hold the results folder's lock for the block; UserError when another run holds it."""
    folder = display_path(out)
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
        fd = os.open(Path(out) / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UserError(disk_error_message(exc) or
                        f"{folder}/: cannot create the results folder's lock file "
                        f"{LOCK_NAME} ({exc.strerror}); check the disk and the permissions") \
            from None
    try:
        _acquire(fd, folder)
        _describe(fd, command)
        yield
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int, folder: str) -> None:
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise UserError(f"{folder}/ is being graded by another grader run ({_holder(fd)}); "
                        "wait for it to finish, or give this run another --out folder") \
            from None


def _describe(fd: int, command: str) -> None:
    """Who holds the lock, for the message a second run prints."""
    started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}, started at {started}, grader {command}\n".encode(), 0)


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "pid unknown: it has only just started"
