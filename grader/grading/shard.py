"""Shards: one class graded as N independent runs, each owning a fixed 1/N of the students.

`grader grade ... --shard K/N` keeps only the students whose id hashes to K (of 1..N). The hash
is of the student id alone, so a student's shard never moves when others join or leave the
roster, and every machine agrees on it without talking to the others. Each shard writes its
own results folder plus DIR/_shard.json (the manifest below): `grader merge` reads those to
check that the shards belong together and to put every student back in the order one
unsharded run would list them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from grader.core.errors import UserError, display_path
from grader.core.fsutil import atomic_write_text
from grader.grading.keys import StudentKey

MANIFEST = "_shard.json"  # student folders start with a letter or digit: never a student's
FORMAT_VERSION = 1
MAX_SHARDS = 10_000
_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class ShardSpec:
    """Shard `index` (1-based) of `count`."""

    index: int
    count: int

    def owns(self, student_id: str) -> bool:
        return shard_of(student_id, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> ShardSpec:
    """'K/N' with 1 <= K <= N; UserError naming the fix otherwise."""
    m = _SPEC.match(text)
    if not m:
        raise UserError(f"--shard {text!r}: expected K/N, e.g. --shard 2/4 (shard 2 of 4)")
    k, n = int(m.group(1)), int(m.group(2))
    if not 1 <= n <= MAX_SHARDS or not 1 <= k <= n:
        raise UserError(f"--shard {text}: K must be from 1 to N and N from 1 to {MAX_SHARDS} "
                        "(shards are numbered 1..N)")
    return ShardSpec(k, n)


def shard_of(student_id: str, count: int) -> int:
    """The shard (1..count) that owns a student: SHA-256 of the id, so stable and uniform."""
    digest = hashlib.sha256(student_id.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def key_fingerprint(keys: Sequence[StudentKey]) -> str:
    """One hash of the whole key (every student's key file): equal keys, equal fingerprints."""
    text = json.dumps(sorted((k.id, k.sha256) for k in keys))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Owned:
    """One student a shard owns, with what only the whole run can order."""

    id: str
    position: int  # index among all students of an unsharded run (roster order, then unknown)
    unknown: list[str] = field(default_factory=list)  # an unknown submitter's message
    entry_warnings: list[str] = field(default_factory=list)  # warnings about their entry
    grading_warnings: list[str] = field(default_factory=list)  # warnings from grading them


@dataclass(frozen=True)
class Manifest:
    """DIR/_shard.json: what a shard graded, and what merging needs to check and order."""

    index: int
    count: int
    assignment: str
    title: str
    key: str  # key_fingerprint
    grader_version: str
    revealed: bool
    class_size: int  # students in the unsharded run: every shard's positions are below it
    spec_hashes: dict[str, str]
    sandbox_level: str
    graded: int
    skipped: int
    changes: list[list[Any]]
    head: list[str]  # warnings about the whole folder or class (equal in every shard)
    tail: list[str]  # warnings about the run (reveal policy, spec changes, vanished work)
    students: list[Owned]
    version: int = FORMAT_VERSION
    missing: int = 0  # of `graded`: students without a submission (0 in older manifests)

    def write(self, out: Path) -> None:
        atomic_write_text(out / MANIFEST, json.dumps(asdict(self), indent=1,
                                                     ensure_ascii=False) + "\n")


def read_manifest(folder: Path) -> Manifest:
    """A shard folder's manifest; UserError naming the folder when it is absent or unreadable."""
    path = folder / MANIFEST
    where = display_path(folder)
    if not folder.is_dir():
        raise UserError(f"{where}: no such folder. Give the --out folders of `grader grade "
                        "--shard K/N` runs.")
    if not path.is_file():
        raise UserError(f"{where}: not a shard's results folder (no {MANIFEST}). Grade it with "
                        "`grader grade ... --shard K/N --out FOLDER` first.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"manifest version {data.get('version')!r}, this grader reads "
                             f"{FORMAT_VERSION}")
        students = [Owned(**s) for s in data.pop("students")]
        return Manifest(**data, students=students)
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError) as exc:
        raise UserError(f"{display_path(path)}: not a shard manifest this grader can read "
                        f"({exc}). Grade the shard again with this grader.") from None


Given = tuple[Path, Manifest]  # a shard folder and its manifest


def check_shards(shards: Sequence[Given], grader_version: str) -> None:
    """Refuse shards that do not make one whole run: UserError naming the folders at fault."""
    if not shards:
        raise UserError("grader merge: give the results folders of every shard (K/N) to merge")
    first_dir, first = shards[0]
    for folder, m in shards:
        for what, mine, theirs in _differences(m, first):
            raise UserError(f"{display_path(folder)}: shard {m.index}/{m.count} has {what} "
                            f"{mine}, but {display_path(first_dir)} has {theirs}; merge only "
                            "the shards of one `grader grade --shard` run (regrade the odd one "
                            "out with the same assignment, key and grader).")
        if m.grader_version != grader_version:
            raise UserError(f"{display_path(folder)}: graded by grader {m.grader_version}, but "
                            f"this is grader {grader_version}; merge with the grader that "
                            "graded the shards (the pages it renders must match).")
    _check_numbers(shards)
    _check_students(shards)


def _differences(m: Manifest, ref: Manifest) -> list[tuple[str, str, str]]:
    pairs = [("the shard count N", m.count, ref.count),
             ("assignment", repr(m.assignment), repr(ref.assignment)),
             ("a key with fingerprint", m.key[:12], ref.key[:12]),
             ("grader version", m.grader_version, ref.grader_version),
             ("answers revealed =", m.revealed, ref.revealed),
             ("a class size of", m.class_size, ref.class_size),
             ("spec hashes", _short(m.spec_hashes), _short(ref.spec_hashes))]
    return [(what, str(a), str(b)) for what, a, b in pairs if a != b]


def _short(hashes: dict[str, str]) -> str:
    text = json.dumps(hashes, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _check_numbers(shards: Sequence[Given]) -> None:
    count = shards[0][1].count
    seen: dict[int, Path] = {}
    for folder, m in shards:
        if m.index in seen:
            raise UserError(f"{display_path(folder)} and {display_path(seen[m.index])} are both "
                            f"shard {m.index}/{count}; give each shard's folder once.")
        seen[m.index] = folder
    absent = [k for k in range(1, count + 1) if k not in seen]
    if absent:
        given = ", ".join(f"{display_path(f)} ({m.index}/{count})" for f, m in shards)
        raise UserError(f"shard{'s' if len(absent) > 1 else ''} "
                        f"{', '.join(f'{k}/{count}' for k in absent)} missing: every shard of "
                        f"1..{count} is needed (given: {given}).")


def _check_students(shards: Sequence[Given]) -> None:
    owner: dict[str, Path] = {}
    places: dict[int, str] = {}
    for folder, m in shards:
        for s in m.students:
            if s.id in owner:
                raise UserError(f"{display_path(folder)} and {display_path(owner[s.id])} both "
                                f"hold student {s.id!r}: shards overlap; regrade them.")
            if shard_of(s.id, m.count) != m.index or not 0 <= s.position < m.class_size \
                    or s.position in places:
                raise UserError(f"{display_path(folder)}/{MANIFEST}: student {s.id!r} does not "
                                f"belong to shard {m.index}/{m.count} where it is; regrade it.")
            owner[s.id], places[s.position] = folder, s.id
    size = shards[0][1].class_size
    if len(places) != size:
        raise UserError(f"the shards hold {len(places)} students but were graded as a class of "
                        f"{size}: they saw different submissions; regrade every shard from "
                        "the same SUBMISSIONS folder.")
