"""Find the submissions in a folder and match each to a student of the key's roster.

SUBMISSIONS holds student folders (the problem-set folder, filled in), `grader submit` archives
(*.zip), or both. A submission is matched by the student id its archive manifest or its
grader.json names, else by its name (the roster folder, or `<assignment>-<folder>.zip`).
Every roster student gets exactly one entry; so does every submission nobody on the roster owns.
A folder that is itself one submission is graded alone. A folder or archive whose files sit one
folder down (a zipped or unzipped "compress folder") is read from there.

A run that finds no submission at all is refused (a mistyped or empty folder would otherwise
record every student as missing and overwrite the results); `allow_empty` records them anyway.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import UserError, display_path
from grader.grading.keys import StudentKey
from grader.grading.results import StudentStatus
from grader.student.documents import HandedInMeta
from grader.student.notebook import is_notebook, read_notebook, with_notebook
from grader.student.submission import (
    ANSWERS,
    MANIFEST,
    META,
    SOLUTION,
    Submission,
    is_junk,
    parse_json,
    read_archive,
    read_folder,
    shown,
    work_folder,
)

MAX_NAMED = 10  # files named in one warning
MAX_VANISHED = 50  # students named (with their totals) in the warning about vanished work


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
    meta: HandedInMeta | None = None  # its grader.json as read, when it was read already


@dataclass(frozen=True)
class Collected:
    """Every entry of the run, and what the instructor should know about the folder itself."""

    entries: list[Entry]
    warnings: tuple[str, ...] = ()


def collect(submissions: Path, keys: Sequence[StudentKey], assignment_id: str, *,
            exclude: Sequence[Path] = (), allow_empty: bool = False) -> list[Entry]:
    """One Entry per roster student (roster order), then one per unknown submitter (sorted)."""
    return gather(submissions, keys, assignment_id, exclude=exclude,
                  allow_empty=allow_empty).entries


def gather(submissions: Path, keys: Sequence[StudentKey], assignment_id: str, *,
           exclude: Sequence[Path] = (), allow_empty: bool = False) -> Collected:
    """The entries (as `collect`), with warnings about files that are no submission.

    Raises UserError when nothing in `submissions` is a submission, unless `allow_empty`.
    """
    if submissions.is_file() and is_notebook(submissions):  # one notebook handed in alone
        found, loose, single = [_from_notebook(submissions, assignment_id)], list[str](), True
    elif not submissions.is_dir():
        raise UserError(f"{display_path(submissions)}: no such folder of submissions (give the "
                        "folder holding the student folders or `grader submit` archives)")
    else:
        single = any((submissions / name).is_file() for name in (ANSWERS, SOLUTION, META))
        # A folder that is itself one submission (a student's repository in CI, Gradescope's
        # /autograder/submission): grade it alone, without listing everyone else as missing.
        found, loose = ([_from_folder(submissions)], []) if single else \
            _scan(submissions, assignment_id, exclude)
    if not allow_empty and not any(_has_work(f) for f in found):
        raise UserError(nothing_found(submissions, found, loose))
    entries, mismatched = _mismatches_together(_match(found, keys, assignment_id, single))
    return Collected(entries, tuple(_loose_warning(submissions, loose) + mismatched))


def _mismatches_together(entries: list[Entry]) -> tuple[list[Entry], list[str]]:
    """Many problem sets from another generate run (a changed secret: the whole class) make one
    warning naming every student, not one each; each student's own note stays."""
    odd = [e for e in entries if VARIANT_NOTE in e.messages]
    if len(odd) <= MAX_NAMED:
        return entries, []
    mine = {e.student_id: f"{e.student_id}: the problem set handed in" for e in odd}
    entries = [dataclasses.replace(e, warnings=tuple(
        w for w in e.warnings if not w.startswith(mine[e.student_id])))
        if e.student_id in mine else e for e in entries]
    return entries, [f"{len(odd)} students handed in a problem set that is not the one in the "
                     "key (it comes from another `grader generate` run: another secret, or "
                     "exercises changed since), so right answers may be marked wrong: "
                     f"{', '.join(e.student_id for e in odd)}. Check their problem sets (each "
                     f"{META}'s `variant` against the key) before trusting these scores."]


def _has_work(f: _Found) -> bool:
    """Something was handed in: a file we know, or an archive (readable or not)."""
    return bool(f.submission.files) or f.submission.source.suffix.lower() == ".zip"


def nothing_found(submissions: Path, found: Sequence[_Found], loose: Sequence[str]) -> str:
    """Why a folder holds no submission, what was expected, and the ways on."""
    seen = [f"{len(found)} folder(s) without any of those files"] if found else []
    seen += [f"{len(loose)} other file(s): {_listed(loose)}"] if loose else []
    return (f"{display_path(submissions)}: no submission found ({'; '.join(seen) or 'empty'}). "
            f"Expected one folder per student holding {ANSWERS}, {SOLUTION} or {META} (e.g. "
            f"s001/{ANSWERS}), or the `.zip` archives `grader submit` writes. Check the path; "
            "to record every student as missing anyway, run again with --allow-empty.")


def _listed(names: Sequence[str]) -> str:
    more = f", and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
    return ", ".join(shown(n) for n in names[:MAX_NAMED]) + more


def _loose_warning(submissions: Path, loose: Sequence[str]) -> list[str]:
    if not loose:
        return []
    hint = f" A {META} or {MANIFEST} belongs inside a student's folder." \
        if {META, MANIFEST} & set(loose) else ""
    return [f"{display_path(submissions)}: ignored {len(loose)} file(s) that are not "
            f"submissions ({_listed(loose)}); only folders and .zip archives are read.{hint}"]


