"""Atomic writes: complete files or the previous ones, whatever interrupts them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.core import fsutil


def test_ctrl_c_right_after_the_temporary_file_exists_leaves_nothing(tmp_path: Path,
                                                                     monkeypatch) -> None:
    """The window CI once hit: the interrupt lands as soon as the temporary file is created."""
    target = tmp_path / "a.json"
    target.write_bytes(b"old")
    real_open = os.open
    opened: list[int] = []

    def open_then_interrupt(path, flags, mode=0o777):  # type: ignore[no-untyped-def]
        opened.append(real_open(path, flags, mode))
        raise KeyboardInterrupt

    monkeypatch.setattr(fsutil.os, "open", open_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        fsutil.atomic_write_bytes(target, b"new")
    os.close(opened[0])
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_ctrl_c_during_the_write_keeps_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "a.json"
    target.write_bytes(b"old")

    def interrupted_fsync(fd: int) -> None:
        raise KeyboardInterrupt  # the user presses Ctrl-C here

    monkeypatch.setattr(fsutil.os, "fsync", interrupted_fsync)
    with pytest.raises(KeyboardInterrupt):
        fsutil.atomic_write_bytes(target, b"new and complete")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


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
