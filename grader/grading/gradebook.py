"""DIR/gradebook.sqlite: every submission, grading run and part result, written transactionally.

Each student's rows are written in one transaction, so a run killed at any instant (SIGKILL
included) leaves every student either fully recorded or not at all; the next run regrades only
the students whose latest stored result does not match their current fingerprint (submission
hash, spec hashes, grader version, key, assignment and reveal state).

The schema is versioned: MIGRATIONS[i] upgrades version i to i + 1, applied in order on open.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from grader.core.errors import UserError, display_path
from grader.core.fsutil import disk_error_message
from grader.grading import gradebook_health as health
from grader.grading.results import StudentResult
from grader.core.values import to_json

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (0);
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        student TEXT NOT NULL, assignment TEXT NOT NULL, sha256 TEXT NOT NULL,
        received_time TEXT, path TEXT NOT NULL,
        UNIQUE (assignment, student, sha256, path));
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY, assignment TEXT NOT NULL, grader_version TEXT NOT NULL,
        spec_hashes TEXT NOT NULL, sandbox_level TEXT NOT NULL,
        started TEXT NOT NULL, finished TEXT);
    CREATE TABLE part_results (
        run INTEGER NOT NULL REFERENCES runs (id), student TEXT NOT NULL,
        exercise TEXT NOT NULL, part TEXT NOT NULL, score REAL NOT NULL, max REAL NOT NULL,
        status TEXT NOT NULL, mistake TEXT, feedback TEXT NOT NULL,
        PRIMARY KEY (run, student, exercise, part));
    CREATE TABLE student_results (
        run INTEGER NOT NULL REFERENCES runs (id), student TEXT NOT NULL,
        assignment TEXT NOT NULL, status TEXT NOT NULL, total REAL NOT NULL, max REAL NOT NULL,
        fingerprint TEXT NOT NULL, json TEXT NOT NULL,
        PRIMARY KEY (run, student));
    CREATE INDEX student_results_latest ON student_results (assignment, student, run);
    """,
    """
    CREATE TABLE first_seen (
        assignment TEXT NOT NULL, student TEXT NOT NULL, sha256 TEXT NOT NULL,
        time TEXT NOT NULL, PRIMARY KEY (assignment, student, sha256));
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Stored:
    """A student's latest recorded result."""

    run: int
    total: float
    fingerprint: str
    json: str
    book: Path | None = None  # the gradebook it came from, to name it if the text is damaged
    student: str = ""

    def result(self) -> StudentResult:
        from grader.core.values import from_json

        try:
            return StudentResult.from_dict(from_json(self.json))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # quick_check verifies pages, not the text inside them: a flipped byte in a
            # stored document shows up only here.
            raise damaged_error(self.book or Path("gradebook.sqlite"),
                                f"the stored result of {self.student or 'a student'} in run "
                                f"{self.run} cannot be read: {exc}") from None


F = TypeVar("F", bound=Callable[..., Any])


class DiskError(UserError):
    """The gradebook could not be read or written because of the disk; the file is fine."""


class DamagedError(UserError):
    """The gradebook file is damaged inside; rebuilding it or starting afresh are the ways out."""


def damaged_error(path: Path, detail: str) -> DamagedError:
    folder = display_path(path.parent)
    return DamagedError(
        f"{display_path(path)}: the gradebook is damaged, not a usable gradebook ({detail}). "
        "Regrading, even with --force, cannot get past this. Either rebuild it from the "
        f"stored results ({folder}/<student>.json): `grader gradebook rebuild {folder}`, or "
        f"start a fresh, empty gradebook (every student is regraded next run): `grader "
        f"gradebook rebuild {folder} --empty`. Both keep the damaged file beside it as "
        f"{path.name}.damaged-<time>.")


