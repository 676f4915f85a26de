"""The server's store: submissions (bytes, SHA-256, server time), results and token generations.

SQLite in WAL mode with synchronous=FULL (or PostgreSQL, whose commits are fsynced): a
submission's row, archive bytes included, is on disk when `add_submission` returns, before the
server answers. The schema carries a version table; `MIGRATIONS` lists the steps from an empty
database, the same on both (grader.server.db names the types).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from grader.server.db import TYPES, Postgres, SQLite, connect

DB_NAME = "server.sqlite"
MIGRATIONS = (
    """
    CREATE TABLE submissions (
        id {serial},
        student_id TEXT NOT NULL,
        received_at TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        archive {blob} NOT NULL,
        via TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued'
    );
    CREATE INDEX submissions_student ON submissions (student_id, id);
    CREATE INDEX submissions_state ON submissions (state, id);
    CREATE TABLE results (
        submission_id INTEGER PRIMARY KEY REFERENCES submissions (id),
        student_id TEXT NOT NULL,
        status TEXT NOT NULL,
        score {real} NOT NULL,
        max_score {real} NOT NULL,
        result_json TEXT NOT NULL,
        report_html TEXT NOT NULL,
        graded_at TEXT NOT NULL
    );
    CREATE TABLE token_generations (
        student_id TEXT PRIMARY KEY,
        generation INTEGER NOT NULL
    );
    """,
)


class LimitReached(Exception):
    """A submission refused by the assignment's attempts/cooldown or the rate limit."""


@dataclass(frozen=True)
class Attempt:
    """One submission as a student's page lists it (no archive bytes)."""

    id: int
    student_id: str
    received_at: str
    sha256: str
    size: int
    via: str
    state: str  # queued | grading | graded
    score: float | None = None
    max_score: float | None = None
    status: str | None = None


