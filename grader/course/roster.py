"""The class roster: a CSV file with at least id, name and email columns.

Ids may hold any Unicode; each student's folder name is derived from the id alone (so it is
stable across runs and rosters), is safe on every file system, and is distinct from every other
student's.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import UserError, display_path

REQUIRED = ("id", "name", "email")
# No trailing dot: Windows drops it, so "a." and "a" would share a folder there.
_SAFE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9_-])?$")
# Our own folder names, and Windows' device names (reserved with any extension, e.g. "con.txt").
_RESERVED = {"key", "index", "assets", "con", "prn", "aux", "nul",
             *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    email: str
    folder: str  # safe, stable, distinct folder name

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "email": self.email, "folder": self.folder}


def folder_name(student_id: str) -> str:
    """A file-system-safe folder name for an id: the id itself when it is already safe."""
    if _SAFE.fullmatch(student_id) and student_id.split(".")[0] not in _RESERVED:
        return student_id
    ascii_ = unicodedata.normalize("NFKD", student_id).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower())[:40].strip("-") or "student"
    digest = hashlib.sha256(student_id.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


def load_roster(path: Path) -> list[Student]:
    """Read and check a roster; every problem found is reported in one message."""
    where = display_path(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{where}: no such roster file") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{where}: not UTF-8 text (byte {exc.start}); save the roster as "
                        "UTF-8 CSV") from None
    return parse_roster(text, where)


def parse_roster(text: str, where: str) -> list[Student]:
    if not text.strip():
        raise UserError(f"{where}: the roster is empty; it needs a header line "
                        f"({','.join(REQUIRED)}) and one line per student")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        first = text.lstrip("\ufeff").splitlines()[0]
        # A spreadsheet in a comma-decimal locale saves "CSV" separated by ';' or tabs.
        sep = next((f"{name} ({c!r})" for c, name in ((";", "semicolons"), ("\t", "tabs"))
                    if c in first and "," not in first), None)
        hint = f"; the file is separated by {sep}: save it with commas" if sep else ""
        raise UserError(f"{where}:1: missing column{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(missing)}; the header has: {', '.join(header) or '(nothing)'}"
                        f"{hint}")
    reader.fieldnames = header
    students: list[Student] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(values.values()):
            continue
        sid = values.get("id", "")
        if not sid:
            errors.append(f"{where}:{line}: empty id")
            continue
        if sid in seen:
            errors.append(f"{where}:{line}: duplicate id {sid!r} (first on line {seen[sid]})")
            continue
        seen[sid] = line
        students.append(Student(sid, values.get("name", ""), values.get("email", ""),
                                folder_name(sid)))
    if not students and not errors:
        errors.append(f"{where}: no students; add one line per student under the header")
    errors += _folder_clashes(students, where)
    if errors:
        raise UserError("\n".join(errors))
    return students


def _folder_clashes(students: list[Student], where: str) -> list[str]:
    by_folder: dict[str, str] = {}
    out = []
    for s in students:
        key = s.folder.lower()  # case-insensitive file systems
        if key in by_folder:
            out.append(f"{where}: ids {by_folder[key]!r} and {s.id!r} map to the same folder "
                       f"{s.folder!r}; rename one of them")
        by_folder[key] = s.id
    return out
