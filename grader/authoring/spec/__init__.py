"""Exercise specs: load a YAML file, check all of it, build a frozen Exercise.

Errors are collected for the whole file (and across files for a library) and
raised together as one SpecError, each located compiler-style:

    exercises/info/x.yaml:14:9: parts[1].tolerance.rtol: expected a number >= 0, got -0.1
        tolerance: {rtol: -0.1}
                          ^

See docs/spec.md for the format.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from grader.core.errors import Diagnostic, SpecError, UserError, display_path
from grader.core.model import Exercise
from grader.authoring.spec.build import build_exercise
from grader.authoring.spec.tables import TOPICS
from grader.authoring.spec.yamlload import Document, load_yaml, render_keypath

__all__ = [
    "TOPICS",
    "Document",
    "find_exercise",
    "library_dir",
    "library_dirs",
    "load_exercise",
    "load_library",
    "load_yaml",
    "render_keypath",
    "schema_path",
    "spec_files",
]


def library_dir() -> Path:
    """The exercise library shipped inside the package (grader/exercises)."""
    return Path(__file__).resolve().parents[2] / "exercises"


def library_dirs(extra: Iterable[str | Path] = ()) -> list[Path]:
    """The packaged library, installed packs (entry point `grader.packs`) and extra folders."""
    from grader.authoring.plugins import pack_dirs

    packaged = [library_dir()] if library_dir().is_dir() else []
    return [*packaged, *pack_dirs(), *map(Path, extra)]


def schema_path() -> Path:
    """The JSON Schema of the spec format, for editors (grader/schema/exercise.schema.json)."""
    return Path(__file__).resolve().parents[2] / "schema" / "exercise.schema.json"


def load_exercise(path: str | Path) -> Exercise:
    """Load and check one spec file; raise SpecError listing every problem found."""
    _load_plugins([Path(path)])
    exercise, diagnostics = _load(Path(path))
    if exercise is None:
        raise SpecError(diagnostics)
    return exercise


def _load(path: Path) -> tuple[Exercise | None, list[Diagnostic]]:
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{shown}: is a folder, expected a .yaml file") from None
    except OSError as exc:
        raise UserError(f"{shown}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Diagnostic(shown, 0, 0, "", f"not UTF-8 text (byte {exc.start})")]
    doc = load_yaml(text, path=shown)
    exercise = build_exercise(doc, file=path, source_hash=hashlib.sha256(raw).hexdigest())
    # Found in the order of the checks; shown in the order of the file.
    return exercise, sorted(doc.diagnostics, key=lambda d: (d.line, d.column))


def spec_files(paths: Iterable[str | Path]) -> list[Path]:
    """The .yaml files named, and those found (recursively) in the folders named."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*.yaml") if f.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise UserError(f"{display_path(p)}: no such file or folder")
    return files


def load_library(paths: Sequence[str | Path], *,
                 only: Collection[str] | None = None) -> list[Exercise]:
    """Load every spec under paths; one SpecError for all problems, duplicate ids included.

    `only`: load just the specs with these ids (a spec's file is named by its id), as grading
    does: parsing the whole library cost more than grading a small class.
    """
    exercises: list[Exercise] = []
    diagnostics: list[Diagnostic] = []
    seen: dict[str, Path] = {}
    _load_plugins(paths)
    files = _unique(spec_files(paths))
    for file in files if only is None else [f for f in files if f.stem in only]:
        exercise, found = _load(file)
        diagnostics.extend(found)
        if exercise is None:
            continue
        if exercise.id in seen:
            diagnostics.append(_duplicate(exercise, seen[exercise.id]))
            continue
        seen[exercise.id] = file
        exercises.append(exercise)
    if diagnostics:
        raise SpecError(diagnostics)
    return exercises


def _load_plugins(paths: Iterable[str | Path]) -> None:
    """Instructors' grader_plugins.py beside their specs, before the specs that use them."""
    from grader.authoring.plugins import load_folder_plugins

    for p in map(Path, paths):
        if p.is_dir():
            load_folder_plugins(p)
        else:  # a spec's own folder, or the library root above its topic folder
            load_folder_plugins(p.parent.parent)
            load_folder_plugins(p.parent)


def _unique(files: list[Path]) -> list[Path]:
    """Each file once, even when named twice (a folder and a file in it)."""
    out: dict[Path, Path] = {}
    for f in files:
        out.setdefault(f.resolve(), f)
    return list(out.values())


def _duplicate(exercise: Exercise, first: Path) -> Diagnostic:
    doc = load_yaml(exercise.path.read_text(encoding="utf-8"), path=display_path(exercise.path))
    return doc.diagnostic(("id",), f"duplicate exercise id '{exercise.id}' "
                                   f"(also in {display_path(first)})")


def find_exercise(exercise_id: str, extra_dirs: Sequence[str | Path] = ()) -> Exercise:
    """The exercise with this id, from the packaged library or the extra folders."""
    # The packaged library may be absent in a bare checkout; a folder the user names may not.
    folders = library_dirs(extra_dirs)
    every = spec_files(folders)
    files = [f for f in every if f.stem == exercise_id]
    if not files:
        known = sorted({f.stem for f in every})
        close = difflib.get_close_matches(exercise_id, known, n=3)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        own = "" if extra_dirs else "; for a spec of your own, add --library FOLDER"
        raise UserError(f"unknown exercise id {exercise_id!r}{hint} "
                        f"(`grader list` shows the library{own})")
    if len(files) > 1:
        where = ", ".join(display_path(f) for f in files)
        raise UserError(f"exercise id {exercise_id!r} is defined twice: {where}")
    _load_plugins([*folders, files[0]])
    return load_exercise(files[0])
