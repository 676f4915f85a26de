"""The assignment file: which exercises, for how many points, the secret, due date and policies.

Loaded with the same line-aware YAML loader as specs and validated up front; every problem is
reported compiler-style. See docs/assignment.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from grader.core.model import STUDENT_TIME_LIMIT
from grader.core.errors import SpecError, UserError, display_path

Reveal = Literal["always", "after_due", "never"]
LatePolicy = Literal["none", "per_day", "cutoff"]
TimeSource = Literal["manifest", "file", "received"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Every number is checked for range where it is read: nan, inf or a huge value passes a bare
# `>= 0` and then crashes grading (timedelta overflow, NOT NULL in the gradebook, "nan% per
# day" in feedback). grader/schema/assignment.schema.json states the same bounds.
MAX_POINTS = 1_000_000
MAX_GRACE_MINUTES = 525600  # a year
MAX_PENALTY_PER_DAY = 100  # percent
MAX_DAYS = 3650
# Due dates far enough from the calendar's ends (years 1 and 9999) that adding the grace, a
# year of days late or a +-14:00 offset can never overflow datetime.
DUE_YEARS = (1900, 9000)
MAX_ATTEMPTS = 10000  # `grader serve`: submissions per student
MAX_COOLDOWN = 86400  # seconds between two submissions of one student (a day)
TOP_KEYS = {"id", "title", "secret", "exercises", "reveal", "due", "late", "library", "sandbox",
            "attempts", "cooldown"}


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
            self.err((), "expected a mapping with id, title and exercises")
            return None  # type: ignore[return-value]
        self._unknown(data, (), TOP_KEYS)
        for k in ("id", "title", "exercises"):
            if k not in data:
                self.err((), f"missing required key '{k}'")
        aid = self._id(data.get("id"))
        return Assignment(
            id=aid, title=self._str(data, "title"), path=self.path,
            secret_source=self._secret(data.get("secret", {"env": "GRADER_SECRET"})),
            # A missing `exercises` is reported once, above, not again as an empty list.
            entries=tuple(self._entries(data["exercises"]) if "exercises" in data else ()),
            reveal=self._choice(data, "reveal", ("always", "after_due", "never"), "after_due"),
            due=self._due(data.get("due")),
            late=self._late(data.get("late", {})),
            library=tuple(self._library(data.get("library", []))),
            sandbox=self._sandbox(data.get("sandbox", {})),
            source_hash=digest, attempts=self._attempts(data.get("attempts")),
            cooldown=self._cooldown(data.get("cooldown", 0)))

    def _unknown(self, mapping: dict, keypath: tuple, allowed: set[str]) -> None:
        import difflib

        for k in mapping:
            if k not in allowed:
                close = difflib.get_close_matches(k, sorted(allowed), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else \
                    f"; expected one of: {', '.join(sorted(allowed))}"
                self.err(keypath + (k,), f"unknown key '{k}'{hint}", key=True)

    def _id(self, value: Any) -> str:
        if value is not None and (not isinstance(value, str) or not _ID.match(value)):
            self.err(("id",), f"expected an id of letters, digits, '.', '_' or '-', got {value!r}")
        return str(value or "")

    def _str(self, data: dict, key: str) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            self.err((key,), f"expected a string, got {value!r}")
        return str(value)

    def _choice(self, data: dict, key: str, options: tuple, default: str) -> Any:
        value = data.get(key, default)
        if value not in options:
            self.err((key,), f"expected one of {', '.join(options)}, got {value!r}")
            return default
        return value

    def _secret(self, value: Any) -> str:
        if isinstance(value, dict) and len(value) == 1:
            (kind, where), = value.items()
            if kind == "env" and isinstance(where, str) and where:
                return f"env:{where}"
            if kind == "file" and isinstance(where, str) and where:
                return f"file:{(self.path.parent / where)}"
        self.err(("secret",), "expected {env: VARIABLE} or {file: path/to/secret}; never the "
                              "secret itself (the assignment file may be shared)")
        return "env:GRADER_SECRET"

    def _entries(self, items: Any) -> list[Entry]:
        if not isinstance(items, list) or not items:
            self.err(("exercises",), "expected a non-empty list of exercises")
            return []
        return [e for i, item in enumerate(items) if (e := self._entry(item, ("exercises", i)))]

    def _entry(self, item: Any, kp: tuple) -> Entry | None:
        if isinstance(item, str):
            item = {"id": item}
        if not isinstance(item, dict):
            self.err(kp, "expected an exercise id, {id: ..., points: ...} or {pick: N, ...}")
            return None
        self._unknown(item, kp, {"id", "pick", "topic", "tags", "points"})
        points = item.get("points")
        if points is not None and not _number_in(points, 0, MAX_POINTS, low_open=True):
            self.err(kp + ("points",), f"expected a number > 0 and <= {MAX_POINTS}, "
                                       f"got {points!r}")
            points = None
        if "id" in item and "pick" in item:
            self.err(kp, "give either 'id' or 'pick', not both")
            return None
        if "id" in item:
            return Entry(str(item["id"]), 1, None, (), points)
        pick = item.get("pick")
        if not isinstance(pick, int) or isinstance(pick, bool) or pick < 1:
            self.err(kp + ("pick",) if "pick" in item else kp,
                     f"expected 'id: EXERCISE' or 'pick: N' (N >= 1), got {pick!r}")
            return None
        tags = item.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            self.err(kp + ("tags",), "expected a list of tags")
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
            self.err(("late",), "expected a mapping (policy, penalty_per_day, ...)")
            return Late()
        self._unknown(value, ("late",), {"policy", "penalty_per_day", "max_days",
                                         "grace_minutes", "time_source"})
        policy = value.get("policy", "none")
        if policy not in ("none", "per_day", "cutoff"):
            self.err(("late", "policy"), f"expected none, per_day or cutoff, got {policy!r}")
            policy = "none"
        source = value.get("time_source", "manifest")
        if source not in ("manifest", "file", "received"):
            self.err(("late", "time_source"),
                     f"expected manifest, file or received, got {source!r}")
            source = "manifest"
        nums = {k: value.get(k, 0.0) for k in ("penalty_per_day", "grace_minutes")}
        for k, high, unit in (("penalty_per_day", MAX_PENALTY_PER_DAY, " (percent)"),
                              ("grace_minutes", MAX_GRACE_MINUTES, " (a year)")):
            if not _number_in(nums[k], 0, high):
                self.err(("late", k), f"expected a number from 0 to {high}{unit}, "
                                      f"got {nums[k]!r}")
                nums[k] = 0.0
        max_days = value.get("max_days")
        if max_days is not None and (not isinstance(max_days, int) or isinstance(max_days, bool)
                                     or not 0 <= max_days <= MAX_DAYS):
            self.err(("late", "max_days"), f"expected a whole number from 0 to {MAX_DAYS}, "
                                           f"got {max_days!r}")
            max_days = None
        return Late(policy, float(nums["penalty_per_day"]), max_days,
                    float(nums["grace_minutes"]), source)

    def _library(self, value: Any) -> list[Path]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.err(("library",), "expected a list of folders of extra specs")
            return []
        return [(self.path.parent / v) for v in value]

    def _sandbox(self, value: Any) -> SandboxOptions:
        if not isinstance(value, dict):
            self.err(("sandbox",), "expected a mapping (time_limit, memory_mb)")
            return SandboxOptions()
        self._unknown(value, ("sandbox",), {"time_limit", "memory_mb"})
        t, m = value.get("time_limit", 10.0), value.get("memory_mb", 512)
        if not _number_in(t, 0, 600, low_open=True):
            self.err(("sandbox", "time_limit"), f"expected seconds in (0, 600], got {t!r}")
            t = 10.0
        if not isinstance(m, int) or isinstance(m, bool) or not 64 <= m <= 16384:
            self.err(("sandbox", "memory_mb"), f"expected MB in [64, 16384], got {m!r}")
            m = 512
        return SandboxOptions(float(t), m)

    def _attempts(self, value: Any) -> int | None:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or \
                not 1 <= value <= MAX_ATTEMPTS:
            self.err(("attempts",), f"expected a whole number of submissions from 1 to "
                                    f"{MAX_ATTEMPTS}, got {value!r}")
            return None
        return value

    def _cooldown(self, value: Any) -> float:
        if not _number_in(value, 0, MAX_COOLDOWN):
            self.err(("cooldown",), f"expected seconds from 0 to {MAX_COOLDOWN} (a day), "
                                    f"got {value!r}")
            return 0.0
        return float(value)


def _number_in(value: Any, low: float, high: float, *, low_open: bool = False) -> bool:
    """A real number (not a bool, nan or inf) within [low, high], or (low, high]."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    above = value > low if low_open else value >= low
    return above and value <= high  # False for nan; inf fails the bound


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
