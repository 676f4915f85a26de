"""`grader generate`: a personal problem set per student, and the instructor's key.

Every file is a pure function of (assignment, roster, secret, library): rerunning rewrites
byte-identical files, and each write is atomic, so an interrupted run leaves no half file.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.course.assignment import Assignment, check_entries, load_assignment, resolve_exercises
from grader.course.documents import KeyCase, KeyDocument, KeyExercise
from grader.core.errors import UserError, display_path
from grader.course.roster import Student, load_roster
from grader.core.values import to_json


@dataclass(frozen=True)
class PlannedExercise:
    """One exercise of one student's set: the spec, its variant and its cases."""

    number: int
    exercise: Any
    points: float
    seed: int
    variant: Any
    cases: tuple[Any, ...]  # BuiltCase per function part, flattened with part ids

    def part_points(self, part: Any) -> float:
        """A part's points scaled so the exercise totals `points`."""
        return part.points * self.points / self.exercise.points

    def case_rows(self, part_id: str) -> list[Any]:
        """The key page's rows for a function part: every case with its kind, why, inputs."""
        from grader.course.keyview import case_rows

        return case_rows(self.cases, part_id)


@dataclass(frozen=True)
class StudentSet:
    student: Student
    exercises: tuple[PlannedExercise, ...]

    @property
    def points(self) -> float:
        return sum(e.points for e in self.exercises)


@dataclass(frozen=True)
class GenerateResult:
    out: Path
    students: int
    written: int
    unchanged: int
    changed: tuple[str, ...] = ()  # students whose variants differ from the previous key
    notes: tuple[str, ...] = ()  # warnings for the instructor (changed variants, past due)
    folders: int | None = None  # problem-set folders made (None: every student's)


def load_library_for(assignment: Assignment, *,
                     only: Collection[str] | None = None) -> list[Any]:
    """The packaged library plus the assignment's own spec folders (`only` these ids)."""
    from grader.authoring.spec import library_dirs, load_library

    for folder in assignment.library:
        if not folder.is_dir():
            raise UserError(f"{assignment.path}: library folder {folder} does not exist")
    return load_library(library_dirs(assignment.library), only=only)


def plan_student(assignment: Assignment, student: Student, secret: bytes,
                 library: Sequence[Any]) -> StudentSet:
    """Draw every variant of one student's set (pure: same inputs, same set)."""
    from grader.authoring import variant as V
    from grader.authoring.cases import build_cases
    from grader.core.seeding import make_rng, variant_seed

    planned = []
    for number, (ex, points) in enumerate(
            resolve_exercises(assignment, student.id, secret, library), 1):
        seed = variant_seed(secret, assignment.id, student.id, ex.id)
        var = V.make_variant(ex, make_rng(seed))
        case_rng = make_rng(variant_seed(secret, assignment.id, student.id, ex.id + "#cases"))
        cases = tuple((p.id, c) for p in ex.parts if p.function
                      for c in build_cases(p.function, case_rng))
        planned.append(PlannedExercise(number, ex, points, seed, var, cases))
    return StudentSet(student, tuple(planned))


def key_document(assignment: Assignment, sset: StudentSet, secret: bytes) -> KeyDocument:
    """The instructor-only key: parameters, reference answers and cases per exercise.

    `secret_id` tells a later run whether it uses the same secret (without storing it);
    `variant` is the fingerprint also written into the student's grader.json.
    """
    from grader.core.seeding import secret_id

    return KeyDocument(
        assignment=assignment.id, student=sset.student, points=sset.points,
        exercises=tuple(KeyExercise(
            id=pe.exercise.id, number=pe.number, points=pe.points,
            spec_hash=pe.exercise.source_hash, params=dict(pe.variant.params),
            answers=dict(pe.variant.answers),
            part_points={p.id: pe.part_points(p) for p in pe.exercise.parts},
            cases=tuple(KeyCase(pid, c.id, c.args, c.kwargs, c.visibility, c.why)
                        for pid, c in pe.cases),
        ) for pe in sset.exercises),
        secret_id=secret_id(secret), variant=fingerprint(sset))


def fingerprint(sset: StudentSet) -> str:
    """The student's variant as one hash (see grader.core.seeding.variant_fingerprint)."""
    from grader.core.seeding import variant_fingerprint

    return variant_fingerprint([(pe.exercise.id, dict(pe.variant.params))
                                for pe in sset.exercises])