def _match(found: list[_Found], keys: Sequence[StudentKey], assignment_id: str,
           single: bool) -> list[Entry]:
    """Give each submission to its roster student (or to an unknown submitter's entry)."""
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
    from grader.course.roster import folder_name

    return folder_name(student_id)


def _scan(root: Path, assignment_id: str,
          exclude: Sequence[Path]) -> tuple[list[_Found], list[str]]:
    """Submissions in `root`, and the names of the files there that are none."""
    skip = {p.resolve() for p in exclude}
    # Only entries of these names can be skipped, so only they are resolved (a symlink, whose
    # name could differ from its target's, is skipped anyway).
    names = {p.name for p in skip}
    out: list[_Found] = []
    loose: list[str] = []
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or is_junk(path.name) or path.is_symlink() \
                or (path.name in names and path.resolve() in skip):
            continue
        if path.is_dir() and not (path / "roster.json").exists():  # key/ is not a submission
            out.append(_from_folder(path))
        elif path.is_file() and path.suffix.lower() == ".zip":
            out.append(_from_archive(path, assignment_id))
        elif path.is_file() and is_notebook(path):
            out.append(_from_notebook(path, assignment_id))
        elif path.is_file():
            loose.append(path.name)
    return out, loose


def _from_folder(path: Path) -> _Found:
    # Named by the outer folder (where it was handed in), read from where the files are.
    work = work_folder(path)
    sub = dataclasses.replace(with_notebook(read_folder(work), work), source=path)
    meta = _meta(sub)
    return _Found(sub, meta.student, meta.assignment, path.name, meta=meta)


def _from_notebook(path: Path, assignment_id: str) -> _Found:
    """A Jupyter notebook handed in alone: named by its file name (`<assignment>-<folder>`)."""
    sub = read_notebook(path)
    meta = _meta(sub)
    return _Found(sub, meta.student, meta.assignment,
                  path.stem.removeprefix(f"{assignment_id}-"), meta=meta)


def _from_archive(path: Path, assignment_id: str) -> _Found:
    sub = read_archive(path)
    sub = dataclasses.replace(sub, mtime=path.stat().st_mtime)
    claimed = sub.manifest.student if sub.manifest else None
    assignment = sub.manifest.assignment if sub.manifest else None
    if claimed is None:
        meta = _meta(sub)
        claimed, assignment = meta.student, meta.assignment
    stem = path.stem
    prefix = f"{assignment_id}-"
    name = stem.removeprefix(prefix)
    return _Found(sub, claimed, assignment, name)


def _meta(sub: Submission) -> HandedInMeta:
    try:
        meta = parse_json(sub.files.get(META, b""))
    except (ValueError, RecursionError):
        return HandedInMeta()
    return HandedInMeta.from_dict(meta)


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
    if key is not None:
        mismatch = variant_mismatch(student_id, sub, key, chosen.meta)
        messages += [VARIANT_NOTE] if mismatch else []
        warnings += [mismatch] if mismatch else []
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


VARIANT_NOTE = (f"The problem set you handed in ({META}) is not the one the instructor's key holds "
                "for you (it comes from another generate run), so your answers may have been "
                "compared with different numbers; your instructor has been told to check.")


def variant_mismatch(student_id: str, sub: Submission, key: StudentKey,
                     meta: HandedInMeta | None = None) -> str | None:
    """A warning when the work's grader.json is not the key's variant (another secret, or the
    exercises changed since it was generated); None when it matches or cannot tell. `meta`:
    the work's grader.json if already read."""
    meta = meta if meta is not None else _meta(sub)
    theirs = meta.variant
    if theirs is not None:  # written by generate since issue 16
        if theirs == key.variant:
            return None
        why = (f"its variant fingerprint {shown(theirs)[:19]}... is not the key's "
               f"{key.variant[:19]}...")
    else:  # an older grader.json: compare the exercise ids at least
        ids = meta.exercise_ids
        if ids is None or list(ids) == [e.id for e in key.exercises]:
            return None
        why = (f"it lists exercises {shown(', '.join(map(str, ids)))}, the key "
               f"{', '.join(e.id for e in key.exercises)}")
    return (f"{student_id}: the problem set handed in ({shown(sub.source.name)}/{META}) is not "
            f"the one in the key: {why}. It comes from another `grader generate` run (another "
            "secret, or exercises changed since), so right answers to it may be marked wrong: "
            "check this student's problem set before trusting the score.")


def vanished(entries: Sequence[Entry], previous: Mapping[str, tuple[str, float, float]]) -> \
        str | None:
    """A warning naming the students graded in an earlier run who have no submission now.

    `previous` maps a student id to (status, total, max) of their latest recorded result.
    """
    gone = [(e.student_id, previous[e.student_id]) for e in entries
            if e.status == "missing" and previous.get(e.student_id, ("missing",))[0] != "missing"]
    if not gone:
        return None
    from grader.grading.results import num

    named = "; ".join(f"{sid} (was {num(total)}/{num(top)})" for sid, (_, total, top)
                      in gone[:MAX_VANISHED])
    more = f"; and {len(gone) - MAX_VANISHED} more" if len(gone) > MAX_VANISHED else ""
    return (f"{len(gone)} student(s) graded in an earlier run have no submission now and are "
            f"recorded as missing with 0 points: {named}{more}. If their work was moved or "
            "renamed, put it back in the submissions folder and grade again.")


def _recency(f: _Found) -> tuple[float, bool]:
    """Newest first: the manifest time, else the file time; an archive wins a tie."""
    from grader.grading.late import submission_time

    when, _, _ = submission_time(f.submission, "manifest")
    return (when.timestamp() if when else 0.0, f.submission.manifest is not None)


def _is_empty(sub: Submission) -> bool:
    return not any(sub.files.get(name, b"").strip() for name in (ANSWERS, SOLUTION))
