"""Instructors' own solvers and generators, and third-party exercise packs.

- A file `grader_plugins.py` beside a folder of specs is imported before those specs load, so
  its `@solver` functions and `@register(...)` generators can be used in them.
- An installed package can offer a pack through the entry-point group `grader.packs`: the
  entry point is a module (importing it registers its solvers and generators) or a callable
  returning the folder of its specs (or None).

Plugin code is the instructor's own, trusted like the specs it serves; it never runs in a
sandbox, and it is never imported by `grader check` on a student's machine unless installed.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
import traceback
from importlib.metadata import entry_points
from pathlib import Path

from grader.core.errors import UserError, display_path

PLUGIN_FILE = "grader_plugins.py"
ENTRY_POINT_GROUP = "grader.packs"
_loaded: dict[Path, str] = {}


def load_folder_plugins(folder: Path) -> None:
    """Import folder/grader_plugins.py once per process, if it exists."""
    path = (Path(folder) / PLUGIN_FILE).resolve()
    if path in _loaded or not path.is_file():
        return
    name = f"grader_plugins_{len(_loaded)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UserError(f"{display_path(path)}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    _loaded[path] = name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        where = _last_frame_in(traceback.extract_tb(exc.__traceback__), path)
        raise UserError(f"{display_path(path)}{where}: importing it failed: "
                        f"{type(exc).__name__}: {exc}") from None


def _last_frame_in(frames: traceback.StackSummary, path: Path) -> str:
    lines = [f.lineno for f in frames if Path(f.filename).resolve() == path]
    return f":{lines[-1]}" if lines else ""


@functools.lru_cache(maxsize=1)
def pack_dirs() -> tuple[Path, ...]:
    """Load every installed pack; the spec folders they offer."""
    folders = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            found = obj() if callable(obj) else None
        except Exception as exc:
            raise UserError(f"exercise pack {ep.name!r} ({ep.value}) failed to load: "
                            f"{type(exc).__name__}: {exc}") from None
        if found is not None:
            folder = Path(found)
            if not folder.is_dir():
                raise UserError(f"exercise pack {ep.name!r} names {folder}, which is not a folder")
            folders.append(folder)
    return tuple(folders)