def read_secret(assignment: Assignment, out: Path) -> tuple[bytes, str | None]:
    """The course secret, refused when it is too weak to keep variants private.

    Returns (secret, why it is weak or None). A weak secret gets past here only when `out`
    already holds a key, which it may have made: generate then checks that nothing changes.
    """
    from grader.core.seeding import weak_secret_problem

    secret = assignment.secret()
    problem = weak_secret_problem(secret)
    if problem is None:
        return secret, None
    where = assignment.secret_source.replace("env:", "environment variable ", 1) \
        .replace("file:", "file ", 1)
    message = f"{display_path(assignment.path)}: {problem} in the {where}."
    if not (out / "key" / "roster.json").is_file():
        raise UserError(message)
    return secret, message


def _same_key(out: Path, key: KeyDocument) -> bool:
    old = _read_key(out, key)
    return old is not None and _variants(old) == _variants(key) and \
        old.secret_id in (None, key.secret_id)


def generate(assignment_path: Path, roster_path: Path, out: Path, *, force: bool = False,
             progress: Callable[[int, int, str], Any] | None = None,
             form: str = "folder", only: Collection[str] | None = None) -> GenerateResult:
    """Write every student's folder and the key; returns counts of files written.

    `only` names the students (ids or folder names) whose folders are written; the key is
    always the whole roster's, byte for byte what a full run writes. `only=()` writes the key
    alone (`--key-only`): what grading reads, for solution.py files the instructor already
    has. Folders of other students already in `out` are left as they are.

    Problem sets already generated into `out` keep their variants: a run that would change any
    (another secret, an exercise added, a spec whose parameters changed) is refused unless
    `force`, since students may already be working on the old ones. Students are streamed:
    each set is planned, rendered, staged and dropped, so memory stays flat whatever the class
    size; nothing in `out` changes unless the whole run succeeds (grader.course.staged).
    """
    from grader.course.staged import StagedWrites

    assignment = load_assignment(assignment_path)
    students = load_roster(roster_path)
    wanted = None if only is None else wanted_folders(students, only, roster_path)
    secret, weak = read_secret(assignment, out)
    library = load_library_for(assignment)
    check_entries(assignment, library)
    staged = StagedWrites(out)
    try:
        run = _stream(assignment, students, secret, library, staged, weak=weak, form=form,
                      progress=progress, wanted=wanted)
        kept = _weak_kept(out, run.same_key, run.changes, weak) if weak else None
        if run.changes and not force:
            raise UserError(refusal(out, assignment, run.changes))
        if run.stale:
            raise UserError(stale_refusal(out, run.stale))
        staged.add(_key_files(assignment, run.rows, students))
    except BaseException:
        staged.discard()
        raise
    unchanged = staged.unchanged
    written = staged.commit()
    notes = [x for x in (kept, _changed_note(run.changes), past_due_note(assignment),
                         _mixed_note(out, run.mixed)) if x]
    return GenerateResult(out, len(students), written, unchanged,
                          tuple(c.student for c in run.changes), tuple(notes),
                          folders=None if wanted is None else len(wanted))


def wanted_folders(students: Sequence[Student], only: Collection[str],
                   roster_path: Path) -> frozenset[str]:
    """The folders of the students named in `only` (by id or folder name); unknown: refused."""
    by_name = {s.id: s.folder for s in students} | {s.folder: s.folder for s in students}
    unknown = [name for name in only if name not in by_name]
    if unknown:
        raise UserError(f"{display_path(roster_path)}: no student {_names(unknown)} on the "
                        "roster (--only takes a student id or folder name from it)")
    return frozenset(by_name[name] for name in only)


def stale_refusal(out: Path, stale: Sequence[str]) -> str:
    """--force would change the key of students whose folders in OUT this run does not write."""
    return (f"{display_path(out)}: --force would change the variants of {len(stale)} student(s) "
            f"whose problem-set folders are in {display_path(out)} ({_names(stale)}), and this "
            "run does not rewrite those folders (--key-only or --only), so they would no "
            "longer match the key. Run without --key-only (or add them to --only) to rewrite "
            "them too.")


@dataclass
class _Streamed:
    """What a streamed run keeps of each student: a line of the key's index, and checks."""

    rows: list[KeyRow]
    changes: list[VariantChange]
    mixed: list[str]  # folders holding an earlier answers.yaml beside a new notebook
    same_key: bool = False  # some student's key in OUT has exactly this run's variants
    stale: list[str] = field(default_factory=list)  # changed students, folder kept as it was


