"""DIR/gradebook.sqlite: every submission, grading run and part result, written transactionally.

Each student's rows are written in one transaction, so a run killed at any instant (SIGKILL
included) leaves every student either fully recorded or not at all; the next run regrades only
the students whose latest stored result does not match their current fingerprint (submission
hash, spec hashes, grader version, key, assignment and reveal state).

The schema is versioned: MIGRATIONS[i] upgrades version i to i + 1, applied in order on open,
each in one transaction. Since version 3 a result document is stored once however many runs
record it (gradebook_schema.py); `compact` drops what no result refers to any more.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from grader.core.errors import UserError, display_path
from grader.core.fsutil import disk_error_message
from grader.grading import gradebook_health as health
from grader.grading.gradebook_schema import MIGRATIONS, pack, register, sha256_hex, unpack
from grader.grading.results import StudentResult
from grader.core.values import to_json

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
            register(db)  # the migrations' grader_sha256 and grader_pack
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
            "SELECT s.student, s.run, s.total, s.fingerprint, s.document, d.body "
            "FROM student_results s "
            "JOIN (SELECT student, MAX(run) AS run FROM student_results WHERE assignment = ? "
            "GROUP BY student) m ON s.student = m.student AND s.run = m.run "
            "LEFT JOIN documents d ON d.sha256 = s.document "
            "WHERE s.assignment = ?", (assignment, assignment))
        return {r[0]: Stored(r[1], r[2], r[3], self._text(r[0], r[1], r[4], r[5]), self.path,
                             r[0]) for r in rows}

    def _text(self, student: str, run: int, sha: str, body: bytes | None) -> str:
        """A stored document's text, checked against its hash: damage is named, not guessed."""
        try:
            text = unpack(body) if body is not None else None
        except (zlib.error, UnicodeDecodeError, TypeError) as exc:
            text, why = None, str(exc)
        else:
            why = "its document is missing" if text is None else "its document does not match " \
                "its SHA-256"
        if text is None or sha256_hex(text) != sha:
            raise damaged_error(self.path, f"the stored result of {student} in run {run} "
                                           f"cannot be read: {why}")
        return text

    @_guarded
    def record(self, run: int, result: StudentResult, *, fingerprint: str,
               received_time: str | None, path: str | None, document: str | None = None) -> None:
        """Write one student's submission, part results and total in a single transaction.

        `document` is the result's JSON when the caller already has it (to_json otherwise).
        """
        text = document or to_json(result.to_dict())
        sha = sha256_hex(text)
        with self._transaction():
            if result.submission_sha256 and path:
                self.db.execute(
                    "INSERT OR IGNORE INTO submissions (student, assignment, sha256, "
                    "received_time, path) VALUES (?, ?, ?, ?, ?)",
                    (result.student_id, result.assignment_id, result.submission_sha256,
                     received_time, path))
            self._store_document(sha, text, result)
            self.db.execute(
                "INSERT OR REPLACE INTO student_results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run, result.student_id, result.assignment_id, result.status, result.score,
                 result.max_score, fingerprint, sha))

    def _store_document(self, sha: str, text: str, result: StudentResult) -> None:
        """The document and its part rows, unless an earlier run stored the same bytes."""
        if self.db.execute("SELECT 1 FROM documents WHERE sha256 = ?", (sha,)).fetchone():
            return
        self.db.execute("INSERT INTO documents VALUES (?, ?)", (sha, pack(text)))
        self.db.executemany(
            "INSERT OR REPLACE INTO document_parts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(sha, p.exercise_id, p.part_id, p.score, p.max_score, p.status, p.mistake,
              p.feedback) for p in result.parts()])

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
        return list(self.db.execute(
            "SELECT s.student, p.exercise, p.part, p.score, p.max, p.status, p.mistake, "
            "p.feedback FROM student_results s "
            "JOIN (SELECT student, MAX(run) AS run FROM student_results WHERE assignment = ? "
            "GROUP BY student) m ON s.student = m.student AND s.run = m.run "
            "JOIN document_parts p ON p.document = s.document WHERE s.assignment = ? "
            "ORDER BY s.student, p.exercise, p.part", (assignment, assignment)))

    @_guarded
    def compact(self, *, keep_runs: int | None = None) -> tuple[int, int]:
        """Drop results older than each student's latest `keep_runs` (None: keep every result)
        and the documents no result refers to, then VACUUM; (results, documents) removed.

        The deletions are one transaction and VACUUM is atomic, so a kill at any instant leaves
        either the old or the new contents, both usable. Each student's latest result stays.
        """
        with self._transaction():
            results = 0
            if keep_runs is not None:
                results = self.db.execute(
                    "DELETE FROM student_results WHERE rowid IN (SELECT rowid FROM (SELECT "
                    "rowid, ROW_NUMBER() OVER (PARTITION BY assignment, student ORDER BY run "
                    "DESC) AS newer FROM student_results) WHERE newer > ?)",
                    (max(keep_runs, 1),)).rowcount
            self.db.execute("DELETE FROM document_parts WHERE document NOT IN "
                            "(SELECT document FROM student_results)")
            documents = self.db.execute("DELETE FROM documents WHERE sha256 NOT IN "
                                        "(SELECT document FROM student_results)").rowcount
        self.db.execute("VACUUM")
        return results, documents

    @_guarded
    def size(self) -> int:
        """The file's size in bytes once the write-ahead log is folded into it."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        wal = Path(f"{self.path}-wal")
        return self.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)

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
