"""Issue 16: the key stays secret wherever grading runs. Each test is an attack (student code
trying it) run at every level this machine offers: full (bubblewrap), without bubblewrap
(Landlock + uid as root), and without bubblewrap or the uid (Landlock alone)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import grader
from grader.sandbox import Job, Limits, SandboxPool, SandboxRun
from grader.sandbox._landlock import abi_version
from grader.sandbox.allowlist import hidden_entries, landlock_rules
from grader.sandbox.client import Zygote
from grader.sandbox.platform import bwrap_command, bwrap_note, probe
from grader.sandbox.runner import run_job

LIMITS = Limits(wall_seconds=20)
LEVELS = {"full": "", "no-bwrap": "bwrap", "no-bwrap-no-uid": "bwrap,uid"}


def _level_usable(disable: str) -> bool:
    if disable == "":
        return bool(shutil.which("bwrap")) and "netns" in _layers("")
    return abi_version() > 0


def _layers(disable: str) -> tuple[str, ...]:
    old = os.environ.get("GRADER_SANDBOX_DISABLE")
    os.environ["GRADER_SANDBOX_DISABLE"] = disable
    probe.cache_clear()
    try:
        return probe().layers
    finally:
        os.environ.pop("GRADER_SANDBOX_DISABLE")
        if old is not None:
            os.environ["GRADER_SANDBOX_DISABLE"] = old
        probe.cache_clear()


@pytest.fixture(params=list(LEVELS), scope="module")
def pool(request: pytest.FixtureRequest) -> Iterator[SandboxPool]:
    """One worker at the given level (one worker: children share a zygote, as in grading)."""
    disable = LEVELS[request.param]
    if not _level_usable(disable):
        pytest.skip(f"level {request.param} is not available here")
    mp = pytest.MonkeyPatch()
    mp.setenv("GRADER_SANDBOX_DISABLE", disable)
    mp.setenv("GRADER_TEST_SECRET", "env-secret-of-the-grader")
    probe.cache_clear()
    with SandboxPool(workers=1) as p:
        yield p
    mp.undo()
    probe.cache_clear()


def run(pool: SandboxPool, src: str, *args: object) -> SandboxRun:
    job = Job("j", {"solution.py": src.encode()}, {"f": [("c", list(args), {})]}, limits=LIMITS)
    return pool.run(job)


def value(pool: SandboxPool, src: str, *args: object) -> object:
    out = run(pool, src, *args).outcomes["c"]
    assert out.status == "ok", out
    return out.value


@pytest.fixture(scope="module")
def course() -> Iterator[Path]:
    """An instructor's course folder readable by everyone, as folders usually are: the key,
    the assignment's plugins and another student's submission."""
    root = Path(tempfile.mkdtemp(prefix="grader-course-"))
    os.chmod(root, 0o755)
    for rel, text in {"build/key/a1.json": '{"answer": 42}',
                      "grader_plugins.py": "SECRET = 42\n",
                      "submissions/bob/solution.py": "def f(x):\n    return 42\n"}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for p in root.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    yield root
    shutil.rmtree(root)


def home_entries() -> list[str]:
    """Files in the instructor's home, but not the way down to a Python installed there."""
    home = Path.home()
    python = [Path(sys.base_prefix), Path(sys.prefix), *map(Path, probe().sys_path)]
    keep = [p for p in sorted(home.iterdir())
            if not any(p == q or p in q.parents for q in python)]
    return [str(p) for p in keep[:5]]


READ_ATTACK = """import os
def f(paths):
    got = []
    for p in paths:
        try:
            got.append(sorted(os.listdir(p)) if os.path.isdir(p) else open(p).read())
        except OSError:
            got.append(0)
    return [0 if g == 0 else 1 for g in got]
"""


def test_student_code_reads_no_key_course_folder_submission_home_or_grader_environ(
        pool: SandboxPool, course: Path) -> None:
    paths = [str(course / "build" / "key" / "a1.json"), str(course / "build" / "key"),
             str(course), str(course / "submissions" / "bob" / "solution.py"),
             *home_entries(), f"/proc/{os.getpid()}/environ", str(Path(grader.__file__))]
    assert value(pool, READ_ATTACK, paths) == [0] * len(paths)


IMPORT_ATTACK = """import importlib, sys
def f(dirs):
    sys.path[:0] = dirs
    got = []
    for name in ("grader.solvers.implement", "grader_plugins", "__editable___grader_0_1_0_finder"):
        try:
            module = importlib.import_module(name)
            if name.startswith("__editable__"):
                module.install()
                importlib.import_module("grader.solvers.implement")
            got.append(1)
        except Exception:
            got.append(0)
    return got
"""


