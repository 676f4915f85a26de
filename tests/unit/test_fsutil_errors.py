"""Disk errors: the write layer keeps the old file and names the target; each errno in words.

We run as root, which passes permission checks, so refusals are simulated by raising the OSError
the kernel would (EROFS, ENOSPC, EACCES) at the write layer; over-long names are real.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from grader.core import fsutil
from grader.core.fsutil import atomic_write_bytes, disk_error_message


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC, errno.EACCES, errno.EDQUOT])
@pytest.mark.parametrize("where", ["open", "write", "fsync", "replace"])
def test_a_refused_write_keeps_the_old_file_and_names_the_target(tmp_path: Path, monkeypatch,
                                                                 code: int, where: str) -> None:
    target = tmp_path / "gradebook.csv"
    target.write_bytes(b"old")
    real = {"open": os.open, "fsync": os.fsync, "replace": os.replace}

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        if where == "open" and args[0] == target:
            return real["open"](*args, **kwargs)
        raise OSError(code, os.strerror(code), *([os.fspath(args[0])] if where == "open" else []))

    if where == "write":
        monkeypatch.setattr(fsutil.os, "fdopen", lambda fd, mode: _Refusing(fd, code))
    else:
        monkeypatch.setattr(fsutil.os, where, refuse)
    with pytest.raises(OSError) as info:
        atomic_write_bytes(target, b"new")
    assert info.value.errno == code
    assert info.value.filename == os.fspath(target)  # the user's path, never the temporary one
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["gradebook.csv"]
    assert disk_error_message(info.value) == (
        f"{target}: {fsutil.DISK_ERRORS[code]}; {fsutil._FIXES[code]}")


class _Refusing:
    """A file object whose write fails as a full or read-only disk makes it fail."""

    def __init__(self, fd: int, code: int) -> None:
        self.fd, self.code = fd, code

    def __enter__(self) -> _Refusing:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)

    def write(self, data: bytes) -> int:
        raise OSError(self.code, os.strerror(self.code))


def test_a_failed_clean_up_does_not_hide_why_the_write_failed(tmp_path: Path,
                                                               monkeypatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def cannot_unlink(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(fsutil.os, "fsync", full)
    monkeypatch.setattr(Path, "unlink", cannot_unlink)
    with pytest.raises(OSError) as info:
        atomic_write_bytes(tmp_path / "a.json", b"x")
    assert info.value.errno == errno.ENOSPC


def test_a_name_near_the_limit_is_written(tmp_path: Path) -> None:
    """The temporary name is longer than the target's; it must not make a valid name fail."""
    target = tmp_path / ("r" * 250 + ".json")
    atomic_write_bytes(target, b"{}")
    assert target.read_bytes() == b"{}"
    assert names(tmp_path) == [target.name]


def test_a_name_over_the_limit_is_a_disk_error_naming_it(tmp_path: Path) -> None:
    target = tmp_path / ("r" * 300 + ".json")
    with pytest.raises(OSError) as info:
        atomic_write_bytes(target, b"{}")
    message = disk_error_message(info.value)
    assert message is not None and message.endswith(
        ".json: name too long; use a shorter name or a shorter path")
    assert "..." in message and len(message) < 250
    assert names(tmp_path) == []


def test_a_folder_where_the_file_goes(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    with pytest.raises(OSError) as info:
        atomic_write_bytes(tmp_path / "exports", b"x")
    assert disk_error_message(info.value) == (
        f"{tmp_path / 'exports'}: is a directory; a file is expected here: give a file's path, "
        "not a folder's")
    assert names(tmp_path / "exports") == []


@pytest.mark.parametrize("target", ["afile/x.json", "afile/deeper/x.json"])
def test_a_file_where_a_folder_goes(tmp_path: Path, target: str) -> None:
    (tmp_path / "afile").write_text("keep")
    with pytest.raises(OSError) as info:
        atomic_write_bytes(tmp_path / target, b"x")
    assert disk_error_message(info.value) == (
        f"{tmp_path / 'afile'}: is a file, where a folder is expected; give a folder (a new one "
        "is made), or move the file away")
    assert (tmp_path / "afile").read_text() == "keep"


def test_reading_inside_a_file_is_named_as_the_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "sub.zip").write_bytes(b"PK")
    with pytest.raises(OSError) as info:
        (tmp_path / "sub.zip" / "grader.json").read_bytes()
    assert disk_error_message(info.value) is not None
    assert disk_error_message(info.value).startswith(f"{tmp_path / 'sub.zip'}: is a file")


@pytest.mark.parametrize("exc", [
    OSError(errno.ENOSPC, "No space left on device"),  # no path: grader's own, maybe a bug
    OSError(errno.ECONNREFUSED, "Connection refused", "/tmp/socket"),
    BrokenPipeError(errno.EPIPE, "Broken pipe"),
    OSError(errno.EBADF, "Bad file descriptor", 3),
    OSError("no errno at all"),
])
def test_other_oserrors_are_not_the_users(exc: OSError) -> None:
    assert disk_error_message(exc) is None


def test_a_path_with_undecodable_bytes_prints(tmp_path: Path) -> None:
    exc = OSError(errno.EROFS, "Read-only file system", os.fsencode(tmp_path) + b"/\xff.csv")
    message = disk_error_message(exc)
    assert message == f"{tmp_path}/\\xff.csv: read-only file system; write somewhere writable " \
                      "instead"
    message.encode("utf-8")
