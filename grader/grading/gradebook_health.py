"""Why a gradebook cannot be used: the disk (keep the file, fix the disk) or damage inside it.

The two must never be confused. A read-only, full or failing disk raises the same
sqlite3.OperationalError family as a damaged file, and telling an instructor to move a healthy
gradebook away over a full disk would lose its history for nothing; telling them to free disk
space over a damaged file would leave `--force` and every rerun failing. So an error is first
classified by SQLite's own error code (message text only as a fallback), and a file that opens is
then checked inside: page structure (PRAGMA quick_check), the tables, columns and views the
schema version promises, and a readable schema version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from grader.grading.gradebook_schema import register

# SQLite's primary result codes that mean the file could not be read or written, not that it is
# damaged. The extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, ...) share the prefix.
DISK_CODES: dict[str, str] = {
    "SQLITE_READONLY": "the file or its folder is read-only (or the disk is mounted read-only); "
                       "make it writable, or grade into another --out folder",
    "SQLITE_PERM": "permission denied; make the file and its folder writable",
    "SQLITE_FULL": "the disk is full; free some space on it and run again",
    "SQLITE_CANTOPEN": "the file cannot be opened (its folder is missing, unreadable or not "
                       "writable, or the disk is unavailable); check the folder and the disk",
    "SQLITE_IOERR": "the disk or file system reported an I/O error (a failing disk, a dropped "
                    "network share, a removed drive); check the disk, then run again",
    "SQLITE_NOLFS": "the file system cannot hold a file this large",
    "SQLITE_BUSY": "the database is locked by another program (a database browser, a backup "
                   "tool); close it and run again",
    "SQLITE_LOCKED": "the database is locked by another program (a database browser, a backup "
                     "tool); close it and run again",
    "SQLITE_PROTOCOL": "the file system's locking failed (a network share?); run again, or keep "
                       "the results folder on a local disk",
}
# Older SQLite builds and wrapped errors may carry only the text.
DISK_TEXT: tuple[tuple[str, str], ...] = (
    ("readonly database", "SQLITE_READONLY"), ("read-only", "SQLITE_READONLY"),
    ("disk is full", "SQLITE_FULL"), ("unable to open", "SQLITE_CANTOPEN"),
    ("disk i/o error", "SQLITE_IOERR"), ("database is locked", "SQLITE_BUSY"),
    ("database table is locked", "SQLITE_LOCKED"),
)
DAMAGE_CODES = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


class Damaged(Exception):
    """The file opens as SQLite but its insides are not a gradebook's; the text says what."""


def disk_problem(exc: sqlite3.Error) -> str | None:
    """What is wrong with the disk, or None when the error is not about the disk."""
    code = _primary(exc)
    if code in DISK_CODES:
        return DISK_CODES[code]
    if code in DAMAGE_CODES:
        return None
    text = str(exc).lower()
    return next((DISK_CODES[c] for needle, c in DISK_TEXT if needle in text), None)


def is_damage(exc: sqlite3.Error) -> bool:
    """True when SQLite itself says the file is damaged or not a database."""
    text = str(exc).lower()
    return (_primary(exc) in DAMAGE_CODES or "malformed" in text or "not a database" in text
            or "could not decode to utf-8" in text)  # a flipped byte inside stored text


def _primary(exc: sqlite3.Error) -> str:
    name = getattr(exc, "sqlite_errorname", None) or ""
    return "_".join(name.split("_")[:2])


def check(db: sqlite3.Connection, migrations: Sequence[str]) -> int:
    """The file's schema version after checking pages, version and tables; raises Damaged."""
    rows = db.execute("PRAGMA quick_check").fetchall()
    if [r[0] for r in rows] != ["ok"]:
        raise Damaged("integrity check: " + "; ".join(str(r[0]) for r in rows[:3]))
    tables = _tables(db)
    if not tables:
        return 0  # a new, empty file
    version = _version(db, tables)
    if version > len(migrations):
        return version  # a newer grader's: the caller says so
    expected, views = _expected(migrations[:version])
    missing = _schema_differences(db, tables, expected)
    missing += [f"the view {v} is missing" for v in sorted(views - _tables(db, "view"))]
    later = sorted((set(_expected(migrations)[0]) - set(expected)) & tables)
    missing += [f"the table {t} of a later version is present" for t in later]
    if missing:
        raise Damaged(f"schema version {version} but " + "; ".join(missing))
    return version


def _tables(db: sqlite3.Connection, kind: str = "table") -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))}


def _version(db: sqlite3.Connection, tables: set[str]) -> int:
    if "schema_version" not in tables:
        raise Damaged("the table schema_version is missing")
    rows = db.execute("SELECT version FROM schema_version").fetchall()
    if len(rows) != 1 or not isinstance(rows[0][0], int) or isinstance(rows[0][0], bool) \
            or rows[0][0] < 1:
        shown = ", ".join(repr(r[0]) for r in rows[:3]) or "no row"
        raise Damaged(f"schema_version holds {shown}, not one version number >= 1")
    return int(rows[0][0])


def _expected(migrations: Sequence[str]) -> tuple[dict[str, list[tuple]], set[str]]:
    """Each table's columns, and the views, as the migrations up to this version create them."""
    mem = sqlite3.connect(":memory:")
    register(mem)  # the SQL functions the migrations call
    try:
        for script in migrations:
            mem.executescript(script)
        return {t: _columns(mem, t) for t in _tables(mem)}, _tables(mem, "view")
    finally:
        mem.close()


def _columns(db: sqlite3.Connection, table: str) -> list[tuple]:
    # (name, declared type, NOT NULL, position in the primary key)
    quoted = table.replace('"', '""')
    return [(r[1], r[2].upper(), r[3], r[5]) for r in db.execute(f'PRAGMA table_info("{quoted}")')]


def _schema_differences(db: sqlite3.Connection, tables: set[str],
                        expected: dict[str, list[tuple]]) -> list[str]:
    problems = []
    for table, columns in sorted(expected.items()):
        if table not in tables:
            problems.append(f"the table {table} is missing")
        elif _columns(db, table) != columns:
            got = ", ".join(c[0] for c in _columns(db, table))
            problems.append(f"the table {table} has columns ({got}), not "
                            f"({', '.join(c[0] for c in columns)})")
    return problems