def test_student_code_imports_neither_grader_nor_the_instructors_plugins(
        pool: SandboxPool, course: Path) -> None:
    dirs = [str(Path(grader.__file__).parent.parent), str(course),
            *[p for p in sys.path if p.endswith("-packages")]]
    assert value(pool, IMPORT_ATTACK, dirs) == [0, 0, 0]


TEMP_WRITER = """import os, tempfile
def f(z):
    fd, path = tempfile.mkstemp(prefix="planted-")
    os.write(fd, b"for the next student")
    os.close(fd)
    return [ord(c) for c in path]
"""
TEMP_READER = """import glob, os, tempfile
def f(codes):
    path = "".join(chr(int(c)) for c in codes)
    seen = glob.glob(os.path.join(tempfile.gettempdir(), "planted-*")) + glob.glob("/tmp/planted-*")
    seen += glob.glob("/tmp/*/planted-*")
    return [int(os.path.exists(path)), len(seen)]
"""


def test_a_temporary_file_is_private_to_its_run_and_removed_after_it(pool: SandboxPool) -> None:
    codes = value(pool, TEMP_WRITER, 0)
    assert isinstance(codes, list)
    path = "".join(map(chr, codes))
    assert os.path.basename(os.path.dirname(path)).startswith("run-"), path
    assert value(pool, TEMP_READER, codes) == [0, 0]
    if not path.startswith("/tmp/run-") or "mountns" in run(pool, TEMP_READER, codes).level:
        return  # inside bubblewrap the path is in the zygote's own /tmp
    assert not os.path.exists(path)


IMPORTS = """import queue, heapq, fractions, statistics, decimal, csv, datetime
import numpy as np
import numpy.polynomial, numpy.linalg
def f(x):
    q = queue.Queue()
    q.put(x)
    p = numpy.polynomial.Polynomial([1.0, 2.0])
    return [q.get(), float(fractions.Fraction(1, 4)), statistics.mean([1, 3]),
            float(decimal.Decimal("0.5")), p(1.0), float(np.linalg.det(np.eye(2))),
            datetime.date(2024, 1, 2).day, len(list(csv.reader(["a,b"]))[0]),
            heapq.nsmallest(1, [3, 1])[0]]
"""


def test_standard_modules_and_numpy_import_at_every_level(pool: SandboxPool) -> None:
    assert value(pool, IMPORTS, 7.0) == [7.0, 0.25, 2, 0.5, 3.0, 1.0, 2, 2, 1]


def test_each_level_reports_its_file_layer(pool: SandboxPool) -> None:
    level = run(pool, "def f(x):\n    return 1\n", 0).level.split("+")
    assert "mountns" in level or "landlock" in level
    assert not ("mountns" in level and "landlock" in level)  # Landlock only without bwrap


# -- an installed exercise pack beside numpy, at the bubblewrap and the Landlock level --

@pytest.fixture(scope="module")
def pack_site() -> Iterator[Path]:
    """A site-packages dir holding an instructor's exercise pack and a harmless package."""
    site = Path(tempfile.mkdtemp(prefix="grader-site-"))
    (site / "coursepack").mkdir()
    (site / "coursepack" / "__init__.py").write_text("SECRET = 42\n")
    info = site / "coursepack-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: coursepack\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[grader.packs]\ncourse = coursepack\n")
    (info / "top_level.txt").write_text("coursepack\n")
    (site / "harmless.py").write_text("VALUE = 1\n")
    for p in (site, *site.rglob("*")):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    yield site
    shutil.rmtree(site)


def test_hidden_entries_name_packs_and_editable_finders(pack_site: Path) -> None:
    hidden = hidden_entries(str(pack_site))
    assert str(pack_site / "coursepack") in hidden
    assert str(pack_site / "coursepack-1.0.dist-info") in hidden
    assert str(pack_site / "harmless.py") not in hidden
    cmd = bwrap_command("/usr/bin/bwrap", sys.executable, (str(pack_site),), root=False)
    assert cmd[cmd.index(str(pack_site / "coursepack")) - 1] == "--tmpfs"


