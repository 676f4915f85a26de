"""A generated course and the submissions made up for it: one builder for the demo and tests.

`Course.create` writes an assignment and a roster, generates the problem sets with the real
`generate`, and then reads each student back through the key. Submissions are written the
way students hand them in: a folder (`folder_submission`) or a `grader submit` archive at a
chosen time (`archive`, fixed times so that the same inputs give the same bytes). What goes
into answers.yaml is the caller's: the demo's personas fill it from the key's answers, the
end-to-end tests from values they work out themselves.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from grader.core.fsutil import atomic_write_bytes, atomic_write_text
from grader.course.documents import KeyDocument, KeyExercise
from grader.student.submission import ANSWERS, META, SOLUTION, manifest_for, pack, read_meta

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo"  # the demo course's files


# impl-softmax as students hand it in: the stable form, and the textbook formula that
# overflows for large logits (the benchmarks' mix of right and wrong code)
SOFTMAX = """\
import numpy as np

def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()
"""
NAIVE_SOFTMAX = SOFTMAX.replace("z - z.max()", "z")


def numbered_roster(students: int) -> str:
    """A roster.csv of `students` made-up students s0000, s0001, ... (for large classes)."""
    return "id,name,email\n" + "".join(f"s{i:04d},Student {i},s{i}@example.org\n"
                                       for i in range(students))


def demo_roster() -> tuple[tuple[str, str, str], ...]:
    """The demo course's students as (id, name, persona): the demo and the report samples."""
    import csv

    with (DEMO_DATA / "roster.csv").open(encoding="utf-8", newline="") as fh:
        return tuple((r["id"], r["name"], r["persona"]) for r in csv.DictReader(fh))


@dataclass
class Course:
    """A generated course: its files, its key, and writers of submissions for it."""

    root: Path
    assignment: Path
    build: Path
    subs: Path

    @classmethod
    def create(cls, root: Path, assignment: str | bytes, roster: str | bytes, *,
               build: str = "build", subs: str = "subs") -> Course:
        """Write assignment.yaml and roster.csv into root and generate the problem sets."""
        from grader.course.generate import generate

        root.mkdir(parents=True, exist_ok=True)
        for name, data in (("assignment.yaml", assignment), ("roster.csv", roster)):
            atomic_write_bytes(root / name, data.encode() if isinstance(data, str) else data)
        generate(root / "assignment.yaml", root / "roster.csv", root / build)
        return cls.open(root, build=build, subs=subs)

    @classmethod
    def open(cls, root: Path, *, build: str = "build", subs: str = "subs") -> Course:
        """A course generated before; a fresh, empty submissions folder."""
        course = cls(root, root / "assignment.yaml", root / build, root / subs)
        if course.subs.exists():
            shutil.rmtree(course.subs)
        course.subs.mkdir(parents=True)
        return course

    @property
    def roster(self) -> list[dict]:
        """The students as the key lists them (id, name, folder), in roster order."""
        data = json.loads((self.build / "key" / "roster.json").read_text(encoding="utf-8"))
        return list(data)

    def folder(self, sid: str) -> str:
        return next(s["folder"] for s in self.roster if s["id"] == sid)

    def key(self, sid: str) -> KeyDocument:
        # json.loads, not from_json: answers.yaml is to hold "inf" as the key spells it
        path = self.build / "key" / f"{self.folder(sid)}.json"
        return KeyDocument.from_dict(json.loads(path.read_text(encoding="utf-8")),
                                     source=str(path))

    def exercise(self, sid: str, eid: str) -> KeyExercise:
        return next(e for e in self.key(sid).exercises if e.id == eid)

    def right(self, sid: str) -> dict:
        """The reference answers of every typed part, as answers.yaml holds them."""
        return {e.id: dict(e.answers) for e in self.key(sid).exercises if e.answers}

    def meta(self, sid: str) -> bytes:
        return (self.build / self.folder(sid) / META).read_bytes()

    def files(self, sid: str, answers: dict | str, solution: str | None) -> dict[str, bytes]:
        """The files a student hands in: answers.yaml, grader.json and solution.py if any."""
        text = answers if isinstance(answers, str) else yaml.safe_dump(answers)
        out = {ANSWERS: text.encode(), META: self.meta(sid)}
        if solution is not None:
            out[SOLUTION] = solution.encode()
        return out

    def folder_submission(self, sid: str, answers: dict | str | None, solution: str | None, *,
                          when: dt.datetime | None = None) -> Path:
        """The student's problem-set folder as handed in (its files dated `when`, if given)."""
        target = self.subs / self.folder(sid)
        shutil.copytree(self.build / self.folder(sid), target)
        (target / SOLUTION).unlink(missing_ok=True)
        if answers is not None:
            text = answers if isinstance(answers, str) else yaml.safe_dump(answers)
            atomic_write_text(target / ANSWERS, text)
        if solution is not None:
            atomic_write_text(target / SOLUTION, solution)
        if when is not None:
            stamp = when.timestamp()
            for f in target.iterdir():
                os.utime(f, (stamp, stamp))
        return target

    def archive(self, sid: str, answers: dict | str, solution: str | None, when: dt.datetime,
                *, name: str | None = None) -> Path:
        """A `grader submit` archive made at `when`."""
        files = self.files(sid, answers, solution)
        meta = read_meta(self.build / self.folder(sid))
        manifest = manifest_for(files, meta, now=when)
        path = self.subs / (name or f"{self.folder(sid)}.zip")
        atomic_write_bytes(path, pack(files, manifest))
        return path

    def has_function(self, sid: str) -> bool:
        """Whether the student's problem set asks for solution.py."""
        return (self.build / self.folder(sid) / SOLUTION).exists()
