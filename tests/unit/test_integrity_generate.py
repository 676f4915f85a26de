"""Issue 16 at generate: a weak secret is refused, and problem sets already generated keep their
variants unless --force (another secret, changed exercises); grader.json carries a fingerprint of
the student's variant that matches the key."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from grader.core.errors import UserError
from grader.course.generate import generate
from grader.core.seeding import secret_bits, weak_secret_problem

SECRET = "integrity-secret-0123456789abcdef0123"
OTHER = "integrity-other-fedcba9876543210fedc"
ASSIGNMENT = """\
id: integrity
title: Integrity
exercises:
  - info-kl-divergence
  - la-matmul
"""
ROSTER = "id,name,email\ns001,Ada,ada@x\ns002,Alan,alan@x\n"


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GRADER_SECRET", SECRET)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "week.yaml").write_text(ASSIGNMENT)
    (tmp_path / "roster.csv").write_text(ROSTER)
    return tmp_path


def run(course: Path, **kw):
    return generate(course / "week.yaml", course / "roster.csv", course / "out", **kw)


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("secret", ["abc", "s3cret", "correct horse", "a" * 64,
                                    "0123456789abcdef0123456789abcde"])  # 31 hex digits
def test_a_weak_secret_is_refused_with_the_command_to_make_one(course, monkeypatch, secret):
    monkeypatch.setenv("GRADER_SECRET", secret)
    with pytest.raises(UserError) as err:
        run(course)
    assert str(err.value).startswith("week.yaml: the secret is too weak (about ")
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in str(err.value)
    assert str(err.value).endswith("in the environment variable GRADER_SECRET.")
    assert not (course / "out").exists()


def test_strong_secrets_pass() -> None:
    import secrets

    for s in (secrets.token_hex(16), secrets.token_hex(32), secrets.token_urlsafe(32),
              SECRET, "grader-demo-secret: not for real courses"):
        assert weak_secret_problem(s.encode()) is None, s
    assert secret_bits(bytes(range(200, 216))) == 128  # random bytes (not text) in a file


def test_a_weak_secret_file_is_named(course: Path) -> None:
    (course / "week.yaml").write_text(ASSIGNMENT + "secret: {file: secret.txt}\n")
    (course / "secret.txt").write_text("hunter2\n")
    with pytest.raises(UserError, match=r"too weak .* in the file .*secret.txt\.$"):
        run(course)


def test_another_secret_is_refused_and_nothing_is_rewritten(course, monkeypatch):
    run(course)
    before = files(course / "out")
    monkeypatch.setenv("GRADER_SECRET", OTHER)
    with pytest.raises(UserError) as err:
        run(course)
    assert str(err.value) == (
        "out/key: this run would change the problem sets of 2 student(s) already generated "
        "(s001, s002):\n"
        "- the secret (env GRADER_SECRET) differs from the one out/key was generated with; set "
        "it back to that secret and run again\n"
        "Students working on the old problem sets would be graded against new keys. To hand out "
        "new problem sets on purpose, run again with --force and give those students their new "
        "folders.")
    assert files(course / "out") == before
    forced = run(course, force=True)
    assert forced.changed == ("s001", "s002") and forced.notes[0].startswith("warning: --force")
    assert files(course / "out") != before


def test_exercises_added_to_the_assignment_are_named(course: Path) -> None:
    run(course)
    (course / "week.yaml").write_text(ASSIGNMENT + "  - la-rank\n")
    with pytest.raises(UserError, match=r"- exercise\(s\) la-rank would be new in their sets"):
        run(course)
    (course / "week.yaml").write_text(ASSIGNMENT.replace("  - la-matmul\n", ""))
    with pytest.raises(UserError, match=r"- exercise\(s\) la-matmul would be dropped from them"):
        run(course)


def test_same_inputs_and_new_students_are_not_changes(course: Path) -> None:
    run(course)
    assert run(course).changed == ()
    (course / "roster.csv").write_text(ROSTER + "s003,Grace,grace@x\n")
    assert run(course).changed == ()  # a new student has no problem set to keep


def test_a_key_from_before_secret_ids_says_the_secret_may_have_changed(course, monkeypatch):
    run(course)
    for path in (course / "out" / "key").glob("s00*.json"):
        doc = json.loads(path.read_text())
        del doc["secret_id"]
        path.write_text(json.dumps(doc))
    monkeypatch.setenv("GRADER_SECRET", OTHER)
    with pytest.raises(UserError, match=r"the parameters or cases of info-kl-divergence, "
                                        r"la-matmul differ \(their spec, the assignment, the "
                                        r"secret or"):
        run(course)


def test_grader_json_carries_the_fingerprint_of_the_keys_variant(course: Path) -> None:
    run(course)
    key = json.loads((course / "out" / "key" / "s001.json").read_text())
    meta = json.loads((course / "out" / "s001" / "grader.json").read_text())
    # Worked out here, not by the code under test: sha256 of [[id, params], ...] as sorted JSON
    text = json.dumps([[e["id"], e["params"]] for e in key["exercises"]], sort_keys=True,
                      ensure_ascii=False)
    expected = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert meta["variant"] == key["variant"] == expected
    assert expected.startswith("sha256:") and SECRET not in json.dumps(key)
    other = json.loads((course / "out" / "s002" / "grader.json").read_text())
    assert other["variant"] != meta["variant"]


def test_a_course_already_generated_with_a_weak_secret_can_be_regenerated(course, monkeypatch):
    import grader.core.seeding

    monkeypatch.setenv("GRADER_SECRET", "s3cret")
    with monkeypatch.context() as m:  # as an older grader did: no check
        m.setattr(grader.core.seeding, "weak_secret_problem", lambda secret: None)
        run(course)
    again = run(course)  # a new due date, say: the same problem sets
    assert again.changed == () and again.notes[0].startswith(
        "warning: week.yaml: the secret is too weak")
    assert "It was kept because out/key was generated with it" in again.notes[0]
    (course / "week.yaml").write_text(ASSIGNMENT + "  - la-rank\n")
    for force in (False, True):  # changed problem sets need a strong secret, --force or not
        with pytest.raises(UserError, match="^week.yaml: the secret is too weak"):
            run(course, force=force)


def test_another_secret_is_refused_for_function_exercises_too(course, monkeypatch):
    """A function exercise has no parameters; its random cases come from the secret, so a run
    with another secret changes every student's key all the same (it went through silently)."""
    (course / "week.yaml").write_text("id: integrity\ntitle: Integrity\n"
                                      "exercises: [impl-softmax]\n")
    run(course)
    before = files(course / "out")
    monkeypatch.setenv("GRADER_SECRET", OTHER)
    with pytest.raises(UserError, match=r"would change the problem sets of 2 student\(s\)"
                                        r"(.|\n)*- the secret \(env GRADER_SECRET\) differs"):
        run(course)
    assert files(course / "out") == before
