"""Atomic file writes: a temp file in the same folder, fsync, then rename.

An interrupted run leaves the previous file intact, never a half-written one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o644,
                       durable: bool = True) -> None:
    """Write data to path atomically (creating parent folders).

    durable=False skips the fsync: for files that are renderings of stored data (pages,
    result JSON), which the next run rewrites whenever their bytes differ.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name is chosen before the file exists, so that an interrupt (Ctrl-C) at any
    # point after its creation finds the name in hand and removes the file.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, *, mode: int = 0o644) -> None:
    """Write UTF-8 text atomically, with Unix newlines whatever the platform."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def write_if_changed(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Atomically write data unless the file already holds exactly it; True when written."""
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    atomic_write_bytes(path, data, durable=durable)
    return True
