"""The zygote: a warm interpreter that forks one sandboxed child per request.

Started by the grader as `python -I -S -c <this source>` with a scrubbed environment (inside
bubblewrap's namespaces when available); it is never forked from the grader, so it holds no
answers, keys or secrets. It imports numpy once, then serves requests read from stdin:
fork a child (see _child.py), watch its output through capped buffers, kill it and every
descendant at the deadline, and send back the raw bytes. It never interprets results:
the trusted grader parses them.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import selectors
import shutil
import signal
import struct
import sys
import tempfile
import time
import types
from collections.abc import Callable
from typing import Any

PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
SECCOMP_DENY = [
    "execve", "execveat", "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev",
    "socket", "socketpair", "mount", "umount2", "unshare", "setns", "pivot_root", "chroot",
    "bpf", "keyctl", "add_key", "request_key", "perf_event_open", "userfaultfd", "kexec_load",
    "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff", "tkill",
    "pidfd_open", "pidfd_send_signal", "pidfd_getfd", "io_uring_setup", "kcmp",
    "open_by_handle_at", "name_to_handle_at", "acct", "settimeofday", "clock_settime",
]
CLONE_THREAD, TIOCSTI, PR_SET_PDEATHSIG = 0x10000, 0x5412, 1
WORKDIR_RIGHTS = (1 << 16) - 1  # every Landlock file right; masked to what the kernel knows


def read_msg(fd: int) -> Any:
    head = _read_exact(fd, 4)
    if head is None:
        return None
    body = _read_exact(fd, struct.unpack(">I", head)[0])
    return None if body is None else json.loads(body)


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def write_msg(fd: int, obj: Any) -> None:
    body = json.dumps(obj).encode()
    view = memoryview(struct.pack(">I", len(body)) + body)
    while view:
        view = view[os.write(fd, view):]


PRELOAD = ("math", "cmath", "random", "statistics", "itertools", "functools", "operator",
           "collections", "heapq", "bisect", "fractions", "decimal", "numbers", "copy", "json",
           "re", "string", "typing", "dataclasses", "enum", "abc", "warnings", "contextlib",
           "threading", "array", "socket", "numpy.linalg", "numpy.random", "numpy.fft",
           # and what the child itself needs lazily: importing solution.py, tracebacks
           "importlib.util", "importlib.machinery", "traceback", "linecache", "tokenize",
           "codecs", "encodings.utf_8", "encodings.latin_1")


def main() -> None:
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)  # a stray print can never corrupt the protocol
    boot = read_msg(proto_in)
    sys.path[:0] = boot["sys_path"]
    import numpy

    # Loaded once before any fork, so that children do not each pay for what solutions (and
    # the child itself) commonly import; anything else imports through sys.path as usual.
    for name in PRELOAD:
        try:
            __import__(name)
        except ImportError:
            pass

    kept = _paths_by_fd() if boot.get("fd_paths") else []
    child = types.ModuleType("_sandbox_child")
    exec(compile(boot["child_source"], "<sandbox child>", "exec"), child.__dict__)
    landlock = _landlock_rules(boot["landlock"]) if boot.get("landlock") else None
    libc = ctypes.CDLL(None, use_errno=True)
    subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # same-uid children cannot read our memory
    seccomp, seccomp_error = _prepare_seccomp() if boot["seccomp"] else (None, "not requested")
    tmp_root = boot["tmp_root"] or tempfile.gettempdir()
    write_msg(proto_out, {"ready": True, "seccomp": seccomp is not None,
                          "seccomp_error": seccomp_error, "subreaper": subreaper,
                          "landlock": landlock.abi if landlock else 0,
                          "numpy": numpy.__version__, "pid": os.getpid()})
    while (req := read_msg(proto_in)) is not None:
        try:
            resp = serve(dict(req, keep_fds=kept), child, seccomp, tmp_root, landlock)
        except Exception as exc:
            resp = {"error": f"{type(exc).__name__}: {exc}"}
        write_msg(proto_out, resp)


def _paths_by_fd() -> list[int]:
    """Reach sys.path through directory fds opened now, while we can: the dedicated uid cannot
    walk down to a Python under a private home (/root/.pyenv), but /proc/self/fd/N takes it
    straight to the directory, whose own modes let everyone read it."""
    moved: dict[str, str] = {}
    for entry in sys.path:
        try:
            moved[entry] = f"/proc/self/fd/{os.open(entry, os.O_PATH | os.O_DIRECTORY)}"
        except OSError:
            continue

    def move(path: str) -> str:
        for old in sorted(moved, key=len, reverse=True):
            if path == old or path.startswith(old + "/"):
                return moved[old] + path[len(old):]
        return path

    sys.path[:] = [move(p) for p in sys.path]
    for module in list(sys.modules.values()):  # numpy.__path__ finds numpy.polynomial, say
        path = getattr(module, "__path__", None)
        if type(path) is list:
            path[:] = [move(p) for p in path]
    sys.path_importer_cache.clear()
    return [int(v.rsplit("/", 1)[1]) for v in moved.values()]


def _landlock_rules(spec: dict) -> Any:
    """Open the allow-list once; each run then only builds a ruleset from these fds."""
    module = types.ModuleType("_sandbox_landlock")
    exec(compile(spec["source"], "<sandbox landlock>", "exec"), module.__dict__)
    return module.Rules(spec["abi"], [tuple(r) for r in spec["rules"]])


def _prepare_seccomp() -> tuple[Callable[[int], None] | None, str]:
    try:
        import pyseccomp as sc
    except Exception as exc:
        return None, f"pyseccomp unavailable ({exc})"

    def install(pid: int) -> None:
        deny = sc.ERRNO(1)  # EPERM: the student sees a clear PermissionError
        f = sc.SyscallFilter(sc.ALLOW)
        for name in SECCOMP_DENY:
            f.add_rule(deny, name)
        f.add_rule(sc.ERRNO(38), "clone3")  # ENOSYS: glibc falls back to clone for threads
        f.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
        f.add_rule(deny, "kill", sc.Arg(0, sc.NE, pid))
        f.add_rule(deny, "tgkill", sc.Arg(0, sc.NE, pid))
        f.add_rule(deny, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, TIOCSTI))
        f.add_rule(deny, "prctl", sc.Arg(0, sc.EQ, PR_SET_PDEATHSIG))
        f.load()

    return install, ""


def serve(req: dict, child: Any, seccomp: Any, tmp_root: str, landlock: Any) -> dict:
    """Run one child for this request and report how it ended, with its raw output."""
    workdir = tempfile.mkdtemp(prefix="run-", dir=tmp_root)
    ruleset = None
    try:
        _write_files(workdir, req["files"], req.get("uid"))
        if landlock is not None:  # the static allow-list plus this run's own directory
            ruleset = landlock.ruleset([(workdir, WORKDIR_RIGHTS)])
            req = dict(req, landlock_fd=ruleset, keep_fds=[*req["keep_fds"], ruleset])
        return _fork_and_watch(req, workdir, child, seccomp)
    finally:
        if ruleset is not None:
            os.close(ruleset)
        _remove(workdir)


def _write_files(workdir: str, files: dict, uid: int | None) -> None:
    for name, b64 in files.items():
        if os.sep in name or name in (".", "..") or "\0" in name:
            raise ValueError(f"bad file name {name!r}")
        fd = os.open(os.path.join(workdir, name),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(base64.b64decode(b64))
            if uid is not None:
                os.fchown(f.fileno(), uid, uid)
    if uid is not None:
        os.chown(workdir, uid, uid)


def _fork_and_watch(req: dict, workdir: str, child: Any, seccomp: Any) -> dict:
    pipes = [os.pipe() for _ in range(3)]  # stdout, stderr, results
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        child.main(req, workdir, tuple(w for _, w in pipes), seccomp)
    for _, w in pipes:
        os.close(w)
    watch = _Watch(req, [r for r, _ in pipes], pid)
    reason = watch.run(start)
    status = _kill_all(pid)
    watch.drain()
    for r, _ in pipes:
        os.close(r)
    return {"reason": reason, "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "elapsed": time.monotonic() - start, "spent": watch.spent,
            **{k: base64.b64encode(bytes(b)).decode() for k, b in watch.named_buffers()}}


class _Watch:
    """Read stdout, stderr and results through capped buffers until the child ends or a limit."""

    def __init__(self, req: dict, fds: list[int], pid: int) -> None:
        lim = req["limits"]
        self.fds = fds
        self.caps = [lim["output_kb"] << 10, lim["output_kb"] << 10, lim["result_kb"] << 10]
        self.bufs = [bytearray(), bytearray(), bytearray()]
        self.deadline = req["deadline"]
        self.per_case = req.get("per_case_seconds")
        # Each function's own clock: [cases, seconds] per run of consecutive calls. Case lines
        # follow "ready" and "imported"; the first clock also covers the import.
        self.groups = [(int(n), float(s)) for n, s in req.get("groups") or []]
        self.bounds = [2 + sum(n for n, _ in self.groups[:g + 1]) for g in range(len(self.groups))]
        self.lines, self.group, self.group_start = 0, 0, 0.0
        self.spent = [0.0] * len(self.groups)
        self.pidfd = os.pidfd_open(pid)
        self.sel = selectors.DefaultSelector()
        for fd in fds:
            os.set_blocking(fd, False)
            self.sel.register(fd, selectors.EVENT_READ)
        self.sel.register(self.pidfd, selectors.EVENT_READ)

    def run(self, start: float) -> str | None:
        """Watch until the child ends or a limit; then charge the running function's clock."""
        self.group_start = start
        try:
            return self._watch(start)
        finally:
            if self.group < len(self.groups):
                self.spent[self.group] = time.monotonic() - self.group_start

    def _watch(self, start: float) -> str | None:
        end = start + self.deadline
        case_end = None  # the per-case clock starts with the first result line
        while True:
            now = time.monotonic()
            group_end = self._group_end()
            limit = min(end, case_end or end, group_end)
            if now >= limit:
                return ("deadline" if limit == end else "budget" if limit == group_end
                        else "case_deadline")
            for key, _ in self.sel.select(limit - now):
                if key.fd == self.pidfd:
                    return None
                i = self.fds.index(key.fd)
                lines = self._read(i)
                if lines is None:
                    return ("output", "output", "result")[i]
                if i == 2 and lines:
                    self._advance(lines)
                    if self.per_case:
                        case_end = time.monotonic() + self.per_case

    def _group_end(self) -> float:
        if self.group >= len(self.groups):
            return float("inf")
        return self.group_start + self.groups[self.group][1]

    def _advance(self, lines: int) -> None:
        """Count result lines; a function's clock stops at its last case's line."""
        self.lines += lines
        now = time.monotonic()
        while self.group < len(self.groups) and self.lines >= self.bounds[self.group]:
            self.spent[self.group] = now - self.group_start
            self.group, self.group_start = self.group + 1, now

    def _read(self, i: int) -> int | None:
        """Read what is there; the number of lines completed; None if a cap was passed."""
        try:
            chunk = os.read(self.fds[i], 65536)
        except BlockingIOError:
            return 0
        if not chunk:
            self.sel.unregister(self.fds[i])
            return 0
        room = self.caps[i] - len(self.bufs[i])
        self.bufs[i] += chunk[:room]
        return None if len(chunk) > room else chunk.count(b"\n")

    def drain(self) -> None:
        """After every writer is dead: collect what is left in the pipes, within the caps."""
        for i, fd in enumerate(self.fds):
            while len(self.bufs[i]) < self.caps[i]:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                self.bufs[i] += chunk[: self.caps[i] - len(self.bufs[i])]
        self.sel.close()
        os.close(self.pidfd)

    def named_buffers(self) -> list[tuple[str, bytearray]]:
        return list(zip(("stdout", "stderr", "result"), self.bufs))


def _kill_all(pid: int) -> int:
    """Kill the child's group and every descendant (orphans come back to us: subreaper)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    status = 0
    while True:
        for kid in _children():
            try:
                os.kill(kid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            got, st = os.waitpid(-1, 0)
        except ChildProcessError:
            return status
        if got == pid:
            status = st


def _children() -> list[int]:
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:  # kernel without CONFIG_PROC_CHILDREN: scan /proc
        kids = []
        for name in os.listdir("/proc"):
            try:
                with open(f"/proc/{name}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == me:
                        kids.append(int(name))
            except (OSError, ValueError, IndexError):
                continue
        return kids


def _remove(path: str) -> None:
    def unlock(func: Any, p: str, _exc: Any) -> None:
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    shutil.rmtree(path, onerror=unlock)