def _guarded(method: F) -> F:
    """A disk problem or damage met while reading or writing becomes the user's message."""

    @functools.wraps(method)
    def wrapper(self: Gradebook, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise self.problem(exc) from None

    return wrapper  # type: ignore[return-value]


def _close_quietly(db: sqlite3.Connection | None) -> None:
    if db is not None:
        try:
            db.close()
        except sqlite3.Error:
            pass


class Gradebook:
    """The gradebook of one output folder (a context manager)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(disk_error_message(exc) or
                            f"{display_path(path.parent)}: cannot create the results folder "
                            f"({exc.strerror}); check the disk and the permissions") from None
        db = None
        try:
            self.db = db = sqlite3.connect(path, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # durable across a killed process
            self._migrate(health.check(db, MIGRATIONS))
        except (sqlite3.Error, health.Damaged) as exc:
            _close_quietly(db)
            raise self.problem(exc) from None

    def problem(self, exc: BaseException) -> BaseException:
        """A UserError for a disk problem or damage; any other error unchanged (a bug)."""
        if isinstance(exc, health.Damaged):
            return damaged_error(self.path, str(exc))
        if isinstance(exc, sqlite3.Error):
            disk = health.disk_problem(exc)
            if disk:
                return DiskError(f"{display_path(self.path)}: cannot use the gradebook: {disk} "
                                 f"(SQLite: {exc}). This is the disk's problem, not the "
                                 "gradebook's: the file was left as it is; do not move it "
                                 "away.")
            if health.is_damage(exc):
                return damaged_error(self.path, str(exc))
        return exc

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error as exc:  # a final checkpoint can meet a full disk
            raise self.problem(exc) from None

    def version(self) -> int:
        try:
            row = self.db.execute("SELECT version FROM schema_version").fetchone()
        except sqlite3.OperationalError:  # no such table: a new file
            return 0
        return int(row[0])

    def _migrate(self, current: int) -> None:
        known = len(MIGRATIONS)
        if current > known:
            raise UserError(f"{display_path(self.path)}: gradebook schema version {current} was "
                            f"written by a newer grader (this one knows {known}); "
                            "upgrade grader")
        for version in range(current, known):
            self.db.executescript(f"BEGIN IMMEDIATE; {MIGRATIONS[version]}\n"
                                  f"UPDATE schema_version SET version = {version + 1}; COMMIT;")

    def _transaction(self) -> _Tx:
        return _Tx(self.db)

    @_guarded
    def start_run(self, *, assignment: str, grader_version: str,
                  spec_hashes: Mapping[str, str], sandbox_level: str) -> int:
        with self._transaction():
            cur = self.db.execute(
                "INSERT INTO runs (assignment, grader_version, spec_hashes, sandbox_level, "
                "started) VALUES (?, ?, ?, ?, ?)",
                (assignment, grader_version, json.dumps(dict(spec_hashes), sort_keys=True),
                 sandbox_level, _now()))
            return int(cur.lastrowid or 0)

    @_guarded
    def finish_run(self, run: int) -> None:
        with self._transaction():
            self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (_now(), run))

    @_guarded
    def latest(self, assignment: str) -> dict[str, Stored]:
        """Each student's most recent result for this assignment."""
        rows = self.db.execute(
            "SELECT s.student, s.run, s.total, s.fingerprint, s.json FROM student_results s "
            "JOIN (SELECT student, MAX(run) AS run FROM student_results WHERE assignment = ? "
            "GROUP BY student) m ON s.student = m.student AND s.run = m.run "
            "WHERE s.assignment = ?", (assignment, assignment))
        return {r[0]: Stored(r[1], r[2], r[3], r[4], self.path, r[0]) for r in rows}

    @_guarded
    def record(self, run: int, result: StudentResult, *, fingerprint: str,
               received_time: str | None, path: str | None, document: str | None = None) -> None:
        """Write one student's submission, part results and total in a single transaction.

        `document` is the result's JSON when the caller already has it (to_json otherwise).
        """
        with self._transaction():
            if result.submission_sha256 and path:
                self.db.execute(
                    "INSERT OR IGNORE INTO submissions (student, assignment, sha256, "
                    "received_time, path) VALUES (?, ?, ?, ?, ?)",
                    (result.student_id, result.assignment_id, result.submission_sha256,
                     received_time, path))
            self.db.executemany(
                "INSERT OR REPLACE INTO part_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run, result.student_id, p.exercise_id, p.part_id, p.score, p.max_score,
                  p.status, p.mistake, p.feedback) for p in result.parts()])
            self.db.execute(
                "INSERT OR REPLACE INTO student_results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run, result.student_id, result.assignment_id, result.status, result.score,
                 result.max_score, fingerprint, document or to_json(result.to_dict())))

    @_guarded
    def first_seen(self, assignment: str, seen: list[tuple[str, str]],
                   *, now: str | None = None) -> dict[tuple[str, str], str]:
        """When each (student, submission sha256) was first seen; unseen ones are stamped now.

        The grader's own clock, unlike a manifest's time or a file's mtime, which come from
        the student's machine: the trustworthy receipt time for `time_source: received`.
        """
        stamp = now or _now()
        with self._transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO first_seen VALUES (?, ?, ?, ?)",
                [(assignment, student, sha, stamp) for student, sha in seen])
        rows = self.db.execute("SELECT student, sha256, time FROM first_seen WHERE "
                               "assignment = ?", (assignment,))
        return {(r[0], r[1]): r[2] for r in rows}

    @_guarded
    def restore_first_seen(self, assignment: str, rows: list[tuple[str, str, str]]) -> None:
        """Record known (student, sha256, time) receipts, as a rebuild from results does."""
        with self._transaction():
            self.db.executemany("INSERT OR IGNORE INTO first_seen VALUES (?, ?, ?, ?)",
                                [(assignment, *row) for row in rows])

    @_guarded
    def latest_parts(self, assignment: str) -> list[tuple]:
        """(student, exercise, part, score, max, status, mistake, feedback) of each latest result.
        """
        latest = {s: st.run for s, st in self.latest(assignment).items()}
        rows = self.db.execute("SELECT run, student, exercise, part, score, max, status, "
                               "mistake, feedback FROM part_results ORDER BY student, exercise, "
                               "part")
        return [r[1:] for r in rows if latest.get(r[1]) == r[0]]

    @_guarded
    def runs(self) -> list[tuple]:
        return list(self.db.execute("SELECT id, assignment, grader_version, spec_hashes, "
                                    "sandbox_level, started, finished FROM runs ORDER BY id"))


class _Tx:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.db.execute("COMMIT")
        elif self.db.in_transaction:  # SQLITE_FULL and some I/O errors have rolled back already
            self.db.execute("ROLLBACK")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def iter_totals(book: Gradebook, assignment: str) -> Iterator[tuple[str, float]]:
    for student, stored in sorted(book.latest(assignment).items()):
        yield student, stored.total
