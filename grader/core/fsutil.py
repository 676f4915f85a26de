"""Atomic file writes (temp file in the same folder, fsync, rename), and disk errors in words.

An interrupted run leaves the previous file intact, never a half-written one. A write the disk
refuses (full, read-only, permission denied, a file where a folder should be) is the user's to
fix: `disk_error_message` says what happened to which path, and the CLI exits 2 with it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from grader.core.errors import display_path

# The errors that say something about the user's disk or paths, never about grader's code.
DISK_ERRORS: dict[int, str] = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied (operation not permitted)",
    errno.ENAMETOOLONG: "name too long",
    errno.EISDIR: "is a directory",
    errno.ENOTDIR: "not a directory",
    errno.EEXIST: "already exists",
    errno.ENOENT: "no such file or folder",
}
_FIXES: dict[int, str] = {
    errno.ENOSPC: "free some space, or write somewhere else",
    errno.EDQUOT: "free some space, or write somewhere else",
    errno.EROFS: "write somewhere writable instead",
    errno.EACCES: "check its permissions, or write somewhere else",
    errno.EPERM: "check its permissions, or write somewhere else",
    errno.ENAMETOOLONG: "use a shorter name or a shorter path",
    errno.EISDIR: "a file is expected here: give a file's path, not a folder's",
    errno.EEXIST: "give a new path, or remove what is there",
    errno.ENOENT: "check the path: the folder it names must exist and take files",
}
MAX_TEMP_STEM = 64  # of the target's name in the temporary name, which must stay a valid name


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o644,
                       durable: bool = True) -> None:
    """Write data to path atomically (creating parent folders).

    durable=False skips the fsync: for files that are renderings of stored data (pages,
    result JSON), which the next run rewrites whenever their bytes differ. An OSError names
    `path` (never the temporary file), and the temporary file is gone.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name is chosen before the file exists, so that an interrupt (Ctrl-C) at any
    # point after its creation finds the name in hand and removes the file. It is cut so that a
    # target name near the limit (255 bytes) still gets a temporary name within it.
    tmp = path.with_name(f".{path.name[:MAX_TEMP_STEM]}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):  # a failed clean-up must not hide why it failed
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno is not None:
            raise OSError(exc.errno, exc.strerror, os.fspath(path)) from exc
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


def disk_error_message(exc: OSError) -> str | None:
    """What went wrong with the disk, at which path, and what to do; None for other errors.

    Only an error that names a path and has one of DISK_ERRORS' causes is the user's to fix;
    anything else (no path, another errno) may be a bug in grader and is left to the caller.
    """
    name = exc.filename2 if exc.filename2 is not None else exc.filename
    if exc.errno not in DISK_ERRORS or name is None or isinstance(name, int):
        return None
    path = Path(os.fsdecode(name))
    blocked = blocked_folder(path) if exc.errno in (errno.ENOTDIR, errno.EEXIST) else None
    if blocked is not None:
        return blocked
    what = DISK_ERRORS[exc.errno]
    fix = _FIXES.get(exc.errno, "check the path")
    return f"{shown_path(path)}: {what}; {fix}"


def blocked_folder(path: Path) -> str | None:
    """What is wrong when `path` or one of its parents is a file where a folder must be (to
    write into `path`, or beside it): checked before work that would end writing there."""
    blocker = _file_in_the_way(path)
    if blocker is None:
        return None
    return (f"{shown_path(blocker)}: is a file, where a folder is expected; give a folder "
            "(a new one is made), or move the file away")


def _file_in_the_way(path: Path) -> Path | None:
    """The path itself or the nearest of its parents that is a file (not a folder), if any."""
    for p in (path, *path.parents):
        with contextlib.suppress(OSError):
            if p.is_file():
                return p
    return None


def shown_path(path: Path | str, *, limit: int = 160) -> str:
    """A path as the user typed it, printable (undecodable bytes escaped) and of bounded length."""
    text = os.fsencode(display_path(path)).decode("utf-8", "backslashreplace")
    if len(text) <= limit:
        return text
    return f"{text[:limit // 2]}...{text[-(limit // 2):]}"


Refusal = str  # "symlink", "not a regular file" or "too large"


def read_regular(path: Path, *, max_bytes: int) -> tuple[bytes, float] | Refusal | None:
    """A regular file's bytes and modification time, or why it was refused; None when absent.

    The one way grader reads files a student handed in. It opens first and checks what it
    opened (never a check, then a read of whatever the name points to by then): a symbolic
    link is refused by O_NOFOLLOW, a FIFO or device by fstat (opened non-blocking, so a FIFO
    cannot hang the run), and no more than `max_bytes` + 1 bytes are ever read, so a file that
    grows after the size check is refused, not read whole.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink"
        if exc.errno in (errno.ENXIO, errno.EISDIR):  # a socket; a folder where O_RDONLY fails
            return "not a regular file"
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return "not a regular file"
        if st.st_size > max_bytes:
            return "too large"
        chunks, left = [], max_bytes + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return "too large" if len(data) > max_bytes else (data, st.st_mtime)
    finally:
        os.close(fd)
