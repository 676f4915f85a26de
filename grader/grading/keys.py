"""The instructor key written by `grader generate`: the roster and each student's parameters.

Grading never redraws a variant: it reads the stored parameters and cases from here, so a change
of numpy's random streams can never change a grade.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.core.errors import UserError, display_path
from grader.core.values import from_json
from grader.course.assignment import in_pool
from grader.course.documents import KeyDocument, KeyExercise


@dataclass(frozen=True)
class StudentKey:
    """One student's key document and the hash of its bytes (part of the regrade fingerprint)."""

    id: str
    name: str
    email: str
    folder: str
    doc: KeyDocument
    sha256: str

    @property
    def exercises(self) -> tuple[KeyExercise, ...]:
        return self.doc.exercises

    @property
    def points(self) -> float:
        return float(sum(e.points for e in self.exercises))

    @property
    def variant(self) -> str:
        """The fingerprint of this student's variant, as generate wrote it into grader.json."""
        from grader.core.seeding import variant_fingerprint

        return variant_fingerprint([(e.id, e.params) for e in self.exercises], parsed=True)


def find_key_dir(*, key: Path | None, out: Path, submissions: Path) -> Path:
    """The key folder: --key, else OUT/key or SUBMISSIONS/key.

    --key may be the generate output or its key/ folder.
    """
    if key is not None:
        candidates = [key / "key", key] if (key / "key" / "roster.json").is_file() else [key]
    else:
        candidates = [out / "key", submissions / "key"]
    for folder in candidates:
        if (folder / "roster.json").is_file():
            return folder
    looked = ", ".join(display_path(c) for c in candidates)
    raise UserError(f"no instructor key found (looked for roster.json in {looked}); run "
                    "`grader generate ASSIGNMENT --roster ROSTER --out DIR` first and pass "
                    "--key DIR (the folder generate wrote)")


def load_keys(key_dir: Path, assignment_id: str) -> list[StudentKey]:
    """Every student's key, in roster order; a clear error naming the file when one is wrong."""
    roster_path = key_dir / "roster.json"
    roster = _parse(_read_bytes(roster_path), roster_path)
    if not isinstance(roster, list):
        raise UserError(f"{display_path(roster_path)}: expected a list of students; "
                        "run `grader generate` again")
    shown_dir = Path(display_path(key_dir))  # once: resolving every key's path cost 0.2 ms each
    return [_load_one(key_dir, entry, assignment_id, shown_dir) for entry in roster]


def _load_one(key_dir: Path, entry: Any, assignment_id: str,
              shown_dir: Path | None = None) -> StudentKey:
    if not isinstance(entry, dict) or not {"id", "folder"} <= set(entry):
        raise UserError(f"{display_path(key_dir / 'roster.json')}: damaged entry {entry!r}; "
                        "run `grader generate` again")
    path = key_dir / f"{entry['folder']}.json"
    raw = _read_bytes(path)
    shown = str(shown_dir / path.name) if shown_dir is not None else display_path(path)
    doc = KeyDocument.from_dict(_parse(raw, path), source=shown, assignment=assignment_id)
    return StudentKey(id=str(entry["id"]), name=str(entry.get("name", "")),
                      email=str(entry.get("email", "")), folder=str(entry["folder"]), doc=doc,
                      sha256=hashlib.sha256(raw).hexdigest())


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{display_path(path)}: missing from the key folder; run `grader "
                        "generate` again to rewrite the key") from None


def _parse(raw: bytes, path: Path) -> Any:
    try:
        return from_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{display_path(path)}: damaged ({exc}); run `grader generate` "
                        "again to rewrite the key") from None


def check_exercises(keys: Sequence[StudentKey], library: dict[str, Any], key_dir: Path) -> None:
    """Every exercise the keys name must be in the library (the assignment's spec folders)."""
    missing = sorted({e.id for k in keys for e in k.exercises} - set(library))
    if missing:
        raise UserError(f"{display_path(key_dir)}: the key names exercise(s) "
                        f"{', '.join(missing)} that are not in the library; add their spec "
                        "folder to the assignment's `library:` list")


def exercise_list_changes(assignment: Any, keys: Sequence[StudentKey],
                          library: dict[str, Any], key_dir: Path) -> list[str]:
    """Warnings when the assignment's exercise list no longer matches the key's problem sets.

    Grading follows the key (what students were given); an exercise added to the assignment
    after generate is in nobody's set, and one removed from it is still graded.
    """
    fixed = [e.exercise_id for e in assignment.entries if e.exercise_id]
    pools = [e for e in assignment.entries if not e.exercise_id]
    held = [{e.id for e in k.exercises} for k in keys]
    added = [i for i in fixed if any(i not in ids for ids in held)]
    dropped = sorted({i for ids in held for i in ids if i not in fixed and
                      not any(in_pool(library[i], p) for p in pools)})
    where, key = display_path(assignment.path), display_path(key_dir)
    out = []
    if added:
        out.append(f"{where} lists exercise(s) {', '.join(added)} that the problem sets in {key} "
                   "do not hold (added after `grader generate`): they are not graded. To hand "
                   "them out, run `grader generate --force` and give students their new sets.")
    if dropped:
        out.append(f"the problem sets in {key} hold exercise(s) {', '.join(dropped)} that "
                   f"{where} no longer lists: they are still graded, as the students were given "
                   "them. Restore them in the assignment, or regenerate to drop them.")
    return out
