"""Find the submissions in a folder and match each to a student of the key's roster.

SUBMISSIONS holds student folders (the problem-set folder, filled in), `grader submit` archives
(*.zip), or both. A submission is matched by the student id its archive manifest or its
grader.json names, else by its name (the roster folder, or `<assignment>-<folder>.zip`).
Every roster student gets exactly one entry; so does every submission nobody on the roster owns.
A folder that is itself a submission is graded alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UserError, display_path
from grader.grading.keys import StudentKey
from grader.results import StudentStatus
from grader.submission import (
    ANSWERS,
    META,
    SOLUTION,
    Submission,
    parse_json,
    read_archive,
    read_folder,
    shown,
)


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
    warnings: tuple[str, ...] = ()  # for the instructor: whose work went where, and why


@dataclass(frozen=True)
class _Found:
    submission: Submission
    claimed: str | None  # the student id the submission names, if any
    assignment: str | None
    name: str  # folder name, or archive name without the assignment prefix and .zip
    notes: tuple[str, ...] = ()  # how it was matched, when that needs saying


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
        key, note = _owner(f, by_id, by_folder)
        f = dataclasses.replace(f, notes=(note,)) if note else f
        if key is not None:
            owned.setdefault(key.id, []).append(f)
        else:
            unknown.setdefault(f.claimed or f.name, []).append(f)
    entries = [_entry(k.id, k.folder, k, owned.get(k.id, []), assignment_id) for k in keys
               if k.id in owned or not single]
    taken = set(by_id) | set(unknown)
    for sid, fs in sorted(unknown.items()):
        safe_id = _shown_id(sid, taken)
        entries.append(_entry(safe_id, _unknown_folder(safe_id), None, fs, assignment_id))
    return entries


def _owner(f: _Found, by_id: dict[str, StudentKey],
           by_folder: dict[str, StudentKey]) -> tuple[StudentKey | None, str]:
    """Whose work this is: the id it names, unless the place it was handed in says otherwise.

    The id inside the work is the student's own writing. When the work sits in the folder (or
    the `<assignment>-<folder>.zip`) of one roster student but names another, it stays with the
    first: otherwise anyone could hand in work under a classmate's id and replace theirs.
    """
    named = by_folder.get(f.name) or by_id.get(f.name)
    if f.claimed is None:
        return named, ""
    claimed = by_id.get(f.claimed)
    if named is not None and claimed is not None and named.id != claimed.id:
        return named, (f"{shown(f.submission.source.name)} names student '{shown(f.claimed)}' "
                       f"but was handed in for '{named.id}', so it was graded for '{named.id}' "
                       "(where work is handed in decides whose it is).")
    return claimed, ""


def _shown_id(student_id: str, taken: set[str]) -> str:
    """An unknown submitter's id as it appears in results and every export.

    Printable ids of a sane length are kept; others are escaped and cut, with a hash so that
    they stay distinct from each other and from every roster id.
    """
    safe = shown(student_id)
    if safe == student_id:
        return safe
    digest = hashlib.sha256(student_id.encode("utf-8", "surrogatepass")).hexdigest()
    out = f"{safe}~{digest[:8]}"
    while out in taken:
        out += digest[len(out) % 64]
    return out


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
        meta = parse_json(sub.files.get(META, b""))
    except (ValueError, RecursionError):
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
    messages = list(chosen.notes)
    warnings = [f"{student_id}: {n}" for f in found for n in f.notes]
    if len(found) > 1:
        ignored = ", ".join(sorted(shown(f.submission.source.name) for f in found
                                   if f is not chosen))
        messages.append(f"{len(found)} submissions found; graded the newest, "
                        f"{shown(chosen.submission.source.name)} (ignored: {ignored}).")
        warnings.append(f"{student_id}: {messages[-1]}")
    if chosen.assignment is not None and chosen.assignment != assignment_id:
        messages.append(f"This submission was made for assignment {shown(chosen.assignment)!r}, "
                        f"not {assignment_id!r}.")
    sub = chosen.submission
    messages += list(sub.problems)
    status: StudentStatus = "graded"
    if key is None:
        status = "unknown_student"
        why = "" if chosen.claimed is not None else (
            f" It names no student (its {META} is missing or unreadable), so its name was "
            "taken as the id; hand in the whole problem-set folder, grader.json included.")
        messages.insert(0, f"Submission {shown(sub.source.name)} is from '{student_id}', who is "
                           f"not on the roster; it was not graded.{why}")  # id shown() already
    elif any(p.startswith(("tampered", "not a readable zip")) for p in sub.problems):
        status = "tampered" if any(p.startswith("tampered") for p in sub.problems) else "empty"
    elif _is_empty(sub):
        status = "empty"
        messages.append(f"The submission holds neither {ANSWERS} nor {SOLUTION} (or both are "
                        "empty).")
    return Entry(student_id, folder, key, sub, status, tuple(messages),
                 warnings=tuple(warnings))


def _recency(f: _Found) -> tuple[float, bool]:
    """Newest first: the manifest time, else the file time; an archive wins a tie."""
    from grader.grading.late import submission_time

    when, _, _ = submission_time(f.submission, "manifest")
    return (when.timestamp() if when else 0.0, f.submission.manifest is not None)


def _is_empty(sub: Submission) -> bool:
    return not any(sub.files.get(name, b"").strip() for name in (ANSWERS, SOLUTION))
