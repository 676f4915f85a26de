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
class KeyHead:
    """What a run needs of a key for a student it does not grade: each exercise's id and spec
    hash, and the variant fingerprint. Kept in OUT/.cache/keys.json by the key file's hash, so
    that an unchanged key is hashed but not parsed again (see KeyCache)."""

    assignment: str
    exercises: tuple[tuple[str, str | None], ...]
    variant: str

    def to_json(self) -> list:
        return [self.assignment, [list(e) for e in self.exercises], self.variant]

    @classmethod
    def from_json(cls, data: Any) -> KeyHead | None:
        """None unless `data` is what to_json wrote."""
        try:
            assignment, exercises, variant = data
            pairs = tuple((i, h) for i, h in exercises)
        except (TypeError, ValueError):
            return None
        ok = isinstance(assignment, str) and isinstance(variant, str) and all(
            isinstance(i, str) and (h is None or isinstance(h, str)) for i, h in pairs)
        return cls(assignment, pairs, variant) if ok else None


class StudentKey:
    """One student's key document and the hash of its bytes (part of the regrade fingerprint).

    The document is parsed when first needed: a key whose head was cached under the same hash
    (by this grader version, after the same bytes parsed and validated) is only hashed, since a
    student whose result is reused needs its exercise ids and variant, never its answers.
    """

    __slots__ = ("id", "name", "email", "folder", "sha256", "_doc", "_raw", "_source",
                 "_head")

    def __init__(self, id: str, name: str, email: str, folder: str, doc: KeyDocument | None,
                 sha256: str, *, raw: bytes | None = None, source: str = "",
                 head: KeyHead | None = None) -> None:
        if doc is None and raw is None:
            raise ValueError("a StudentKey needs its document or its bytes")
        self.id, self.name, self.email, self.folder, self.sha256 = id, name, email, folder, sha256
        self._doc, self._raw, self._source, self._head = doc, raw, source, head

    def __repr__(self) -> str:
        return f"StudentKey({self.id!r}, folder={self.folder!r}, sha256={self.sha256[:12]!r})"

    @property
    def doc(self) -> KeyDocument:
        if self._doc is None:
            assert self._raw is not None and self._head is not None
            data = _parse(self._raw, Path(self._source))
            self._doc = KeyDocument.from_dict(data, source=self._source,
                                              assignment=self._head.assignment)
            self._raw = None
        return self._doc

    @property
    def head(self) -> KeyHead:
        if self._head is None:
            self._head = KeyHead(self.doc.assignment,
                                 tuple((e.id, e.spec_hash) for e in self.doc.exercises),
                                 self._variant())
        return self._head

    @property
    def parsed(self) -> bool:
        return self._doc is not None

    @property
    def exercises(self) -> tuple[KeyExercise, ...]:
        return self.doc.exercises

    @property
    def exercise_ids(self) -> tuple[str, ...]:
        return tuple(i for i, _ in self.head.exercises)

    @property
    def points(self) -> float:
        return float(sum(e.points for e in self.exercises))

    @property
    def variant(self) -> str:
        """The fingerprint of this student's variant, as generate wrote it into grader.json."""
        return self.head.variant

    def _variant(self) -> str:
        from grader.core.seeding import variant_fingerprint

        return variant_fingerprint([(e.id, e.params) for e in self.exercises], parsed=True)


KEY_CACHE = Path(".cache") / "keys.json"


class KeyCache:
    """Key heads by key-file hash, in OUT/.cache/keys.json (derived data, like the class
    stamp): read before a run, written back under the run's lock. A missing, damaged or
    other-version file is an empty cache; an entry is used only for a key file with the same
    bytes (its SHA-256) and the same assignment, and only by the grader version that wrote it,
    so what it skips is a parse and a validation that gave this very head before."""

    def __init__(self, heads: dict[str, KeyHead] | None = None) -> None:
        self.heads = heads or {}

    @classmethod
    def read(cls, out: Path) -> KeyCache:
        from grader import __version__

        try:
            data = json.loads((out / KEY_CACHE).read_bytes())
            if data.get("grader") != __version__ or not isinstance(data.get("keys"), dict):
                return cls()
        except (OSError, ValueError, AttributeError):
            return cls()
        heads = {h: head for h, v in data["keys"].items()
                 if isinstance(h, str) and (head := KeyHead.from_json(v)) is not None}
        return cls(heads)

    def write(self, out: Path, keys: Sequence[StudentKey]) -> None:
        """Keep the heads of these keys (the run's) when they are not the ones read: nothing is
        serialised or read again when every key file is one the cache held, and no other."""
        from grader import __version__
        from grader.core.fsutil import write_if_changed

        if {k.sha256 for k in keys} == self.heads.keys():
            return  # each head came from this file, by the same version: the same bytes
        heads = {k.sha256: k.head.to_json() for k in keys}
        text = json.dumps({"grader": __version__, "keys": dict(sorted(heads.items()))},
                          separators=(",", ":")) + "\n"
        try:
            write_if_changed(out / KEY_CACHE, text.encode(), durable=False)
        except OSError:  # a cache: the next run parses the keys again
            pass


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


def load_keys(key_dir: Path, assignment_id: str, *,
              cache: KeyCache | None = None) -> list[StudentKey]:
    """Every student's key, in roster order; a clear error naming the file when one is wrong.
    With a `cache`, a key file whose hash it holds (for this assignment) is not parsed."""
    roster_path = key_dir / "roster.json"
    roster = _parse(_read_bytes(roster_path), roster_path)
    if not isinstance(roster, list):
        raise UserError(f"{display_path(roster_path)}: expected a list of students; "
                        "run `grader generate` again")
    shown_dir = Path(display_path(key_dir))  # once: resolving every key's path cost 0.2 ms each
    heads = cache.heads if cache is not None else {}
    return [_load_one(key_dir, entry, assignment_id, shown_dir, heads) for entry in roster]


def _load_one(key_dir: Path, entry: Any, assignment_id: str,
              shown_dir: Path | None = None,
              heads: dict[str, KeyHead] | None = None) -> StudentKey:
    if not isinstance(entry, dict) or not {"id", "folder"} <= set(entry):
        raise UserError(f"{display_path(key_dir / 'roster.json')}: damaged entry {entry!r}; "
                        "run `grader generate` again")
    path = key_dir / f"{entry['folder']}.json"
    raw = _read_bytes(path)
    shown = str(shown_dir / path.name) if shown_dir is not None else display_path(path)
    sha = hashlib.sha256(raw).hexdigest()
    who = (str(entry["id"]), str(entry.get("name", "")), str(entry.get("email", "")),
           str(entry["folder"]))
    head = heads.get(sha) if heads else None
    if head is not None and head.assignment == assignment_id:
        return StudentKey(*who, None, sha, raw=raw, source=shown, head=head)
    doc = KeyDocument.from_dict(_parse(raw, path), source=shown, assignment=assignment_id)
    return StudentKey(*who, doc, sha)


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
    missing = sorted({i for k in keys for i in k.exercise_ids} - set(library))
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
    held = [set(k.exercise_ids) for k in keys]
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
