"""Atomic writes: complete files or the previous ones, whatever interrupts them."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from grader import fsutil


def test_ctrl_c_during_a_write_lands_after_the_rename(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C arriving mid-write is held until the file is complete and renamed."""
    target = tmp_path / "a.json"
    target.write_bytes(b"old")
    real_fsync = os.fsync

    def interrupted_fsync(fd: int) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C here
        real_fsync(fd)

    monkeypatch.setattr(fsutil.os, "fsync", interrupted_fsync)
    with pytest.raises(KeyboardInterrupt):
        fsutil.atomic_write_bytes(target, b"new and complete")
    assert target.read_bytes() == b"new and complete"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temporary file left


def test_a_failed_write_leaves_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "a.json"
    target.write_bytes(b"old")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fsutil.os, "fsync", disk_full)
    with pytest.raises(OSError):
        fsutil.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_write_if_changed_writes_only_new_bytes(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "p.html"
    assert fsutil.write_if_changed(target, b"x", durable=False)
    assert not fsutil.write_if_changed(target, b"x")
    assert fsutil.write_if_changed(target, b"y")
    assert target.read_bytes() == b"y"