def now_iso() -> str:
    """The server's clock, UTC, to the second: what lateness is judged by."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class Store:
    """One state folder's database. Every method opens its own short connection (thread-safe)."""

    def __init__(self, state_dir: Path, *, database: str | None = None,
                 synchronous: str = "FULL") -> None:
        """`synchronous`: FULL for the web process (an answered upload is on disk); the worker
        may use NORMAL, since a result lost with its commit leaves the submission 'grading',
        which the next start grades again. `database`: a postgresql:// address instead of the
        SQLite file in the state folder."""
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.state_dir / DB_NAME
        self._local = threading.local()
        self.synchronous = "NORMAL" if synchronous == "NORMAL" else "FULL"
        self.database = database
        with self.connect() as db:
            if db.kind == "sqlite":
                db.execute("PRAGMA journal_mode=WAL")
            migrate(db)

    @contextmanager
    def connect(self) -> Iterator[SQLite | Postgres]:
        """This thread's connection, kept open (closing the last one checkpoints the log)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.database, self.path, self.synchronous)
            self._local.db = db
        try:
            yield db
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def add_submission(self, student_id: str, archive: bytes, *, via: str,
                       allowed: Callable[[list[str]], str | None] = lambda _: None) -> Attempt:
        """Store the archive durably; return its attempt (state queued).

        `allowed(received times of the student's earlier submissions)` is asked inside the
        write transaction (two uploads at once cannot both pass a limit); a message it returns
        is raised as LimitReached and nothing is stored.
        """
        sha = hashlib.sha256(archive).hexdigest()
        with self.connect() as db:
            db.begin(lock=f"student:{student_id}")
            times = [r[0] for r in db.execute("SELECT received_at FROM submissions WHERE "
                                              "student_id = ? ORDER BY id", (student_id,))]
            refusal = allowed(times)
            if refusal:
                db.execute("ROLLBACK")
                raise LimitReached(refusal)
            when = now_iso()
            number, = db.execute("INSERT INTO submissions (student_id, received_at, sha256, "
                                 "size, archive, via) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                 (student_id, when, sha, len(archive), archive, via)).fetchone()
            db.execute("COMMIT")
        return Attempt(int(number), student_id, when, sha, len(archive), via, "queued")

    def attempts(self, student_id: str | None = None) -> list[Attempt]:
        """Every attempt (of one student, or of everyone), oldest first."""
        where, args = ("WHERE s.student_id = ?", (student_id,)) if student_id else ("", ())
        with self.connect() as db:
            rows = db.execute(
                "SELECT s.id, s.student_id, s.received_at, s.sha256, s.size, s.via, s.state, "
                "r.score, r.max_score, r.status FROM submissions s LEFT JOIN results r "
                f"ON r.submission_id = s.id {where} ORDER BY s.id", args).fetchall()
        return [Attempt(*row) for row in rows]

    def attempt(self, submission_id: int) -> Attempt | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT s.id, s.student_id, s.received_at, s.sha256, s.size, s.via, s.state, "
                "r.score, r.max_score, r.status FROM submissions s LEFT JOIN results r "
                "ON r.submission_id = s.id WHERE s.id = ?", (submission_id,)).fetchone()
        return Attempt(*row) if row else None

    def result(self, submission_id: int) -> tuple[str, str] | None:
        """(result JSON, report HTML) of a graded attempt."""
        with self.connect() as db:
            row = db.execute("SELECT result_json, report_html FROM results "
                             "WHERE submission_id = ?", (submission_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def latest_results(self) -> list[str]:
        """Each student's newest graded result (JSON), in student order."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT r.result_json FROM results r JOIN (SELECT student_id, MAX(submission_id) "
                "AS sid FROM results GROUP BY student_id) m ON r.submission_id = m.sid "
                "ORDER BY r.student_id").fetchall()
        return [r[0] for r in rows]

    # the worker's side

    def requeue_unfinished(self) -> int:
        """Put back in the queue what a killed worker was grading (at start-up)."""
        with self.connect() as db:
            return db.execute("UPDATE submissions SET state = 'queued' "
                              "WHERE state = 'grading'").rowcount

    def claim(self, limit: int) -> list[tuple[int, str, str, bytes]]:
        """Up to `limit` queued submissions, one per student (the oldest), marked grading."""
        with self.connect() as db:
            db.begin(lock="queue")
            rows = db.execute(
                "SELECT id, student_id, received_at, archive FROM submissions WHERE id IN "
                "(SELECT MIN(id) FROM submissions WHERE state = 'queued' GROUP BY student_id) "
                "ORDER BY id LIMIT ?", (limit,)).fetchall()
            db.executemany("UPDATE submissions SET state = 'grading' WHERE id = ?",
                           [(r[0],) for r in rows])
            db.execute("COMMIT")
        return [(int(r[0]), r[1], r[2], bytes(r[3])) for r in rows]

    def save_result(self, submission_id: int, student_id: str, *, status: str, score: float,
                    max_score: float, result_json: str, report_html: str) -> None:
        with self.connect() as db:
            db.begin()
            db.execute("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                       "(submission_id) DO UPDATE SET status = excluded.status, score = "
                       "excluded.score, max_score = excluded.max_score, result_json = "
                       "excluded.result_json, report_html = excluded.report_html, graded_at = "
                       "excluded.graded_at",
                       (submission_id, student_id, status, score, max_score, result_json,
                        report_html, now_iso()))
            db.execute("UPDATE submissions SET state = 'graded' WHERE id = ?", (submission_id,))
            db.execute("COMMIT")

    def mark_failed(self, ids: list[int]) -> None:
        """Grading these raised (a bug in grader): shown as failed until a regrade."""
        with self.connect() as db:
            db.executemany("UPDATE submissions SET state = 'failed' WHERE id = ? "
                           "AND state = 'grading'", [(i,) for i in ids])

    def requeue_all(self) -> int:
        """Regrade: every student's newest submission goes back in the queue."""
        with self.connect() as db:
            return db.execute(
                "UPDATE submissions SET state = 'queued' WHERE id IN "
                "(SELECT MAX(id) FROM submissions GROUP BY student_id)").rowcount

    # tokens

    def generation(self, student_id: str) -> int:
        with self.connect() as db:
            row = db.execute("SELECT generation FROM token_generations WHERE student_id = ?",
                             (student_id,)).fetchone()
        return int(row[0]) if row else 0

    def revoke(self, student_id: str) -> int:
        """Invalidate a student's token; return the new generation (its token is re-issued)."""
        with self.connect() as db:
            db.begin(lock=f"token:{student_id}")
            db.execute("INSERT INTO token_generations VALUES (?, 1) ON CONFLICT (student_id) "
                       "DO UPDATE SET generation = token_generations.generation + 1",
                       (student_id,))
            row = db.execute("SELECT generation FROM token_generations WHERE student_id = ?",
                             (student_id,)).fetchone()
            db.execute("COMMIT")
        return int(row[0])


def migrate(db: SQLite | Postgres) -> int:
    """Bring the schema to the newest version; return it."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    db.begin(lock="migrate")
    try:
        row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        current = int(row[0] or 0)
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            for statement in script.format(**TYPES[db.kind]).split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO schema_version VALUES (?)", (number,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return len(MIGRATIONS)
