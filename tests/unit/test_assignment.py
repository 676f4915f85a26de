"""The assignment file: loading, every validation message, the secret, and per-student picks."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from grader.course.assignment import (
    Late,
    SandboxOptions,
    check_entries,
    load_assignment,
    resolve_exercises,
)
from grader.core.errors import SpecError, UserError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def library() -> list:
    from grader.authoring.spec import library_dir, load_library

    return load_library([library_dir()])


def write(tmp_path: Path, text: str, name: str = "week.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def documented_example() -> str:
    """The YAML example of docs/assignment.md, as a user would copy it."""
    doc = (ROOT / "docs" / "assignment.md").read_text(encoding="utf-8")
    return re.search(r"```yaml\n(.*?)```", doc, re.DOTALL).group(1)


# ---------------------------------------------------------------- loading


def test_the_documented_example_loads_with_every_key(tmp_path: Path) -> None:
    a = load_assignment(write(tmp_path, documented_example()))
    assert (a.id, a.title) == ("week3", "Week 3: information theory and eigenvectors")
    assert a.secret_source == "env:GRADER_SECRET"
    assert [(e.exercise_id, e.pick, e.topic, e.tags, e.points) for e in a.entries] == [
        ("info-kl-divergence", 1, None, (), None), ("la-eigen-symmetric", 1, None, (), 10),
        (None, 1, "probability", ("bayes",), 5), ("impl-softmax", 1, None, (), None)]
    assert a.reveal == "after_due"
    assert a.due == dt.datetime(2026, 12, 1, 22, 59, tzinfo=dt.timezone.utc)
    assert a.late == Late("per_day", 10.0, 5, 15.0, "manifest")
    assert a.sandbox == SandboxOptions(10.0, 512)
    assert a.library == (tmp_path / "my-specs",)
    assert len(a.source_hash) == 64


def test_defaults_and_a_due_date_without_offset_is_utc(tmp_path: Path) -> None:
    a = load_assignment(write(tmp_path, "id: w\ntitle: T\nexercises: [info-entropy]\n"
                                        "due: '2026-03-01T12:00:00'\n"))
    assert a.secret_source == "env:GRADER_SECRET"
    assert (a.reveal, a.late, a.sandbox, a.library) == ("after_due", Late(), SandboxOptions(), ())
    assert a.due == dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)


def test_the_demo_assignment_loads() -> None:
    a = load_assignment(ROOT / "grader" / "demo" / "assignment.yaml")
    assert a.id == "demo-week-1"
    assert a.secret_source == f"file:{ROOT / 'grader' / 'demo' / 'secret.txt'}"


BAD = [
    ("- a\n", ("week.yaml:1:1: expected a mapping with id, title and exercises\n    - a\n    ^\n"
              "1 error in week.yaml")),
    ("title: T\n", ("week.yaml:1:1: missing required key 'id'\n    title: T\n    ^\n"
                   "week.yaml:1:1: missing required key 'exercises'\n    title: T\n    ^\n"
                   "2 errors in week.yaml")),
    ("id: 'week 3'\ntitle: T\nexercises: [a]\n",
     ("week.yaml:1:5: id: expected an id of letters, digits, '.', '_' or '-', got 'week 3'\n"
     "    id: 'week 3'\n        ^\n1 error in week.yaml")),
    ("id:\ntitle: T\nexercises: [a]\n",  # an empty id used to pass unreported
     ("week.yaml:1:4: id: expected an id of letters, digits, '.', '_' or '-', got None\n"
     "    id:\n       ^\n1 error in week.yaml")),
    ("id: w\ntitle: T\nexercises: [a]\nreveel: always\n",
     ("week.yaml:4:1: reveel: unknown key 'reveel'; did you mean 'reveal'?\n"
     "    reveel: always\n    ^\n1 error in week.yaml")),
    ("id: w\ntitle: T\nexercises: [a]\nsecret: hunter2\n",
     ("week.yaml:4:9: secret: expected {env: VARIABLE} or {file: path/to/secret}; never the "
     "secret itself (the assignment file may be shared)\n    secret: hunter2\n            ^\n"
     "1 error in week.yaml")),
    ("id: w\ntitle: T\nexercises:\n  - {id: a, pick: 2}\n",
     ("week.yaml:4:5: exercises[0]: give either 'id' or 'pick', not both\n"
     "      - {id: a, pick: 2}\n        ^\n1 error in week.yaml")),
    ("id: w\ntitle: T\nexercises:\n  - {pick: 0, topic: probability}\n",
     ("week.yaml:4:12: exercises[0].pick: expected 'id: EXERCISE' or 'pick: N' (N >= 1), got 0\n"
     "      - {pick: 0, topic: probability}\n               ^\n1 error in week.yaml")),
    ("id: w\ntitle: T\nexercises:\n  - pick: 1\n",
     ("week.yaml:4:5: exercises[0]: a pick needs a 'topic' or 'tags' to pick from\n"
     "      - pick: 1\n        ^\n1 error in week.yaml")),
    ("id: w\ntitle: T\nexercises:\n  - {id: a, points: -1}\n",
     ("week.yaml:4:21: exercises[0].points: expected a number > 0 and <= 1000000, got -1\n"
     "      - {id: a, points: -1}\n                        ^\n1 error in week.yaml")),
    ("id: w\ntitle: T\nexercises: []\n",
     ("week.yaml:3:12: exercises: expected a non-empty list of exercises\n"
     "    exercises: []\n               ^\n1 error in week.yaml")),
    ("id: w\ntitle: T\nexercises: [a]\ndue: next friday\n",
     ("week.yaml:4:6: due: expected an ISO 8601 date and time such as "
     "2026-12-01T23:59:00+01:00, got 'next friday'\n    due: next friday\n         ^\n"
     "1 error in week.yaml")),
    ("id: w\ntitle: T\nexercises: [a]\nlate: {policy: harsh, penalty_per_day: -5}\n",
     ("week.yaml:4:16: late.policy: expected none, per_day or cutoff, got 'harsh'\n"
     "    late: {policy: harsh, penalty_per_day: -5}\n                   ^\n"
     "week.yaml:4:40: late.penalty_per_day: expected a number from 0 to 100 (percent), got -5\n"
     "    late: {policy: harsh, penalty_per_day: -5}\n"
     "                                           ^\n"
     "2 errors in week.yaml")),
    ("id: w\ntitle: T\nexercises: [a]\nsandbox: {time_limit: 0, memory_mb: 1}\n",
     ("week.yaml:4:23: sandbox.time_limit: expected seconds in (0, 600], got 0\n"
     "    sandbox: {time_limit: 0, memory_mb: 1}\n                          ^\n"
     "week.yaml:4:37: sandbox.memory_mb: expected MB in [64, 16384], got 1\n"
     "    sandbox: {time_limit: 0, memory_mb: 1}\n                                        ^\n"
     "2 errors in week.yaml")),
]


@pytest.mark.parametrize("text,message", BAD, ids=[m.split(": ", 2)[1][:40] for _, m in BAD])
def test_a_bad_assignment_lists_every_problem_compiler_style(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)  # messages name the file as the user typed it
    write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_assignment(Path("week.yaml"))
    assert str(info.value) == message


def test_a_missing_or_folder_assignment_is_a_user_error(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError) as info:
        load_assignment(Path("nope.yaml"))
    assert str(info.value) == "nope.yaml: no such assignment file"
    (tmp_path / "dir").mkdir()
    with pytest.raises(UserError) as info:
        load_assignment(Path("dir"))
    assert str(info.value) == "dir: is a folder; give the assignment's .yaml file"


# ---------------------------------------------------------------- the secret


def test_the_secret_comes_from_the_environment(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    a = load_assignment(write(tmp_path, "id: w\ntitle: T\nexercises: [x]\n"
                                        "secret: {env: COURSE_KEY}\n"))
    monkeypatch.setenv("COURSE_KEY", "s3cret-value")
    assert a.secret() == b"s3cret-value"
    assert "s3cret-value" not in repr(a)  # read when needed, never kept on the assignment


def test_a_missing_secret_says_how_to_make_one(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COURSE_KEY", raising=False)
    a = load_assignment(write(tmp_path, "id: w\ntitle: T\nexercises: [x]\n"
                                        "secret: {env: COURSE_KEY}\n"))
    with pytest.raises(UserError) as info:
        a.secret()
    assert str(info.value) == (
        "week.yaml: the secret is read from the environment variable COURSE_KEY, which is not "
        "set. Set it (e.g. export COURSE_KEY=$(python3 -c 'import secrets; "
        "print(secrets.token_hex(32))')) and keep it: it decides every variant.")


def test_a_secret_file_is_read_relative_to_the_assignment(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "course").mkdir()
    path = write(tmp_path / "course", "id: w\ntitle: T\nexercises: [x]\n"
                                      "secret: {file: secret.txt}\n")
    monkeypatch.chdir(tmp_path)
    a = load_assignment(Path("course/week.yaml"))
    with pytest.raises(UserError, match=r"course/week.yaml: cannot read the secret file .*"
                                        r"course/secret.txt: No such file or directory"):
        a.secret()
    (tmp_path / "course" / "secret.txt").write_text("  \n")
    with pytest.raises(UserError, match=r"course/week.yaml: the secret file .*secret.txt is empty"):
        a.secret()
    (tmp_path / "course" / "secret.txt").write_text("abc123\n")
    assert a.secret() == b"abc123"
    assert path.exists()


# ---------------------------------------------------------------- checking against the library


def test_unknown_repeated_and_overfull_entries_are_reported_together(tmp_path: Path,
                                                                     library: list) -> None:
    # One information-theory exercise is fixed and 5 are picked first: the second pick asks
    # for one more than is left (counted from the library, which grows).
    left = sum(e.topic == "information-theory" for e in library) - 1 - 5
    a = load_assignment(write(tmp_path, (
        "id: w\ntitle: T\nexercises:\n"
        "  - info-kl-divergance\n"
        "  - info-entropy\n"
        "  - info-entropy\n"
        "  - {pick: 5, topic: information-theory}\n"
        f"  - {{pick: {left + 1}, topic: information-theory}}\n"
        "  - {pick: 1, tags: [no-such-tag]}\n")))
    with pytest.raises(UserError) as info:
        check_entries(a, library)
    where = str(a.path)
    assert str(info.value).splitlines() == [
        (f"{where}: exercises[0]: unknown exercise 'info-kl-divergance'; did you mean "
        "'info-kl-divergence'?"),
        (f"{where}: exercises[2]: 'info-entropy' is already listed as exercises[1]; list each "
        "exercise once"),
        (f"{where}: exercises[4]: pick {left + 1} but only {left} exercises match "
         "topic=information-theory tags=[] after earlier picks from the same exercises"),
        (f"{where}: exercises[5]: pick 1 but only 0 exercises match topic=None "
        "tags=['no-such-tag']"),
    ]


def test_two_picks_that_fit_together_pass_and_never_overlap(tmp_path: Path,
                                                            library: list) -> None:
    n = sum(e.topic == "information-theory" for e in library)  # two picks take all of them
    a = load_assignment(write(tmp_path, "id: w\ntitle: T\nexercises:\n"
                                        f"  - {{pick: {n // 2}, topic: information-theory}}\n"
                                        f"  - {{pick: {n - n // 2}, topic: information-theory}}\n"))
    check_entries(a, library)
    for sid in ("s1", "s2", "s3", "李雷"):
        ids = [ex.id for ex, _ in resolve_exercises(a, sid, b"k", library)]
        assert sorted(ids) == sorted(e.id for e in library if e.topic == "information-theory")


# ---------------------------------------------------------------- picks


PICKS = ("id: week3\ntitle: T\nexercises:\n"
         "  - info-entropy\n"
         "  - {pick: 2, topic: information-theory, tags: [entropy], points: 5}\n"
         "  - {pick: 1, tags: [covariance]}\n")


def picks(a, sid: str, library: list, secret: bytes = b"course-secret") -> list[str]:
    return [ex.id for ex, _ in resolve_exercises(a, sid, secret, library)]


def test_picks_come_from_the_right_pool_and_are_distinct(tmp_path: Path, library: list) -> None:
    a = load_assignment(write(tmp_path, PICKS))
    check_entries(a, library)
    entropy_pool = {e.id for e in library
                    if e.topic == "information-theory" and "entropy" in e.tags} - {"info-entropy"}
    covariance_pool = {e.id for e in library if "covariance" in e.tags}
    assert entropy_pool == {"info-binary-entropy", "info-cross-entropy",
                            "info-joint-conditional-entropy", "info-mutual-information"}
    # A pick by tags alone crosses topics.
    assert covariance_pool == {"prob-covariance", "prob-zero-covariance", "impl-covariance-matrix",
                               "la-pca"}
    for n in range(60):
        ids = picks(a, f"s{n:03d}", library)
        assert len(ids) == 4 and len(set(ids)) == 4
        assert ids[0] == "info-entropy"  # fixed exercises first, then picks in file order
        assert set(ids[1:3]) <= entropy_pool
        assert ids[3] in covariance_pool


def test_picks_are_deterministic_per_student_and_differ_between_students(
        tmp_path: Path, library: list) -> None:
    a = load_assignment(write(tmp_path, PICKS))
    students = [f"s{n:03d}" for n in range(60)]
    first = {s: picks(a, s, library) for s in students}
    assert first == {s: picks(a, s, library) for s in reversed(students)}  # order-independent
    combos = Counter(tuple(sorted(ids[1:3])) for ids in first.values())
    # 6 possible pairs from a pool of 4; 60 students must not all get the same one.
    assert len(combos) >= 4, combos
    assert max(combos.values()) < 30, combos
    # Every pool member turns up for someone.
    assert {i for ids in first.values() for i in ids[1:3]} == {
        "info-binary-entropy", "info-cross-entropy", "info-joint-conditional-entropy",
        "info-mutual-information"}


def test_picks_depend_on_the_secret_and_the_assignment_id(tmp_path: Path,
                                                          library: list) -> None:
    a = load_assignment(write(tmp_path, PICKS))
    b = load_assignment(write(tmp_path, PICKS.replace("week3", "week4"), "b.yaml"))
    students = [f"s{n:03d}" for n in range(40)]
    base = [picks(a, s, library) for s in students]
    assert base != [picks(a, s, library, secret=b"another-secret") for s in students]
    assert base != [picks(b, s, library) for s in students]


def test_points_of_an_entry_override_the_spec_points(tmp_path: Path, library: list) -> None:
    a = load_assignment(write(tmp_path, PICKS))
    spec_points = {e.id: e.points for e in library}
    got = resolve_exercises(a, "s001", b"course-secret", library)
    assert got[0][1] == spec_points["info-entropy"] == 2  # no points given: the spec's own
    assert [p for _, p in got[1:3]] == [5, 5]
    assert got[3][1] == spec_points[got[3][0].id]
