"""The one reader of handed-in files: opens first, then checks what it opened, reads bounded."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import grader.core.fsutil as fsutil
from grader.core.fsutil import read_regular
from grader.student.submission import MAX_FILE_BYTES, read_folder


def test_a_regular_file_is_read_with_its_time(tmp_path: Path) -> None:
    p = tmp_path / "answers.yaml"
    p.write_bytes(b"x: 1\n")
    os.utime(p, (1_000_000, 1_000_000))
    assert read_regular(p, max_bytes=10) == (b"x: 1\n", 1_000_000.0)
    assert read_regular(tmp_path / "absent", max_bytes=10) is None


def test_a_symlink_is_refused_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "key.json"
    secret.write_text("{}")
    (tmp_path / "answers.yaml").symlink_to(secret)
    assert read_regular(tmp_path / "answers.yaml", max_bytes=100) == "symlink"


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    # A blocking open of a FIFO with no writer would wait for ever; the test would time out.
    fifo = tmp_path / "solution.py"
    os.mkfifo(fifo)
    done: list = []
    t = threading.Thread(target=lambda: done.append(read_regular(fifo, max_bytes=100)),
                         daemon=True)
    t.start()
    t.join(5)
    assert done == ["not a regular file"]


def test_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "answers.yaml").mkdir()
    assert read_regular(tmp_path / "answers.yaml", max_bytes=100) == "not a regular file"


def test_a_file_that_grows_after_the_size_check_is_refused_not_read_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The size fstat saw was small; the bytes there are not: never read past max_bytes + 1.
    p = tmp_path / "answers.yaml"
    p.write_bytes(b"a" * 5000)
    real = os.fstat

    class Small:
        def __init__(self, st: os.stat_result) -> None:
            self.st_mode, self.st_mtime, self.st_size = st.st_mode, st.st_mtime, 10

    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(fsutil.os, "fstat", lambda fd: Small(real(fd)))
    monkeypatch.setattr(fsutil.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    assert read_regular(p, max_bytes=100) == "too large"
    assert sum(reads) <= 101


def test_the_folder_reader_goes_through_it(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "answers.yaml").write_text("x: 1\n")
    (tmp_path / "solution.py").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    os.mkfifo(tmp_path / "manifest.json")
    seen: list[str] = []
    real = fsutil.read_regular

    def spy(path: Path, *, max_bytes: int):
        seen.append(Path(path).name)
        return real(path, max_bytes=max_bytes)

    monkeypatch.setattr("grader.student.submission.read_regular", spy)
    sub = read_folder(tmp_path)
    assert sorted(seen) == ["answers.yaml", "grader.json", "manifest.json", "solution.py"]
    assert sub.files == {"answers.yaml": b"x: 1\n"}
    assert sub.manifest is None
    assert sub.problems == (f"solution.py is larger than {MAX_FILE_BYTES} bytes (ignored)",)
