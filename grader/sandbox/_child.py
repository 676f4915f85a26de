"""The sandboxed child: applies the layers, imports solution.py and runs the cases.

This module's source is shipped to the zygote and executed there, so it imports only the
standard library (numpy is already imported by the zygote). It runs in a process forked
for one submission; it receives test inputs, never expected values, and writes one JSON
line per case to the result fd. Everything after the student's code runs is written to
rely on nothing the student can patch: exact type checks and unbound C methods.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import resource
import sys
import traceback
from typing import Any

RESULT_FD = 3
SETUP_FAILED = 97  # exit status: a promised layer could not be applied; nothing was run
MAX_DEPTH = 32
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
SYS_LANDLOCK_RESTRICT_SELF, CAPS_V3 = 446, 0x20080522  # the same number on every arch

# Captured before any student code runs: patching builtins later cannot reach these.
_quote = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
_str = str
_isnan = math.isnan
_getattr, _callable, _all, _dict, _memoryview = getattr, callable, all, dict, memoryview
_type, _len, _issubclass, _range = type, len, issubclass, range
_bool, _int, _float, _list, _tuple = bool, int, float, list, tuple
_write = os.write


def main(req: dict, workdir: str, fds: tuple[int, int, int], seccomp: Any) -> None:
    """Apply every layer, then run the cases; never returns."""
    try:
        _setup(req, workdir, fds, seccomp)
    except BaseException as exc:
        try:
            _write(2, f"sandbox setup failed: {exc!r}\n".encode())
        finally:
            os._exit(SETUP_FAILED)
    try:
        _run(req, workdir)
    except BaseException:
        traceback.print_exc()
    finally:
        _flush()
        os._exit(0)


def _setup(req: dict, workdir: str, fds: tuple[int, int, int], seccomp: Any) -> None:
    os.setsid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)  # the zygote dies -> this child dies
    _wire_fds(fds, req.get("keep_fds", ()))
    _rlimits(req["limits"], dedicated_uid=req.get("uid") is not None)
    os.chdir(workdir)
    os.umask(0o077)
    os.environ.clear()
    os.environ.update({"HOME": workdir, "TMPDIR": workdir, "PATH": "/usr/bin:/bin",
                       "LANG": "C.UTF-8"})
    # The zygote imported tempfile, which cached the shared /tmp: a file made there would
    # outlive the run and be seen by the next student.
    import tempfile

    tempfile.tempdir = workdir
    uid = req.get("uid")
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    elif os.geteuid() == 0:  # root without a uid of its own: at least no capabilities
        _drop_capabilities(libc)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if req.get("landlock_fd") is not None:
        _landlock(libc, req["landlock_fd"])
    if seccomp is not None:
        seccomp(os.getpid())
    sys.path.insert(0, workdir)
    sys.dont_write_bytecode = True  # the working directory holds the submitted files only


def _wire_fds(fds: tuple[int, int, int], keep: Any) -> None:
    """stdin from /dev/null, the three pipes on 1-3; every other fd closed but `keep` (the
    Landlock ruleset, the directory fds of sys.path)."""
    out_w, err_w, res_w = fds
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.dup2(res_w, RESULT_FD)
    low = RESULT_FD + 1
    for fd in sorted(k for k in keep if k >= low):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 65536)


def _drop_capabilities(libc: Any) -> None:
    """Root's capabilities would let student code raise its rlimits or bypass file modes."""
    head = (ctypes.c_uint32 * 2)(CAPS_V3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: twice 32 bits, all 0
    if libc.capset(head, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def _landlock(libc: Any, ruleset: int) -> None:
    """Enter the Landlock domain the zygote built for this run, then drop its fd."""
    libc.syscall.restype = ctypes.c_long
    if libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
        raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    os.close(ruleset)


def _rlimits(lim: dict, *, dedicated_uid: bool) -> None:
    def cap(which: int, soft: int, hard: int | None = None) -> None:
        resource.setrlimit(which, (soft, soft if hard is None else hard))

    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_CPU, lim["cpu_seconds"], lim["cpu_seconds"] + 1)
    cap(resource.RLIMIT_FSIZE, lim["file_size_mb"] << 20)
    cap(resource.RLIMIT_NOFILE, lim["open_files"])
    # The address space already holds the interpreter and numpy; the student gets memory_mb more.
    cap(resource.RLIMIT_AS, _vm_size() + (lim["memory_mb"] << 20))
    if dedicated_uid:  # NPROC counts every process of the uid, so only with a uid of our own
        cap(resource.RLIMIT_NPROC, 64)


def _vm_size() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def _json(x: Any) -> str:
    """A tiny JSON writer over captured builtins: patching json or builtins cannot reach it."""
    t = _type(x)
    if t is _str:
        return _quote(x)
    if x is None or t is _bool:
        return "null" if x is None else ("true" if x else "false")
    if t is _int:
        return _int.__repr__(x)
    if t is _float:
        return _float.__repr__(x)  # finite: inf and nan were made strings already
    if t is _list:
        return "[" + ",".join([_json(v) for v in x]) + "]"
    if t is _dict:
        return "{" + ",".join([_quote(k) + ":" + _json(v) for k, v in x.items()]) + "}"
    raise TypeError(f"cannot write {t.__name__}")


def _emit(obj: dict) -> None:
    data = _str.encode(_json(obj) + "\n")
    view = _memoryview(data)
    while view:
        view = view[_write(RESULT_FD, view):]


def _run(req: dict, workdir: str) -> None:
    import numpy as np

    conv = _Converter(np, max_items=req["limits"]["result_kb"] * 128)
    _emit({"event": "ready"})  # every layer is in force; from here on the student's code runs
    module = _import_solution(workdir)
    if module is None:
        return
    _emit({"event": "imported"})
    for case_id, fname, args, kwargs in req["calls"]:
        _emit(_call(module, conv, case_id, fname, args, kwargs, as_arrays=req["as_arrays"]))
        _flush()
    _emit({"event": "done"})


def _import_solution(workdir: str) -> Any:
    import importlib.util

    path = os.path.join(workdir, "solution.py")
    try:
        spec = importlib.util.spec_from_file_location("solution", path)
        if spec is None or spec.loader is None or not os.path.isfile(path):
            raise ImportError("no solution.py in the submission")
        module = importlib.util.module_from_spec(spec)
        sys.modules["solution"] = module
        spec.loader.exec_module(module)
        return module
    except BaseException as exc:
        status, message = _describe(exc, workdir)
        _emit({"event": "import_error", "status": status, "message": message})
        return None


def _call(module: Any, conv: Any, case_id: str, fname: str, args: list, kwargs: dict,
          *, as_arrays: bool) -> dict:
    workdir = os.getcwd()
    try:
        fn = _getattr(module, fname, None)
        if not _callable(fn):
            return {"case": case_id, "status": "exception",
                    "message": f"solution.py does not define a function {fname}()"}
        args = [_arg(a, conv.array, as_arrays) for a in args]
        kwargs = {k: _arg(v, conv.array, as_arrays) for k, v in kwargs.items()}
        value = fn(*args, **kwargs)
    except BaseException as exc:
        status, message = _describe(exc, workdir)
        return {"case": case_id, "status": status, "message": message}
    try:
        return {"case": case_id, "status": "ok", "value": conv.plain(value, 0)}
    except _Refused as exc:
        return {"case": case_id, "status": "bad_output", "message": _str(exc)}
    except BaseException as exc:
        status, message = _describe(exc, workdir)
        return {"case": case_id, "status": status, "message": message}


_SPECIAL = {"inf": float("inf"), "-inf": float("-inf"), "nan": float("nan")}


def _arg(x: Any, array: Any, as_arrays: bool) -> Any:
    """Decode one input: inf/nan strings to floats; numeric lists to float arrays."""
    if _type(x) is _str:
        return _SPECIAL.get(x, x)
    if _type(x) is _list:
        items = [_arg(v, array, False) for v in x]
        if as_arrays and _numeric_tree(items):
            try:
                return array(items, dtype=_float)
            except ValueError:  # ragged
                return items
        return items
    return x


def _numeric_tree(x: Any) -> bool:
    if _type(x) is _list:
        return _len(x) > 0 and _all([_numeric_tree(v) for v in x])
    return _type(x) is _int or _type(x) is _float


def _describe(exc: BaseException, workdir: str) -> tuple[str, str]:
    """The status and the student-facing message for an exception in the student's code."""
    if _issubclass(_type(exc), SystemExit):
        raw = _getattr(exc, "code", None)
        code = raw if _type(raw) is _int else (0 if raw is None else 1)
        return "exited", f"the process exited early (status {code}) before returning"
    status = "memory" if _issubclass(_type(exc), MemoryError) else "exception"
    text = _type(exc).__name__
    try:
        detail = _str(exc)[:1000]
        text += ": " + detail if detail else ""
    except BaseException:
        pass
    where = _student_line(exc, workdir)
    return status, text[:1000] + (" (" + where + ")" if where else "")


def _student_line(exc: BaseException, workdir: str) -> str:
    """The innermost frame in the student's own files, as 'solution.py, line 7, in softmax'."""
    try:
        frames = traceback.extract_tb(exc.__traceback__)
    except BaseException:
        return ""
    mine = [f for f in frames if f.filename.startswith(workdir + os.sep)]
    if not mine:
        return ""
    f = mine[-1]
    return f"{os.path.relpath(f.filename, workdir)}, line {f.lineno}, in {f.name}"


class _Refused(Exception):
    pass


class _Converter:
    """Return values to plain numbers, without calling any method the student could override."""

    def __init__(self, np: Any, *, max_items: int) -> None:
        self.np = np
        self.array = np.array
        self.ndarray = np.ndarray
        self.left = max_items
        self.max_items = max_items

    def plain(self, x: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _Refused(f"returned data nested more than {MAX_DEPTH} levels deep")
        self.left -= 1
        if self.left < 0:
            raise _Refused(f"returned more than {self.max_items} numbers")
        t, sub = _type(x), _issubclass
        if t is _bool or t is self.np.bool_:
            return (x if t is _bool else self._npscalar(x)) is True
        if sub(t, _float):
            return _finite(_float.__float__(x))
        if sub(t, self.np.floating):
            return _finite(_float(self._npscalar(x)))
        if sub(t, _int):
            return self._int(_int.__index__(x))
        if sub(t, self.np.integer):
            return self._int(_int(self._npscalar(x)))
        if sub(t, self.ndarray):
            return self._array(x, depth)
        if sub(t, _list) or sub(t, _tuple):
            base = _list if sub(t, _list) else _tuple
            return [self.plain(base.__getitem__(x, i), depth + 1)
                    for i in _range(base.__len__(x))]
        if x is None:
            raise _Refused("returned None, expected numbers (did the function forget to return?)")
        raise _Refused(f"returned a {t.__name__}, expected numbers")

    def _npscalar(self, x: Any) -> Any:
        return self.np.generic.item(x)  # the C method: a subclass cannot lie through it

    def _int(self, v: int) -> Any:
        if -(2**53) <= v <= 2**53:
            return v
        raise _Refused("returned an integer too large to compare")

    def _array(self, x: Any, depth: int) -> Any:
        base = self.ndarray.view(x, self.ndarray)
        if base.dtype.kind not in "biuf":
            raise _Refused(f"returned an array of {base.dtype}, expected numbers")
        if base.size > self.left:
            raise _Refused(f"returned more than {self.max_items} numbers")
        if base.ndim + depth > MAX_DEPTH:
            raise _Refused(f"returned data nested more than {MAX_DEPTH} levels deep")
        self.left -= _int(base.size)
        return _encode_floats(self.ndarray.tolist(base))


_INF = float("inf")


def _finite(v: float) -> Any:
    if _isnan(v):
        return "nan"
    if v == _INF or v == -_INF:
        return "inf" if v > 0 else "-inf"
    return v


def _encode_floats(x: Any) -> Any:
    if _type(x) is list:
        return [_encode_floats(v) for v in x]
    if _type(x) is _float:
        return _finite(x)
    return x
