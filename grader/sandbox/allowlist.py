"""What student code may read: the system, Python's standard library and the site-packages
the zygote imports from, minus grader itself and the instructor's packages.

The same list of hidden entries serves both file layers: bubblewrap covers them with empty
mounts, Landlock simply never allows them (its rules can only add, so a directory holding a
hidden entry is allowed entry by entry instead of whole).
"""

from __future__ import annotations

import functools
import os
import site
import sysconfig
from importlib import metadata
from pathlib import Path

from grader.sandbox import _landlock as ll

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")
PACK_GROUP = "grader.packs"  # grader.authoring.plugins.ENTRY_POINT_GROUP, without importing plugins
GRADER_NAMES = {"grader", "dlmath-grader", "dlmath_grader"}
DEVICES = (("/dev/null", ll.READ_FILE | ll.WRITE_FILE | ll.TRUNCATE),
           ("/dev/zero", ll.READ_FILE), ("/dev/urandom", ll.READ_FILE),
           ("/dev/random", ll.READ_FILE))


def hidden_entries(site_dir: str) -> set[str]:
    """Entries of a site-packages dir that student code must not read: grader, its dist-info,
    editable-install finders, and every package offering a grader exercise pack."""
    root = Path(site_dir)
    if not root.is_dir():
        return set()
    hidden = {str(p) for p in root.glob("__editable__*")}
    for dist in metadata.distributions(path=[site_dir]):
        if not _is_instructors(dist):
            continue
        info = getattr(dist, "_path", None)  # the .dist-info folder itself
        if info is not None:
            hidden.add(str(info))
        for top in _top_names(dist):
            hidden |= {str(p) for p in root.glob(f"{top}") if p.name == top}
            hidden |= {str(p) for p in root.glob(f"{top}.*")}
    return {os.path.realpath(h) for h in hidden}


def _is_instructors(dist: metadata.Distribution) -> bool:
    name = (dist.metadata["Name"] or "").lower()
    tops = _top_names(dist)
    return (name in GRADER_NAMES or "grader" in tops
            or any(ep.group == PACK_GROUP for ep in dist.entry_points))


def _top_names(dist: metadata.Distribution) -> set[str]:
    text = dist.read_text("top_level.txt")
    if text:
        return {line.strip() for line in text.splitlines() if line.strip()}
    names = set()
    for f in dist.files or ():
        first = f.parts[0] if f.parts else ""
        if first and first != ".." and not first.endswith((".dist-info", ".egg-info")):
            names.add(first.split(".")[0] if first.endswith(".py") else first)
    return names


def candidate_site_dirs(sys_path: tuple[str, ...]) -> list[str]:
    """Every site dir that may hold grader or a pack, readable or not by student code."""
    import grader

    dirs = [*sys_path, *site.getsitepackages(), site.getusersitepackages(),
            str(Path(grader.__file__).parent.parent)]
    return list(dict.fromkeys(os.path.realpath(d) for d in dirs if os.path.isdir(d)))


@functools.cache
def landlock_rules(sys_path: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """The static allow-list, as (path, Landlock rights); the run's directory is added per run."""
    import grader

    holes = {os.path.realpath(Path(grader.__file__).parent)}
    for d in candidate_site_dirs(sys_path):
        holes |= hidden_entries(d)
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    rules: dict[str, int] = {}
    for d in (*SYSTEM_DIRS, *SYSTEM_FILES):
        _allow(d, holes, rules)
    stdlib_holes = holes | {os.path.join(stdlib, n) for n in ("site-packages", "dist-packages")}
    _allow(stdlib, stdlib_holes, rules)
    for d in sys_path:
        _allow(d, holes, rules)
    for dev, access in DEVICES:
        rules[dev] = rules.get(dev, 0) | access
    return tuple(rules.items())


def _allow(path: str, holes: set[str], rules: dict[str, int]) -> None:
    """Allow reading `path` whole, or entry by entry when a hidden entry lies beneath it."""
    real = os.path.realpath(path)
    if real in holes or not os.path.exists(real):
        return
    inside = [h for h in holes if h.startswith(real + os.sep)]
    if not inside or not os.path.isdir(real):
        rules[real] = rules.get(real, 0) | (ll.READ if os.path.isdir(real) else ll.READ_FILE)
        return
    rules[real] = rules.get(real, 0) | ll.READ_DIR  # listing names reveals nothing
    for entry in os.scandir(real):
        _allow(entry.path, holes, rules)
