"""The assignment file: which exercises, for how many points, the secret, due date and policies.

Loaded with the same line-aware YAML loader as specs and validated up front; every problem is
reported compiler-style. See docs/assignment.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from grader.core import schema as S
from grader.core.model import STUDENT_TIME_LIMIT
from grader.core.errors import SpecError, UserError, display_path
# The keys, types and ranges are declared once, in grader/authoring/assignment_schema.py (the
# JSON Schema is generated from the same declaration).
from grader.authoring.assignment_schema import (
    ASSIGNMENT,
    DUE_YEARS,
    ENTRY_KEYS,
    LATE,
    MAX_DAYS,
    MAX_GRACE_MINUTES,
    MAX_PENALTY_PER_DAY,
    MAX_POINTS,
    PICK,
    SANDBOX,
)

Reveal = Literal["always", "after_due", "never"]
LatePolicy = Literal["none", "per_day", "cutoff"]
TimeSource = Literal["manifest", "file", "received"]

TOP_KEYS = set(ASSIGNMENT.fields)
__all__ = ["DUE_YEARS", "MAX_DAYS", "MAX_GRACE_MINUTES", "MAX_PENALTY_PER_DAY", "MAX_POINTS",
           "TOP_KEYS", "Assignment", "Entry", "Late", "SandboxOptions", "check_entries",
           "in_pool", "load_assignment", "resolve_exercises"]


@dataclass(frozen=True)
class Entry:
    """One line of `exercises`: a fixed exercise, or `pick` N from a pool."""

    exercise_id: str | None
    pick: int
    topic: str | None
    tags: tuple[str, ...]
    points: float | None  # scale the exercise to this many points; None keeps the spec's


@dataclass(frozen=True)
class Late:
    policy: LatePolicy = "none"
    penalty_per_day: float = 0.0  # percent of the score lost per started day late
    max_days: int | None = None  # after this many days, zero
    grace_minutes: float = 0.0
    time_source: TimeSource = "manifest"


@dataclass(frozen=True)
class SandboxOptions:
    time_limit: float = STUDENT_TIME_LIMIT
    memory_mb: int = 512


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    path: Path
    secret_source: str  # "env:NAME" or "file:PATH", never the secret itself
    entries: tuple[Entry, ...]
    reveal: Reveal = "after_due"
    due: dt.datetime | None = None
    late: Late = field(default_factory=Late)
    library: tuple[Path, ...] = ()
    sandbox: SandboxOptions = field(default_factory=SandboxOptions)
    source_hash: str = ""
    attempts: int | None = None  # `grader serve`: submissions per student; None: no limit
    cooldown: float = 0.0  # `grader serve`: seconds a student waits between two submissions

    def secret(self) -> bytes:
        """Read the secret now (from the environment or a file); a clear error when absent."""
        kind, _, where = self.secret_source.partition(":")
        name = display_path(self.path)
        if kind == "env":
            value = os.environ.get(where)
            if not value:
                raise UserError(
                    f"{name}: the secret is read from the environment variable {where}, which "
                    f"is not set. Set it (e.g. export {where}=$(python3 -c 'import secrets; "
                    f"print(secrets.token_hex(32))')) and keep it: it decides every variant.")
            return value.encode("utf-8")
        file = Path(where)
        try:
            data = file.read_bytes().strip()
        except OSError as exc:
            raise UserError(f"{name}: cannot read the secret file {where}: {exc.strerror}") \
                from None
        if not data:
            raise UserError(f"{name}: the secret file {where} is empty")
        return data


def load_assignment(path: Path) -> Assignment:
    """Load and validate an assignment file; SpecError lists every problem."""
    from grader.authoring.spec.yamlload import load_yaml

    path = Path(path)
    where = display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{where}: no such assignment file") from None
    except IsADirectoryError:
        raise UserError(f"{where}: is a folder; give the assignment's .yaml file") from None
    doc = load_yaml(raw.decode("utf-8", errors="replace"), path=where)
    if not doc.diagnostics:
        assignment = _Validator(doc, path).run(hashlib.sha256(raw).hexdigest())
    if doc.diagnostics:
        raise SpecError(doc.diagnostics)
    return assignment


class _Validator:
    def __init__(self, doc: Any, path: Path):
        self.doc, self.path = doc, path

    def err(self, keypath: tuple, message: str, *, key: bool = False) -> None:
        self.doc.diagnostics.append(self.doc.diagnostic(keypath, message, key=key))

    def run(self, digest: str) -> Assignment:
        data = self.doc.data
        if not isinstance(data, dict):
            self.err((), f"expected {ASSIGNMENT.wanted}")
            return None  # type: ignore[return-value]
        self._keys(data, (), ASSIGNMENT)
        for k in ASSIGNMENT.required:
            if k not in data:
                self.err((), f"missing required key '{k}'")
        return Assignment(
            id=str(self._get(data, (), ASSIGNMENT, "id", "")),
            title=str(self._get(data, (), ASSIGNMENT, "title", "")), path=self.path,
            secret_source=self._secret(data.get("secret", {"env": "GRADER_SECRET"})),
            # A missing `exercises` is reported once, above, not again as an empty list.
            entries=tuple(self._entries(data["exercises"]) if "exercises" in data else ()),
            reveal=self._get(data, (), ASSIGNMENT, "reveal"),
            due=self._due(data.get("due")),
            late=self._late(data.get("late", {})),
            library=tuple(self._library(data.get("library", []))),
            sandbox=self._sandbox(data.get("sandbox", {})),
            source_hash=digest, attempts=self._attempts(data.get("attempts")),
            cooldown=self._cooldown(data.get("cooldown", 0)))

    def _keys(self, mapping: dict, keypath: tuple, record: S.Record) -> None:
        for k in mapping:
            if k not in record.fields:
                self.err(keypath + (k,), record.unknown(k, sort=True), key=True)

    def _get(self, mapping: dict, kp: tuple, record: S.Record, key: str,
             fallback: Any = S.MISSING) -> Any:
        """mapping[key] if it is what the record declares, else (reported) its default."""
        declared = record.fields[key]
        default = declared.default if fallback is S.MISSING else fallback
        if key not in mapping:
            return default
        value = mapping[key]
        if declared.type.fits(value):
            return value
        self.err(kp + (key,), f"expected {declared.type.wanted}, got {value!r}")
        return default

    def _secret(self, value: Any) -> str:
        secret = ASSIGNMENT.fields["secret"].type
        if secret.fits(value):
            (kind, where), = value.items()
            return f"env:{where}" if kind == "env" else f"file:{(self.path.parent / where)}"
        self.err(("secret",), f"expected {secret.wanted}")
        return "env:GRADER_SECRET"

    def _entries(self, items: Any) -> list[Entry]:
        if not isinstance(items, list) or not items:
            self.err(("exercises",), f"expected {ASSIGNMENT.fields['exercises'].type.wanted}")
            return []
        return [e for i, item in enumerate(items) if (e := self._entry(item, ("exercises", i)))]

    def _entry(self, item: Any, kp: tuple) -> Entry | None:
        if isinstance(item, str):
            item = {"id": item}
        if not isinstance(item, dict):
            self.err(kp, "expected an exercise id, {id: ..., points: ...} or {pick: N, ...}")
            return None
        self._keys(item, kp, ENTRY_KEYS)
        points = self._get(item, kp, ENTRY_KEYS, "points", None)
        if "id" in item and "pick" in item:
            self.err(kp, "give either 'id' or 'pick', not both")
            return None
        if "id" in item:
            return Entry(str(item["id"]), 1, None, (), points)
        pick: Any = item.get("pick")
        if not PICK.fields["pick"].type.fits(pick):
            self.err(kp + ("pick",) if "pick" in item else kp,
                     f"expected 'id: EXERCISE' or 'pick: N' (N >= 1), got {pick!r}")
            return None
        tags = item.get("tags", [])
        if not PICK.fields["tags"].type.fits(tags):
            self.err(kp + ("tags",), f"expected {PICK.fields['tags'].type.wanted}")
            tags = []
        if item.get("topic") is None and not tags:
            self.err(kp, "a pick needs a 'topic' or 'tags' to pick from")
        return Entry(None, pick, item.get("topic"), tuple(tags), points)

    def _due(self, value: Any) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            try:
                due = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                pass
            else:
                return self._due_in_range(due, value)
        self.err(("due",), f"expected an ISO 8601 date and time such as "
                           f"2026-12-01T23:59:00+01:00, got {value!r}")
        return None

    def _due_in_range(self, due: dt.datetime, value: str) -> dt.datetime | None:
        low, high = DUE_YEARS
        if not low <= due.year < high:
            self.err(("due",), f"expected a date and time in the years {low} to {high - 1}, "
                               f"got {value!r}")
            return None
        return due if due.tzinfo else due.replace(tzinfo=dt.timezone.utc)

    def _late(self, value: Any) -> Late:
        if not isinstance(value, dict):
            self.err(("late",), f"expected {LATE.wanted}")
            return Late()
        self._keys(value, ("late",), LATE)
        got = {k: self._get(value, ("late",), LATE, k, None if k == "max_days" else S.MISSING)
               for k in LATE.fields}
        return Late(got["policy"], float(got["penalty_per_day"]), got["max_days"],
                    float(got["grace_minutes"]), got["time_source"])

    def _library(self, value: Any) -> list[Path]:
        if not ASSIGNMENT.fields["library"].type.fits(value):
            self.err(("library",), f"expected {ASSIGNMENT.fields['library'].type.wanted}")
            return []
        return [(self.path.parent / v) for v in value]

    def _sandbox(self, value: Any) -> SandboxOptions:
        if not isinstance(value, dict):
            self.err(("sandbox",), f"expected {SANDBOX.wanted}")
            return SandboxOptions()
        self._keys(value, ("sandbox",), SANDBOX)
        t = self._get(value, ("sandbox",), SANDBOX, "time_limit")
        return SandboxOptions(float(t), self._get(value, ("sandbox",), SANDBOX, "memory_mb"))

    def _attempts(self, value: Any) -> int | None:
        if value is None:
            return None
        return self._get({"attempts": value}, (), ASSIGNMENT, "attempts", None)

    def _cooldown(self, value: Any) -> float:
        return float(self._get({"cooldown": value}, (), ASSIGNMENT, "cooldown"))


def resolve_exercises(assignment: Assignment, student_id: str, secret: bytes,
                      library: Sequence[Any]) -> list[tuple[Any, float]]:
    """The exercises this student gets, with points: fixed ones, then per-student picks."""
    from grader.core.seeding import make_rng, variant_seed

    by_id = {e.id: e for e in library}
    fixed = {e.exercise_id for e in assignment.entries if e.exercise_id}
    out: list[tuple[Any, float]] = []
    for i, entry in enumerate(assignment.entries):
        if entry.exercise_id:
            ex = by_id[entry.exercise_id]
            out.append((ex, entry.points or ex.points))
            continue
        pool = sorted((e for e in library if in_pool(e, entry) and e.id not in fixed),
                      key=lambda e: e.id)
        taken = {ex.id for ex, _ in out}
        pool = [e for e in pool if e.id not in taken]
        rng = make_rng(variant_seed(secret, assignment.id, student_id, f"pick:{i}"))
        chosen = sorted(rng.choice(len(pool), size=entry.pick, replace=False).tolist())
        out += [(pool[j], entry.points or pool[j].points) for j in chosen]
    return out


def in_pool(exercise: Any, entry: Entry) -> bool:
    """Whether a `pick:` entry of the assignment could choose this exercise."""
    if entry.topic and exercise.topic != entry.topic:
        return False
    return all(t in exercise.tags for t in entry.tags)


def check_entries(assignment: Assignment, library: Sequence[Any]) -> None:
    """Unknown or repeated exercise ids and pools too small for their pick, reported together."""
    ids = sorted(e.id for e in library)
    fixed = {e.exercise_id for e in assignment.entries if e.exercise_id}
    problems: list[str] = []
    first: dict[str, int] = {}
    earlier: list[tuple[int, set[str]]] = []
    for i, entry in enumerate(assignment.entries):
        if entry.exercise_id:
            problems += _fixed_problem(i, entry.exercise_id, ids, first)
            first.setdefault(entry.exercise_id, i)
            continue
        pool = {e.id for e in library if in_pool(e, entry) and e.id not in fixed}
        # Earlier picks may, for some student, have taken the overlap of their pool and this
        # one: only what is left in that worst case is sure to be there for everyone.
        left = len(pool) - sum(min(n, len(pool & other)) for n, other in earlier)
        if left < entry.pick:
            taken = " after earlier picks from the same exercises" if left < len(pool) else ""
            problems.append(f"exercises[{i}]: pick {entry.pick} but only {left} exercises "
                            f"match topic={entry.topic} tags={list(entry.tags)}{taken}")
        earlier.append((entry.pick, pool))
    if problems:
        where = display_path(assignment.path)
        raise UserError("\n".join(f"{where}: {p}" for p in problems))


def _fixed_problem(i: int, exercise_id: str, ids: list[str], first: dict[str, int]) -> list[str]:
    import difflib

    if exercise_id not in ids:
        close = difflib.get_close_matches(exercise_id, ids, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else "; see `grader list`"
        return [f"exercises[{i}]: unknown exercise '{exercise_id}'{hint}"]
    if exercise_id in first:
        return [(f"exercises[{i}]: '{exercise_id}' is already listed as "
                 f"exercises[{first[exercise_id]}]; list each exercise once")]
    return []
