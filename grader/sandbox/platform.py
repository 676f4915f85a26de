"""Which isolation layers this machine offers, probed once, and the zygote's command line.

Layers, in the order they appear in a level string:
  fork      a freshly forked process per submission (always)
  rlimits   address space, CPU, file size, open files, no core dumps (always)
  uid       a dedicated unprivileged uid per worker (only when the grader runs as root)
  netns, pidns, mountns   bubblewrap: no network, own PID space, minimal read-only view
  landlock  only without bubblewrap: every file hidden but the system, Python, numpy and the
            run's own directory; no TCP; no signals or abstract sockets out of the sandbox
  seccomp   a syscall filter (pyseccomp + libseccomp)
Set GRADER_SANDBOX_DISABLE to a comma list of "bwrap", "landlock", "seccomp", "uid" to turn
layers off (for testing the degraded modes); a disabled layer is reported as missing.
GRADER_SANDBOX_BWRAP names the bubblewrap executable to probe (tests point it at a fake one).
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

from grader.core.flags import UNSAFE_ENV
from grader.sandbox.allowlist import SYSTEM_DIRS, SYSTEM_FILES, hidden_entries

UID_BASE = 61000  # worker i runs student code as uid UID_BASE + i
DISK_MB = 64  # the private /tmp of a namespaced zygote
ROOT_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_FOWNER", "CAP_DAC_OVERRIDE",
             "CAP_KILL")


USERNS_FIX = (
    "the kernel refuses bubblewrap a user namespace. Ubuntu 23.10+ (AppArmor): run "
    "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (to keep it, add that "
    "line to /etc/sysctl.d/60-userns.conf), or allow bwrap alone with the profile "
    "/etc/apparmor.d/bwrap: `abi <abi/4.0>, include <tunables/global>, profile bwrap "
    "/usr/bin/bwrap flags=(unconfined) { userns, }` then `sudo apparmor_parser -r "
    "/etc/apparmor.d/bwrap`; older Debian: `sudo sysctl -w kernel.unprivileged_userns_clone=1`")
INSTALL_BWRAP = "install bubblewrap (Debian: apt-get install bubblewrap)"
USERNS_SIGNS = ("setting up uid map", "no permissions to create new namespace",
                "creating new namespace", "permission denied", "operation not permitted")
_unsafe_allowed = False


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
    landlock: int = 0  # the Landlock ABI in force (only without bubblewrap); 0: none
    fd_paths: bool = False  # the uid cannot walk to Python: the zygote opens sys.path as fds
    no_files_why: str = ""  # without file isolation: why neither bubblewrap nor Landlock works

    @property
    def layers(self) -> tuple[str, ...]:
        out = ["fork", "rlimits"] + (["uid"] if self.uid else [])
        out += ["netns", "pidns", "mountns"] if self.bwrap else []
        out += ["landlock"] if self.landlock else []
        return tuple(out + (["seccomp"] if self.seccomp else []))

    @property
    def file_isolation(self) -> bool:
        """Whether student code is kept from the grader's files (a mount namespace or Landlock).

        The dedicated uid alone does not count: it still reads every world-readable file, the
        assignment folder and an instructor's home included, on most machines."""
        return bool(self.bwrap or self.landlock)


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
        notes.append(bwrap_note(why))
    landlock = 0 if bwrap or "landlock" in off else _landlock_abi()
    no_files_why = ""
    if not bwrap and not landlock:
        bwrap_why = why
        why = "disabled" if "landlock" in off else "this kernel has no Landlock (Linux 5.13+)"
        no_files_why = f"bubblewrap: {bwrap_why}; Landlock: {why}"
        notes.append(f"files: student code can read every file the grader's user can read, the "
                     f"answer key and other submissions included ({why}); install bubblewrap "
                     f"or use Linux 5.13 or later with Landlock enabled")
    uid = root and "uid" not in off
    fd_paths = uid and not bwrap and not all(map(_others_can_read, (sys.base_prefix, *sys_path)))
    if not uid:
        why = "disabled" if root else "the grader is not running as root"
        notes.append(f"uid: student code runs as the grader's own user ({why})")
    return Platform(root, uid, bwrap, seccomp, tuple(notes), python, sys_path, landlock, fd_paths,
                    no_files_why)


def bwrap_note(why: str) -> str:
    """The sentence for a missing bubblewrap: not installed, or installed but failing (and how
    to fix the kernel's refusal)."""
    text = f"namespaces: no network, PID or filesystem isolation ({why}); "
    if why.startswith("bubblewrap is installed"):
        low = why.lower()
        if any(sign in low for sign in USERNS_SIGNS):
            return text + "to fix it: " + USERNS_FIX
        return text + "see the message above, and that bubblewrap runs: `bwrap --ro-bind / / true`"
    return text + INSTALL_BWRAP


