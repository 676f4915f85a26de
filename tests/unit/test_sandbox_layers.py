"""Each isolation layer, probed with a small attack; skipped where the layer is not in force."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

import grader
from grader.sandbox import (
    Job,
    Limits,
    SandboxPool,
    run_cases,
    sandbox_level,
    sandbox_notes,
)
from grader.sandbox.client import SandboxRefused, Zygote
from grader.sandbox.platform import Platform, bwrap_command, probe

LAYERS = set(sandbox_level().split("+"))
FAST = Limits(wall_seconds=3)


def value(src: str) -> object:
    out = run_cases({"solution.py": src.encode()}, "f", [("c", [0], {})], limits=FAST).outcomes["c"]
    assert out.status in ("ok", "exception"), out
    return out.value if out.status == "ok" else out.message


def test_the_level_names_the_layers_and_every_missing_one_has_a_note() -> None:
    assert sandbox_level().startswith("fork+rlimits")
    optional = {"uid": "uid", "netns": "namespaces", "seccomp": "seccomp"}
    for layer, word in optional.items():
        assert (layer in LAYERS) != any(n.startswith(word) for n in sandbox_notes()), layer


def test_rlimits_are_in_force() -> None:
    src = ("import resource\ndef f(z):\n    return [resource.getrlimit(r)[0] for r in "
           "(resource.RLIMIT_CORE, resource.RLIMIT_CPU, resource.RLIMIT_NOFILE, "
           "resource.RLIMIT_FSIZE)]\n")
    assert value(src) == [0, FAST.cpu_seconds, FAST.open_files, FAST.file_size_mb << 20]


def test_the_child_is_in_a_new_session_with_stdin_closed() -> None:
    src = ("import os, sys\ndef f(z):\n"
           "    return [os.getsid(0) == os.getpid(), len(sys.stdin.read())]\n")
    assert value(src) == [True, 0]


@pytest.mark.skipif("uid" not in LAYERS, reason="uid layer needs root")
def test_uid_layer_runs_student_code_as_a_dedicated_unprivileged_uid() -> None:
    uid = value("import os\ndef f(z):\n    return [os.getuid(), os.geteuid(), os.getgid()]\n")
    assert isinstance(uid, list) and uid[0] == uid[1] == uid[2] and uid[0] >= 61000


@pytest.mark.skipif("seccomp" not in LAYERS, reason="seccomp layer not in force here")
@pytest.mark.parametrize("call", ["__import__('socket').socket()", "os.fork()",
                                  "os.execv('/bin/true', ['true'])", "os.kill(1, 0)",
                                  "os.kill(-1, 9)"])
def test_seccomp_blocks_sockets_fork_exec_and_signals_to_others(call: str) -> None:
    msg = value(f"import os\ndef f(z):\n    {call}\n    return 1\n")
    assert isinstance(msg, str) and msg.startswith("PermissionError: [Errno 1]"), msg


@pytest.mark.skipif("seccomp" not in LAYERS, reason="seccomp layer not in force here")
def test_seccomp_still_allows_threads_and_signals_to_itself() -> None:
    src = ("import os, signal, threading\n"
           "def f(z):\n    out = []\n    t = threading.Thread(target=lambda: out.append(7))\n"
           "    t.start(); t.join()\n    os.kill(os.getpid(), 0)\n    return out\n")
    assert value(src) == [7]


@pytest.mark.skipif("pidns" not in LAYERS, reason="no PID namespace here")
def test_pid_namespace_hides_every_other_process() -> None:
    n = value("import os\ndef f(z):\n"
              "    return len([p for p in os.listdir('/proc') if p.isdigit()])\n")
    assert isinstance(n, int) and n <= 4  # bwrap's init, the zygote, this child


@pytest.mark.skipif("mountns" not in LAYERS, reason="no mount namespace here")
def test_mount_namespace_hides_the_grader_and_is_read_only() -> None:
    package = str(Path(grader.__file__).parent)
    src = (f"import os\ndef f(z):\n    ok = []\n    for p in ('/usr/pwned', '/pwned'):\n"
           f"        try:\n            open(p, 'w')\n            ok.append(1)\n"
           f"        except OSError:\n            ok.append(0)\n"
           f"    return ok + [os.path.exists({package!r}), os.path.exists('/home')]\n")
    assert value(src) == [0, 0, False, False]


@pytest.mark.skipif("netns" not in LAYERS, reason="no network namespace here")
def test_network_namespace_alone_keeps_a_loopback_listener_unreached(
        monkeypatch: pytest.MonkeyPatch) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    monkeypatch.setenv("GRADER_SANDBOX_DISABLE", "seccomp")  # so sockets can be created
    probe.cache_clear()
    src = f"import socket\ndef f(z):\n    socket.create_connection(('127.0.0.1', {port}), 1)\n"
    try:
        with SandboxPool(workers=1) as pool:
            run = pool.run(Job("n", {"solution.py": src.encode()}, {"f": [("c", [0], {})]}))
    finally:
        probe.cache_clear()
    assert "seccomp" not in run.level
    assert run.outcomes["c"].status == "exception", run.outcomes["c"]
    with pytest.raises(socket.timeout):
        listener.accept()
    listener.close()


def test_bwrap_command_unshares_and_hides_an_installed_grader(tmp_path: Path) -> None:
    (tmp_path / "grader").mkdir()
    cmd = bwrap_command("/usr/bin/bwrap", "/usr/bin/python3", (str(tmp_path),), root=False)
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--new-session"):
        assert flag in cmd
    assert cmd[cmd.index(str(tmp_path / "grader")) - 1] == "--tmpfs"
    assert "--cap-drop" not in cmd and cmd[-1] == "--"


def test_disabling_a_layer_is_reported_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_SANDBOX_DISABLE", "seccomp,bwrap")
    probe.cache_clear()
    try:
        p = probe()
        assert "seccomp" not in p.layers and "netns" not in p.layers
        assert any(n.startswith("seccomp: no syscall filter") for n in p.notes)
        assert any(n.startswith("namespaces: no network") for n in p.notes)
    finally:
        probe.cache_clear()


def test_without_bubblewrap_or_landlock_student_code_is_refused() -> None:
    p = Platform(root=True, uid=True, bwrap=None, seccomp=False,
                 notes=("files: student code can read every file (no Landlock)",),
                 python=probe().python, sys_path=probe().sys_path, landlock=0)
    with pytest.raises(SandboxRefused, match="refusing to run student code") as err:
        Zygote(p, uid=61000).start()
    assert "--unsafe-no-file-isolation" in str(err.value) and "install bubblewrap" in str(err.value)


@pytest.mark.skipif(os.geteuid() != 0, reason="checks the root-only uid layer")
def test_as_root_the_uid_layer_is_in_force() -> None:
    assert "uid" in LAYERS


@pytest.mark.skipif(os.geteuid() != 0, reason="checks the root-only uid layer")
def test_as_root_without_bubblewrap_student_code_still_runs_as_the_dedicated_uid() -> None:
    """A fresh machine as root has no bubblewrap and Python under /root (mode 700): the uid
    layer stays in force, and the modules solutions commonly use were loaded in advance."""
    import json
    import subprocess
    import sys

    code = (
        "from grader.sandbox import run_cases, sandbox_level\n"
        "src = b'import math, json, os\\ndef f(x):\\n    return [math.sqrt(x), os.getuid()]\\n'\n"
        "r = run_cases({'solution.py': src}, 'f', [('a', [4.0], {})])\n"
        "import json\n"
        "out = r.outcomes['a']\n"
        "print(sandbox_level()); print(out.status, json.dumps(out.value))\n")
    env = {**os.environ, "GRADER_SANDBOX_DISABLE": "bwrap"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120, check=True).stdout.splitlines()
    assert "uid" in out[0].split("+") and "netns" not in out[0]
    status, value = out[1].split(" ", 1)
    assert status == "ok"
    sqrt, uid = json.loads(value)
    assert sqrt == 2.0 and uid >= 61000
