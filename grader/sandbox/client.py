"""The grader's handle on one zygote process: start it, send requests, kill it if it hangs."""

from __future__ import annotations

import json
import os
import select
import signal
import struct
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from grader.core.errors import UserError
from grader.core.flags import UNSAFE_ENV, UNSAFE_FLAG
from grader.sandbox.platform import (
    INSTALL_BWRAP,
    USERNS_FIX,
    Platform,
    bwrap_command,
    unsafe_allowed,
    zygote_env,
)

HERE = Path(__file__).parent
GRACE_SECONDS = 5.0  # the zygote's own kill-and-drain after a deadline; then we kill it
MAX_REPLY = 64 << 20
ZYGOTE_LABEL = "grader-sandbox-zygote-of-"
LOADER = ("import os, struct\nn = struct.unpack('>I', os.read(0, 4))[0]\nsrc = b''\n"
          "while len(src) < n:\n    src += os.read(0, n - len(src))\n"
          "exec(compile(src, '<sandbox zygote>', 'exec'))\n")


class SandboxError(RuntimeError):
    """The sandbox itself could not run (not the student's fault): a grader or platform fault."""


class SandboxRefused(SandboxError, UserError):
    """This platform's setup is unsafe for student code: the user must change it (exit 2)."""


class Zygote:
    """One warm interpreter, started in the namespaces, forking a child per request."""

    def __init__(self, platform: Platform, *, uid: int | None) -> None:
        self.platform = platform
        self.uid = uid
        self.proc: subprocess.Popen[bytes] | None = None
        self.hello: dict[str, Any] = {}
        self.log = tempfile.TemporaryFile()

    @property
    def level(self) -> str:
        """The layers in force, as the zygote reported them (seccomp, Landlock)."""
        layers = [x for x in self.platform.layers if x not in ("landlock", "seccomp")]
        if self.uid is None and "uid" in layers:
            layers.remove("uid")
        layers += ["landlock"] if self.hello.get("landlock") else []
        return "+".join(layers + (["seccomp"] if self.hello.get("seccomp") else []))

    def start(self) -> None:
        p = self.platform
        if not p.file_isolation and not unsafe_allowed():
            raise SandboxRefused(refusal(p))
        # A short loader reads the zygote's source from stdin; the last argument only labels
        # the process, so that `ps` shows which grader owns it.
        cmd = [p.python, "-I", "-S", "-c", LOADER, f"{ZYGOTE_LABEL}{os.getpid()}"]
        if p.bwrap:
            cmd = bwrap_command(p.bwrap, p.python, p.sys_path, root=p.root) + cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, env=zygote_env(tempfile.gettempdir()),
                                     start_new_session=True, bufsize=0)
        source = ((HERE / "_zygote.py").read_text() + "\nmain()\n").encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(struct.pack(">I", len(source)) + source)
        boot = {"sys_path": list(p.sys_path), "seccomp": p.seccomp,
                "child_source": (HERE / "_child.py").read_text(),
                "tmp_root": "/tmp" if p.bwrap else "", "fd_paths": p.fd_paths,
                "landlock": _landlock_boot(p)}
        hello = self._exchange(boot, timeout=60)
        if not hello or not hello.get("ready"):
            self.close()
            raise SandboxError(f"the sandbox could not start: {self._log_tail()}")
        self.hello = hello

    def call(self, req: dict[str, Any], *, timeout: float) -> dict[str, Any] | None:
        """Send one request; None if the zygote died or hung (it is then killed)."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        reply = self._exchange(dict(req, uid=self.uid), timeout=timeout + GRACE_SECONDS)
        if reply is None:
            self.close()
        return reply

    def _exchange(self, msg: dict[str, Any], *, timeout: float) -> dict[str, Any] | None:
        assert self.proc is not None and self.proc.stdin and self.proc.stdout
        body = json.dumps(msg).encode()
        try:
            self.proc.stdin.write(struct.pack(">I", len(body)) + body)
        except (BrokenPipeError, OSError):
            return None
        end = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        head = _read(fd, 4, end)
        if head is None or struct.unpack(">I", head)[0] > MAX_REPLY:
            return None
        data = _read(fd, struct.unpack(">I", head)[0], end)
        return None if data is None else json.loads(data)

    def close(self) -> None:
        """Kill the zygote's whole session; with a PID namespace, everything in it dies."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if f:
                f.close()
        self.proc = None

    def _log_tail(self) -> str:
        self.log.seek(0)
        lines = self.log.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no message"


def refusal(p: Platform) -> str:
    """Why student code will not run here, and the ways out (exit status 2, never a crash)."""
    why = f" ({p.no_files_why})" if p.no_files_why else ""
    refused = any(n.endswith(USERNS_FIX) for n in p.notes)  # installed, kernel says no
    fix = f"bubblewrap is installed but {USERNS_FIX}" if refused else INSTALL_BWRAP
    return ("refusing to run student code: nothing here keeps it from reading the grader's "
            "files (the answer key, the assignment folder, other students' submissions, your "
            f"home){why}; a dedicated uid alone does not hide world-readable files. "
            f"Fix: {fix}; or use Linux 5.13 or later with Landlock enabled. To run it anyway, "
            f"knowing the risk, pass {UNSAFE_FLAG} (or set {UNSAFE_ENV}=1).")


def _landlock_boot(p: Platform) -> dict[str, Any] | None:
    if not p.landlock:
        return None
    from grader.sandbox.allowlist import landlock_rules

    return {"abi": p.landlock, "rules": [list(r) for r in landlock_rules(p.sys_path)],
            "source": (HERE / "_landlock.py").read_text()}


def _read(fd: int, n: int, end: float) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, min(n - len(buf), 1 << 20))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)