@pytest.mark.parametrize("disable", ["", "bwrap"])
def test_an_installed_exercise_pack_cannot_be_imported(pack_site: Path, disable: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if not _level_usable(disable):
        pytest.skip("level not available here")
    monkeypatch.setenv("GRADER_SANDBOX_DISABLE", disable)
    probe.cache_clear()
    try:
        p = dataclasses.replace(probe(), sys_path=(*probe().sys_path, str(pack_site)))
        if p.landlock:
            rules = dict(landlock_rules(p.sys_path))
            assert str(pack_site / "harmless.py") in rules and str(pack_site) in rules
            assert str(pack_site / "coursepack") not in rules
        src = ("def f(x):\n    out = []\n    for name in ('harmless', 'coursepack'):\n"
               "        try:\n            module = __import__(name)\n"
               "            out.append(getattr(module, 'VALUE', 0) + "
               "getattr(module, 'SECRET', 0))\n"
               "        except Exception:\n            out.append(0)\n    return out\n")
        zygote = Zygote(p, uid=61000 if p.uid else None)
        try:
            got = run_job(zygote, Job("p", {"solution.py": src.encode()}, {"f": [("c", [0], {})]},
                                      limits=LIMITS))
        finally:
            zygote.close()
    finally:
        probe.cache_clear()
    assert got.outcomes["c"].value == [1, 0], got


# -- bubblewrap installed but failing --

def fake_bwrap(tmp_path: Path, message: str) -> str:
    exe = tmp_path / "bwrap"
    exe.write_text(f"#!/bin/sh\necho {json.dumps(message)} >&2\nexit 1\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(exe)


@pytest.mark.parametrize("message", ["bwrap: setting up uid map: Permission denied",
                                     "bwrap: No permissions to create new namespace, likely "
                                     "because the kernel does not allow non-privileged user "
                                     "namespaces."])
def test_bubblewrap_installed_but_refused_a_namespace_says_so_with_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, message: str) -> None:
    monkeypatch.setenv("GRADER_SANDBOX_BWRAP", fake_bwrap(tmp_path, message))
    monkeypatch.delenv("GRADER_SANDBOX_DISABLE", raising=False)
    probe.cache_clear()
    try:
        p = probe()
    finally:
        probe.cache_clear()
    assert p.bwrap is None
    note = next(n for n in p.notes if n.startswith("namespaces"))
    assert "bubblewrap is installed" in note and message.split(",")[0] in note
    for fix in ("kernel.apparmor_restrict_unprivileged_userns=0", "profile bwrap /usr/bin/bwrap",
                "userns,", "apparmor_parser -r", "kernel.unprivileged_userns_clone=1"):
        assert fix in note, fix


def test_bubblewrap_not_installed_is_told_apart_from_failing(tmp_path: Path) -> None:
    note = bwrap_note("bubblewrap is not installed")
    assert "apt-get install bubblewrap" in note and "apparmor" not in note
    failing = bwrap_note(f"bubblewrap is installed ({tmp_path}/bwrap) but failed: odd")
    assert "bubblewrap is installed" in failing and "apt-get install" not in failing


def test_a_refusal_with_bubblewrap_refused_a_namespace_gives_that_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.sandbox.client import refusal

    monkeypatch.setenv("GRADER_SANDBOX_BWRAP",
                       fake_bwrap(tmp_path, "bwrap: setting up uid map: Permission denied"))
    monkeypatch.setenv("GRADER_SANDBOX_DISABLE", "landlock")  # an old kernel, say
    probe.cache_clear()
    try:
        text = refusal(probe())
    finally:
        probe.cache_clear()
    assert "setting up uid map" in text and "apparmor_restrict_unprivileged_userns=0" in text
    assert "--unsafe-no-file-isolation" in text


@pytest.mark.skipif(abi_version() < 6, reason="needs Landlock ABI 6 (TCP from 4, scopes from 6)")
def test_landlock_alone_denies_tcp_and_signals_out_of_the_sandbox(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without bubblewrap and seccomp, Landlock still keeps student code from the loopback
    listener and from signalling the zygote."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    monkeypatch.setenv("GRADER_SANDBOX_DISABLE", "bwrap,seccomp")
    probe.cache_clear()
    src = (f"import os, socket\ndef f(x):\n    out = []\n"
           f"    try:\n        socket.create_connection(('127.0.0.1', {port}), 1)\n"
           f"        out.append(1)\n    except OSError:\n        out.append(0)\n"
           f"    try:\n        os.kill(os.getppid(), 0)\n        out.append(1)\n"
           f"    except OSError:\n        out.append(0)\n    return out\n")
    try:
        with SandboxPool(workers=1) as p:
            got = run(p, src, 0)
    finally:
        probe.cache_clear()
        listener.close()
    assert "landlock" in got.level and "seccomp" not in got.level
    assert got.outcomes["c"].value == [0, 0], got
