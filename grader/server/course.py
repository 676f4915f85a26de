"""What the server knows about the course: the assignment, the roster from the key, the secret.

`grader serve` writes the paths into STATE/serve.json so that the worker process (started with
the state folder alone) grades against the same files.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import UserError, display_path
from grader.core.fsutil import atomic_write_text
from grader.course.assignment import Assignment, load_assignment
from grader.grading.keys import StudentKey, find_key_dir, load_keys

CONFIG = "serve.json"
DATABASE_ENV = "GRADER_DATABASE"


@dataclass
class Course:
    assignment: Assignment
    key_dir: Path
    keys: dict[str, StudentKey]  # student id -> key (the web process reads ids and folders)
    secret: bytes
    state_dir: Path
    database: str | None = None  # a postgresql:// address; None: SQLite in state_dir

    @property
    def build_dir(self) -> Path:
        """The folder `grader generate` wrote (the problem-set folders sit beside key/)."""
        return self.key_dir.parent

    def problem_file(self, student_id: str, name: str) -> Path | None:
        path = self.build_dir / self.keys[student_id].folder / name
        return path if path.is_file() else None


def open_course(assignment_path: Path, key: Path, state_dir: Path,
                database: str | None = None) -> Course:
    """Load the assignment, key and secret; a UserError names whatever is missing."""
    assignment = load_assignment(Path(assignment_path).resolve())
    key_dir = find_key_dir(key=Path(key).resolve(), out=Path(key), submissions=Path(key))
    keys = {k.id: k for k in load_keys(key_dir, assignment.id)}
    return Course(assignment, key_dir, keys, assignment.secret(), Path(state_dir).resolve(),
                  database)


def save_config(course: Course) -> None:
    course.state_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(course.state_dir / CONFIG, json.dumps(
        {"assignment": str(course.assignment.path), "key": str(course.key_dir)}, indent=1))


def load_config(state_dir: Path) -> Course:
    """The course a state folder serves (as `grader serve` last started it); the database
    address, which may hold a password, is never written there: it comes from $GRADER_DATABASE."""
    path = Path(state_dir) / CONFIG
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{display_path(path)}: cannot read the server's configuration ({exc}); "
                        "start the server with `grader serve ASSIGNMENT --key DIR` once") from None
    return open_course(Path(data["assignment"]), Path(data["key"]), Path(state_dir),
                       os.environ.get(DATABASE_ENV) or None)