def allow_unsafe_no_file_isolation() -> None:
    """The instructor accepts running student code that can read the grader's files."""
    global _unsafe_allowed
    _unsafe_allowed = True


def unsafe_allowed() -> bool:
    return _unsafe_allowed or os.environ.get(UNSAFE_ENV, "") == "1"


def sandbox_level() -> str:
    """The layers this platform puts around student code, e.g. 'fork+rlimits+uid+seccomp'."""
    return "+".join(probe().layers)


def sandbox_notes() -> tuple[str, ...]:
    """One plain sentence for each layer that is not in force, saying why."""
    return probe().notes


def level_gaps(level: str) -> list[tuple[str, str]]:
    """(what student code could do, the fix) for each protection missing from a level string;
    empty for the full level, or when no student code ran (level not a layer list)."""
    layers = set(level.split("+"))
    if "fork" not in layers:
        return []
    gaps = []
    if not layers & {"mountns", "landlock"}:
        gaps.append(("it could read every file the grading account can read, the answer key "
                     "and other students' submissions included",
                     f"{INSTALL_BWRAP} or use Linux 5.13+ with Landlock"))
    elif "mountns" not in layers:
        gaps.append(("Landlock kept it from the grader's files, but it shared the machine's "
                     "network and process list",
                     f"{INSTALL_BWRAP} and let it create user namespaces"))
    if "seccomp" not in layers:
        gaps.append(("sockets, fork and exec were not blocked",
                     "install pyseccomp and libseccomp2"))
    return gaps


def level_sentence(level: str) -> str:
    """The sandbox level, what it meant for student code, and the fix, as one sentence: the
    same words in the CLI, the Markdown summary and the reports. "" when no code ran."""
    if "fork" not in level.split("+"):
        return ""
    gaps = level_gaps(level)
    if not gaps:
        return (f"Student code ran in the full sandbox ({level}): no network, no other "
                "processes, no files but its own.")
    return (f"Student code ran in a weaker sandbox ({level}): "
            + "; ".join(what for what, _ in gaps) + ". To fix: "
            + "; ".join(fix for _, fix in gaps) + ".")


def level_lines(level: str) -> list[str]:
    """What a command prints about the sandbox: the sentence, then why each layer is missing
    here (bubblewrap failing, say, with the fix). [] when no student code ran."""
    sentence = level_sentence(level)
    if not sentence:
        return []
    why = [n for n in sandbox_notes() if n.startswith(("namespaces", "files", "seccomp"))]
    return [f"sandbox: {sentence}"] + ([f"sandbox: why: {n}" for n in why]
                                       if level_gaps(level) else [])


def _landlock_abi() -> int:
    from grader.sandbox._landlock import abi_version

    try:
        return abi_version()
    except (OSError, AttributeError):
        return 0


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


def _try_bwrap(python: str, sys_path: tuple[str, ...], root: bool,
               exe: str | None = None) -> tuple[str | None, str]:
    """(bwrap's path, "") when it works here; else (None, why): not installed, or installed
    but failing (the kernel refusing it a namespace, say), with its last line of complaint."""
    exe = exe or os.environ.get("GRADER_SANDBOX_BWRAP") or shutil.which("bwrap")
    if exe is None or not os.access(exe, os.X_OK):
        return None, "bubblewrap is not installed"
    cmd = bwrap_command(exe, python, sys_path, root=root) + [python, "-I", "-S", "-c", "pass"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=20, env=zygote_env("/tmp"),
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"bubblewrap is installed ({exe}) but failed: {exc}"
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace").strip().splitlines()
        return None, (f"bubblewrap is installed ({exe}) but failed: "
                      f"{err[-1] if err else f'exit status {done.returncode}'}")
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

    for site in sys_path:  # grader, its finders and the instructor's packs: never importable
        for entry in sorted(hidden_entries(site) | _grader_in(site)):
            cmd += ["--tmpfs", entry] if os.path.isdir(entry) else ["--ro-bind", "/dev/null", entry]
    if root:
        cmd += ["--cap-drop", "ALL"] + [a for c in ROOT_CAPS for a in ("--cap-add", c)]
    # The new root is a tmpfs bwrap made: make it read-only too, leaving /tmp writable.
    return cmd + ["--remount-ro", "/", "--chdir", "/tmp", "--"]


def _grader_in(site: str) -> set[str]:
    path = os.path.join(site, "grader")
    return {path} if os.path.isdir(path) else set()


def zygote_env(home: str) -> dict[str, str]:
    """The whole environment the zygote (and so every child) starts with: no secrets."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home,
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