@dataclass(frozen=True)
class KeyRow:
    """One student's line of key/index.html."""

    student: Student
    exercises: tuple[str, ...]
    points: float


def _stream(assignment: Assignment, students: Sequence[Student], secret: bytes,
            library: Sequence[Any], staged: Any, *, weak: str | None, form: str,
            progress: Callable[[int, int, str], Any] | None,
            wanted: frozenset[str] | None = None) -> _Streamed:
    """Plan, check and stage each student's files in turn, keeping only small facts.

    Only the folders of `wanted` students are written (None: everyone's); the key always."""
    run = _Streamed([], [], [])
    out = staged.out
    for done, student in enumerate(students, 1):
        sset = plan_student(assignment, student, secret, library)
        key = key_document(assignment, sset, secret)
        folder = wanted is None or student.folder in wanted
        change = variant_change(out, key)
        if change:
            run.changes.append(change)
            if not folder and (out / student.folder).is_dir():
                run.stale.append(student.id)
        if weak and not run.same_key:
            run.same_key = _same_key(out, key)
        if folder and form == "notebook" and (out / student.folder / "answers.yaml").exists():
            run.mixed.append(student.folder)
        staged.add(_student_files(assignment, sset, key, form) if folder
                   else _key_pages(assignment, sset, key))
        run.rows.append(KeyRow(student, tuple(pe.exercise.id for pe in sset.exercises),
                               sset.points))
        if progress:
            progress(done, len(students), f"generated {student.folder}")
    return run


def _weak_kept(out: Path, same_key: bool, changes: Sequence[Any], weak: str) -> str:
    """The note for a weak secret that made the key already in `out`; refused otherwise.

    A course already handed out with a weak secret may still be regenerated (a new due date, a
    student who joined late): the same secret leaks nothing new. Changing problem sets already
    handed out needs a strong secret, --force or not.
    """
    if changes or not same_key:
        raise UserError(weak)
    return (f"warning: {weak} It was kept because {display_path(out / 'key')} was generated "
            "with it and no problem set changes; use a strong secret for the next assignment.")


def _mixed_note(out: Path, mixed: Sequence[str]) -> str | None:
    """Notebooks written beside an earlier answers.yaml: grading reads answers.yaml first."""
    if not mixed:
        return None
    return (f"warning: {len(mixed)} folder(s) in {display_path(out)} still hold answers.yaml from "
            f"an earlier run ({_names(mixed)}); work in those folders is graded from "
            "answers.yaml and solution.py, not from problems.ipynb. Generate notebooks into a "
            "new folder, or remove those files before handing the folders out.")


def _student_files(assignment: Assignment, sset: StudentSet, key: KeyDocument,
                   form: str = "folder") -> dict[Path, bytes]:
    """One student's folder, key file and key page, as bytes by path relative to the output."""
    from grader.course.studentfiles import student_files

    files = student_files(assignment, sset, variant=key.variant, form=form)
    return files | _key_pages(assignment, sset, key)


def _key_pages(assignment: Assignment, sset: StudentSet,
               key: KeyDocument) -> dict[Path, bytes]:
    """One student's key file (what grading reads) and key page (for the instructor)."""
    from grader.core.render import render

    folder = sset.student.folder
    return {
        Path("key") / f"{folder}.json": (to_json(key.to_dict(), indent=1) + "\n").encode(),
        Path("key") / f"{folder}.html": render(
            "key_student.html", assignment=assignment, s=sset,
            title=f"{assignment.title}: key for {sset.student.id}").encode(),
    }


def _key_files(assignment: Assignment, rows: Sequence[KeyRow],
               students: Sequence[Student]) -> dict[Path, bytes]:
    """key/index.html (one line per student, linking to their key page) and roster.json."""
    from grader.core.render import render

    index = render("key_index.html", assignment=assignment, rows=rows,
                   title=f"{assignment.title}: instructor key").encode()
    return {Path("key/index.html"): index, Path("key/roster.json"): _roster_json(students)}


@dataclass(frozen=True)
class VariantChange:
    """How one student's variants would differ from those of the key already in OUT."""

    student: str
    secret_changed: bool | None  # None: the earlier key predates secret ids
    added: tuple[str, ...] = ()  # exercise ids
    removed: tuple[str, ...] = ()
    redrawn: tuple[str, ...] = ()  # same exercise, other parameters


