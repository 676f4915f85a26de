"""The gradebook's schema: its migrations, and result documents as version 3 stores them.

MIGRATIONS[i] upgrades version i to i + 1 (gradebook.py applies them in order on open, each in
one transaction; gradebook_health.py replays them in memory to know what a version holds).

Since version 3 each result document is stored once, by SHA-256, zlib-compressed. An
unchanged regrade produces a byte-identical document (the same inputs give the same bytes), so
a document recorded by many runs takes its space once. SQLite has neither SHA-256 nor zlib
built in: `register` gives a connection both, as deterministic SQL functions, so that the
v2 -> v3 migration stays plain SQL in one transaction.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib

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
    # v3: each distinct result document once (by SHA-256, zlib'd, see pack below) with its
    # part rows; a run's student_results row refers to it. An unchanged regrade then adds one
    # small row per student instead of the whole document again. part_results becomes a view
    # with the v2 columns, so queries written against v2 keep working.
    """
    CREATE TABLE documents (sha256 TEXT PRIMARY KEY, body BLOB NOT NULL);
    CREATE TABLE document_parts (
        document TEXT NOT NULL REFERENCES documents (sha256),
        exercise TEXT NOT NULL, part TEXT NOT NULL, score REAL NOT NULL, max REAL NOT NULL,
        status TEXT NOT NULL, mistake TEXT, feedback TEXT NOT NULL,
        PRIMARY KEY (document, exercise, part)) WITHOUT ROWID;
    CREATE TABLE student_results_v3 (
        run INTEGER NOT NULL REFERENCES runs (id), student TEXT NOT NULL,
        assignment TEXT NOT NULL, status TEXT NOT NULL, total REAL NOT NULL, max REAL NOT NULL,
        fingerprint TEXT NOT NULL, document TEXT NOT NULL REFERENCES documents (sha256),
        PRIMARY KEY (run, student));
    INSERT INTO student_results_v3 SELECT run, student, assignment, status, total, max,
        fingerprint, grader_sha256(json) FROM student_results;
    INSERT INTO documents SELECT sha256, grader_pack(json) FROM (
        SELECT grader_sha256(json) AS sha256, json FROM student_results GROUP BY sha256);
    INSERT OR IGNORE INTO document_parts SELECT s.document, p.exercise, p.part, p.score, p.max,
        p.status, p.mistake, p.feedback
        FROM part_results p JOIN student_results_v3 s ON s.run = p.run AND s.student = p.student;
    DROP TABLE part_results;
    DROP TABLE student_results;
    ALTER TABLE student_results_v3 RENAME TO student_results;
    CREATE INDEX student_results_latest ON student_results (assignment, student, run);
    CREATE VIEW part_results (run, student, exercise, part, score, max, status, mistake,
                              feedback) AS
        SELECT s.run, s.student, p.exercise, p.part, p.score, p.max, p.status, p.mistake,
               p.feedback
        FROM student_results s JOIN document_parts p ON p.document = s.document;
    """,
)

LEVEL = 9  # documents are written once and read often: the smallest output is worth it


def sha256_hex(text: str) -> str:
    """The key of a document: the SHA-256 of its UTF-8 text, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), LEVEL)


def unpack(body: bytes) -> str:
    """The document's text; zlib.error or UnicodeDecodeError when the stored bytes are damaged.
    """
    return zlib.decompress(body).decode("utf-8")


def register(db: sqlite3.Connection) -> None:
    """grader_sha256(text) and grader_pack(text) for the migrations' SQL."""
    db.create_function("grader_sha256", 1, sha256_hex, deterministic=True)
    db.create_function("grader_pack", 1, pack, deterministic=True)
