"""Which isolation layers this machine offers, probed once, and the zygote's command line.

Layers, in the order they appear in a level string:
  fork      a freshly forked process per submission (always)
  rlimits   address space, CPU, file size, open files, no core dumps (always)
  uid       a dedicated unprivileged uid per worker (only when the grader runs as root)
  netns, pidns, mountns   bubblewrap: no network, own PID space, minimal read-only view
  seccomp   a syscall filter (pyseccomp + libseccomp)
Set GRADER_SANDBOX_DISABLE to a comma list of "bwrap", "seccomp", "uid" to turn layers off
(for testing the degraded modes); a disabled layer is reported as missing.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

UID_BASE = 61000  # worker i runs student code as uid UID_BASE + i
DISK_MB = 64  # the private /tmp of a namespaced zygote
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")
ROOT_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_FOWNER", "CAP_DAC_OVERRIDE",
             "CAP_KILL")


@dataclass(frozen=True)
class Platform:
    """The layers available here, and why each missing one is missing."""

    root: bool
    uid: bool  # student code runs as a dedicated uid
    bwrap: str | None
    seccomp: bool
    notes: tuple[str, ...]  # one plain sentence per missing layer
    python: str
    sys_path: tuple[str, ...]  # where the zygote finds numpy and pyseccomp

    @property
    def layers(self) -> tuple[str, ...]:
        out = ["fork", "rlimits"] + (["uid"] if self.uid else [])
        out += ["netns", "pidns", "mountns"] if self.bwrap else []
        return tuple(out + (["seccomp"] if self.seccomp else []))


@functools.cache
def probe() -> Platform:
    """Detect the layers once per process."""
    off = {s.strip() for s in os.environ.get("GRADER_SANDBOX_DISABLE", "").split(",")}
    notes = []
    root = os.geteuid() == 0
    python = os.path.realpath(sys.executable)
    sys_path = tuple(dict.fromkeys(d for d in map(_package_dir, ("numpy", "pyseccomp")) if d))
    seccomp = "seccomp" not in off and _seccomp_loads()
    if not seccomp:
        notes.append("seccomp: no syscall filter (install the 'seccomp' extra: pyseccomp and "
                     "libseccomp2), so sockets, fork and exec are not blocked")
    bwrap, why = (None, "disabled") if "bwrap" in off else _try_bwrap(python, sys_path, root)
    if bwrap is None:
        notes.append(f"namespaces: no network, PID or filesystem isolation ({why}); install "
                     "bubblewrap (Debian: apt-get install bubblewrap)")
    uid = root and "uid" not in off
    if uid and not bwrap and not all(map(_others_can_read, (sys.base_prefix, *sys_path))):
        # Still run as the dedicated uid: the zygote preloads numpy and the common standard
        # modules before forking, so only other imports fail (as the student's ImportError).
        notes.append("imports: Python lives where the dedicated uid cannot read it, so student "
                     "code can import only numpy and the standard modules loaded in advance")
    elif not uid:
        why = "disabled" if root else "the grader is not running as root"
        notes.append(f"uid: student code runs as the grader's own user ({why})")
    return Platform(root, uid, bwrap, seccomp, tuple(notes), python, sys_path)


def sandbox_level() -> str:
    """The layers this platform puts around student code, e.g. 'fork+rlimits+uid+seccomp'."""
    return "+".join(probe().layers)


def sandbox_notes() -> tuple[str, ...]:
    """One plain sentence for each layer that is not in force, saying why."""
    return probe().notes


def _package_dir(module: str) -> str | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    origin = Path(spec.origin)
    return str(origin.parent.parent if origin.name == "__init__.py" else origin.parent)


def _others_can_read(path: str) -> bool:
    p = Path(path)
    return all(q.stat().st_mode & 0o001 for q in (p, *p.parents)) and bool(p.stat().st_mode & 0o004)


def _seccomp_loads() -> bool:
    try:
        import pyseccomp  # noqa: F401
    except Exception:
        return False
    return True


def _try_bwrap(python: str, sys_path: tuple[str, ...], root: bool) -> tuple[str | None, str]:
    exe = shutil.which("bwrap")
    if exe is None:
        return None, "bubblewrap is not installed"
    cmd = bwrap_command(exe, python, sys_path, root=root) + [python, "-I", "-S", "-c", "pass"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=20, env=zygote_env("/tmp"),
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"bubblewrap failed: {exc}"
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace").strip().splitlines()
        return None, f"bubblewrap failed: {err[-1] if err else done.returncode}"
    return exe, ""


def bwrap_command(exe: str, python: str, sys_path: tuple[str, ...], *, root: bool) -> list[str]:
    """bwrap with no network, its own PID space and a minimal read-only view; ends with '--'."""
    cmd = [exe, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
           "--unshare-cgroup-try", "--new-session", "--hostname", "sandbox"]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--size", str(DISK_MB << 20), "--tmpfs", "/tmp"]
    bound: list[str] = []
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            cmd += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            cmd += ["--ro-bind", d, d]
            bound.append(d)
    for f in SYSTEM_FILES:
        cmd += ["--ro-bind-try", f, f]
    made: set[str] = set()
    for d in (sys.base_prefix, os.path.dirname(python), *sys_path):
        if not any(d == b or d.startswith(b + "/") for b in bound):
            # bwrap copies the modes of the parents it creates (/root is 0700); the
            # dedicated uid must be able to walk down to the standard library.
            for parent in reversed(Path(d).parents[:-1]):
                if str(parent) not in made:
                    cmd += ["--perms", "0755", "--dir", str(parent)]
                    made.add(str(parent))
            cmd += ["--ro-bind", d, d]
            bound.append(d)
    for site in sys_path:  # an installed grader must not be importable by the student
        if os.path.isdir(os.path.join(site, "grader")):
            cmd += ["--tmpfs", os.path.join(site, "grader")]
    if root:
        cmd += ["--cap-drop", "ALL"] + [a for c in ROOT_CAPS for a in ("--cap-add", c)]
    # The new root is a tmpfs bwrap made: make it read-only too, leaving /tmp writable.
    return cmd + ["--remount-ro", "/", "--chdir", "/tmp", "--"]


def zygote_env(home: str) -> dict[str, str]:
    """The whole environment the zygote (and so every child) starts with: no secrets."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home,
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
