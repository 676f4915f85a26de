"""Read a submission folder into the files the sandbox gets: regular files only, size-capped."""

from __future__ import annotations

import os
from pathlib import Path

from grader.core.fsutil import read_regular
from grader.sandbox.runner import NAME

_WORDS = {"symlink": "a symbolic link; only regular files are accepted, so it was ignored",
          "not a regular file": "not a regular file; ignored",
          "too large": "too large; ignored"}


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
        got = read_regular(Path(entry.path), max_bytes=max_bytes)
        if isinstance(got, tuple):
            files[entry.name] = got[0]
        elif got is not None:  # changed since it was listed
            notes.append(f"{entry.name}: {_WORDS[got]}")
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
