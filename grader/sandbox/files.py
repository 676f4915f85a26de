"""Read a submission folder into the files the sandbox gets: regular files only, size-capped."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from grader.sandbox.runner import NAME


def read_submission(folder: str | Path, *, max_bytes: int = 8 << 20,
                    names: tuple[str, ...] | None = None) -> tuple[dict[str, bytes], list[str]]:
    """The top-level regular files of a submission folder, and a note for each file refused.

    Symbolic links, devices, directories, odd names and oversize files are refused (never
    followed or read), so a submission cannot smuggle in another file's contents.
    """
    files: dict[str, bytes] = {}
    notes: list[str] = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if names is not None and entry.name not in names:
            continue
        why = _refusal(entry, max_bytes)
        if why:
            notes.append(f"{entry.name}: {why}")
            continue
        fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                notes.append(f"{entry.name}: not a regular file; ignored")
                continue
            files[entry.name] = f.read(max_bytes + 1)[:max_bytes]
    return files, notes


def _refusal(entry: os.DirEntry[str], max_bytes: int) -> str:
    if entry.is_symlink():
        return "a symbolic link; only regular files are accepted, so it was ignored"
    if not entry.is_file(follow_symlinks=False):
        return "not a regular file; ignored"
    if not NAME.fullmatch(entry.name):
        return "an unusual file name (use letters, digits, '_', '.', '-'); ignored"
    if entry.stat(follow_symlinks=False).st_size > max_bytes:
        return f"larger than {max_bytes >> 20} MB; ignored"
    return ""