def variant_change(out: Path, key: KeyDocument) -> VariantChange | None:
    """None when the student has no readable earlier key, or the same variants as before."""
    old = _read_key(out, key)
    before, now = _variants(old), _variants(key)
    if old is None or before is None or now is None or before == now:
        return None  # new student; a damaged key is rewritten (grading refuses it anyway)
    ids_before, ids_now = [i for i, _ in before], [i for i, _ in now]
    params_before = dict(before)
    return VariantChange(
        student=key.student.id,
        secret_changed=old.secret_id != key.secret_id if old.secret_id is not None else None,
        added=tuple(i for i in ids_now if i not in ids_before),
        removed=tuple(i for i in ids_before if i not in ids_now),
        redrawn=tuple(i for i, p in now if i in params_before and params_before[i] != p))


def refusal(out: Path, assignment: Assignment, changes: Sequence[VariantChange]) -> str:
    """Why generate refuses to rewrite problem sets already handed out, and the ways out."""
    where = display_path(out / "key")
    lines = [f"{where}: this run would change the problem sets of {len(changes)} student(s) "
             f"already generated ({_names([c.student for c in changes])}):"]
    if any(c.secret_changed for c in changes):
        source = assignment.secret_source.split(":", 1)
        lines.append(f"- the secret ({source[0]} {source[1]}) differs from the one {where} was "
                     "generated with; set it back to that secret and run again")
    for what, ids in (("would be new in their sets", _union(c.added for c in changes)),
                      ("would be dropped from them", _union(c.removed for c in changes))):
        if ids:
            lines.append(f"- exercise(s) {', '.join(ids)} {what} (the assignment's exercise "
                         "list or the secret changed)")
    redrawn = _union(c.redrawn for c in changes if not c.secret_changed)
    if redrawn:
        unknown = any(c.secret_changed is None for c in changes)
        lines.append(f"- the parameters or cases of {', '.join(redrawn)} differ (their spec, the "
                     f"assignment{', the secret' if unknown else ''} or the grader's version "
                     "changed); restore what changed to get the same problems")
    lines.append("Students working on the old problem sets would be graded against new keys. "
                 "To hand out new problem sets on purpose, run again with --force and give "
                 "those students their new folders.")
    return "\n".join(lines)


def _union(groups: Any) -> list[str]:
    return list(dict.fromkeys(i for g in groups for i in g))


def _names(ids: Sequence[str]) -> str:
    return ", ".join(ids[:5]) + (f", and {len(ids) - 5} more" if len(ids) > 5 else "")


def _read_key(out: Path, key: KeyDocument) -> KeyDocument | None:
    """The student's key already in `out`; None when there is none or it is damaged."""
    from grader.core.values import from_json

    path = out / "key" / f"{key.student.folder}.json"
    try:
        return KeyDocument.from_dict(from_json(path.read_text(encoding="utf-8")),
                                     source=str(path))
    except (OSError, ValueError, UserError):
        return None


def _variants(key: KeyDocument | None) -> list[tuple[str, str]] | None:
    """What decides a student's problems: each exercise id with its parameters and its test
    cases (as JSON text, so arrays and values read back from a key compare alike). The cases
    count: a function exercise has no parameters, yet its random cases come from the secret."""
    if key is None:
        return None
    try:
        return [(e.id, to_json([e.params, [c.to_dict() for c in e.cases]]))
                for e in key.exercises]
    except (TypeError, ValueError):
        return None


def _changed_note(changes: Sequence[VariantChange]) -> str | None:
    if not changes:
        return None
    return (f"warning: --force: the variants of {len(changes)} student(s) changed since the "
            f"last generate ({_names([c.student for c in changes])}). Problem sets already "
            "handed out no longer match the key; hand out the new ones.")


def past_due_note(assignment: Assignment) -> str | None:
    """A note when the assignment's due date has already passed (a wrong year, say)."""
    import datetime as dt

    a = assignment
    if a.due is None or a.due > dt.datetime.now(dt.timezone.utc):
        return None
    late = "" if a.late.policy == "none" else "; every submission will count as late"
    reveal = ("; reports will show the expected answers (reveal: after_due)"
              if a.reveal == "after_due" else "")
    return (f"note: {display_path(a.path)}: due {a.due.isoformat()} has already passed{late}"
            f"{reveal}. Fix `due` if that is not meant.")


def _roster_json(students: Sequence[Student]) -> bytes:
    return (to_json([s.to_dict() for s in students], indent=1) + "\n").encode()
