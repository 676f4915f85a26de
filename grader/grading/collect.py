"""Find the submissions in a folder and match each to a student of the key's roster.

SUBMISSIONS holds student folders (the problem-set folder, filled in), `grader submit` archives
(*.zip), or both. A submission is matched by the student id its archive manifest or its
grader.json names, else by its name (the roster folder, or `<assignment>-<folder>.zip`).
Every roster student gets exactly one entry; so does every submission nobody on the roster owns.
A folder that is itself a submission is graded alone.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UserError, display_path
from grader.grading.keys import StudentKey
from grader.results import StudentStatus
from grader.submission import ANSWERS, META, SOLUTION, Submission, read_archive, read_folder


@dataclass(frozen=True)
class Entry:
    """One student of this run: a roster student (with or without work) or an unknown submitter."""

    student_id: str
    folder: str
    key: StudentKey | None  # None: the submitter is not on the roster
    submission: Submission | None
    status: StudentStatus
    messages: tuple[str, ...] = ()
    received: str | None = None  # when grading first saw this submission (ISO, UTC)


@dataclass(frozen=True)
class _Found:
    submission: Submission
    claimed: str | None  # the student id the submission names, if any
    assignment: str | None
    name: str  # folder name, or archive name without the assignment prefix and .zip


def collect(submissions: Path, keys: Sequence[StudentKey], assignment_id: str, *,
            exclude: Sequence[Path] = ()) -> list[Entry]:
    """One Entry per roster student (roster order), then one per unknown submitter (sorted)."""
    if not submissions.is_dir():
        raise UserError(f"{display_path(submissions)}: no such folder of submissions (give the "
                        "folder holding the student folders or `grader submit` archives)")
    single = any((submissions / name).is_file() for name in (ANSWERS, SOLUTION, META))
    # A folder that is itself one submission (a student's repository in CI, Gradescope's
    # /autograder/submission): grade it alone, without listing everyone else as missing.
    found = [_from_folder(submissions)] if single else _scan(submissions, assignment_id, exclude)
    by_id = {k.id: k for k in keys}
    by_folder = {k.folder: k for k in keys}
    owned: dict[str, list[_Found]] = {}
    unknown: dict[str, list[_Found]] = {}
    for f in found:
        # The id the work names is authoritative; only anonymous work is matched by its name.
        key = by_id.get(f.claimed) if f.claimed is not None else \
            by_folder.get(f.name) or by_id.get(f.name)
        if key is not None:
            owned.setdefault(key.id, []).append(f)
        else:
            unknown.setdefault(f.claimed or f.name, []).append(f)
    entries = [_entry(k.id, k.folder, k, owned.get(k.id, []), assignment_id) for k in keys
               if k.id in owned or not single]
    entries += [_entry(sid, _unknown_folder(sid), None, fs, assignment_id)
                for sid, fs in sorted(unknown.items())]
    return entries


def _unknown_folder(student_id: str) -> str:
    from grader.roster import folder_name

    return folder_name(student_id)


def _scan(root: Path, assignment_id: str, exclude: Sequence[Path]) -> list[_Found]:
    skip = {p.resolve() for p in exclude}
    out: list[_Found] = []
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or path.resolve() in skip or path.is_symlink():
            continue
        if path.is_dir() and not (path / "roster.json").exists():  # key/ is not a submission
            out.append(_from_folder(path))
        elif path.is_file() and path.suffix.lower() == ".zip":
            out.append(_from_archive(path, assignment_id))
    return out


def _from_folder(path: Path) -> _Found:
    sub = read_folder(path)
    claimed, assignment = _ids(_meta(sub))
    return _Found(sub, claimed, assignment, path.name)


def _from_archive(path: Path, assignment_id: str) -> _Found:
    sub = read_archive(path)
    sub = dataclasses.replace(sub, mtime=path.stat().st_mtime)
    manifest = sub.manifest or {}
    claimed = manifest.get("student") if isinstance(manifest.get("student"), str) else None
    assignment = manifest.get("assignment") if isinstance(manifest.get("assignment"), str) \
        else None
    if claimed is None:
        claimed, assignment = _ids(_meta(sub))
    stem = path.stem
    prefix = f"{assignment_id}-"
    name = stem.removeprefix(prefix)
    return _Found(sub, claimed, assignment, name)


def _meta(sub: Submission) -> dict:
    try:
        meta = json.loads(sub.files.get(META, b"").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _ids(meta: dict) -> tuple[str | None, str | None]:
    student = meta.get("student")
    sid = student.get("id") if isinstance(student, dict) else None
    assignment = meta.get("assignment")
    aid = assignment.get("id") if isinstance(assignment, dict) else None
    return (sid if isinstance(sid, str) and sid else None,
            aid if isinstance(aid, str) else None)


def _entry(student_id: str, folder: str, key: StudentKey | None, found: list[_Found],
           assignment_id: str) -> Entry:
    if not found:
        return Entry(student_id, folder, key, None, "missing",
                     ("No submission was found for you.",))
    chosen = max(found, key=_recency)
    messages = []
    if len(found) > 1:
        ignored = ", ".join(sorted(f.submission.source.name for f in found if f is not chosen))
        messages.append(f"{len(found)} submissions found; graded the newest, "
                        f"{chosen.submission.source.name} (ignored: {ignored}).")
    if chosen.assignment is not None and chosen.assignment != assignment_id:
        messages.append(f"This submission was made for assignment {chosen.assignment!r}, "
                        f"not {assignment_id!r}.")
    sub = chosen.submission
    messages += list(sub.problems)
    status: StudentStatus = "graded"
    if key is None:
        status = "unknown_student"
        messages.insert(0, f"Submission {sub.source.name} is from {student_id!r}, who is not "
                           "on the roster; it was not graded.")
    elif any(p.startswith(("tampered", "not a readable zip")) for p in sub.problems):
        status = "tampered" if any(p.startswith("tampered") for p in sub.problems) else "empty"
    elif _is_empty(sub):
        status = "empty"
        messages.append(f"The submission holds neither {ANSWERS} nor {SOLUTION} (or both are "
                        "empty).")
    return Entry(student_id, folder, key, sub, status, tuple(messages))


def _recency(f: _Found) -> tuple[float, bool]:
    """Newest first: the manifest time, else the file time; an archive wins a tie."""
    from grader.grading.late import submission_time

    when, _, _ = submission_time(f.submission, "manifest")
    return (when.timestamp() if when else 0.0, f.submission.manifest is not None)


def _is_empty(sub: Submission) -> bool:
    return not any(sub.files.get(name, b"").strip() for name in (ANSWERS, SOLUTION))
