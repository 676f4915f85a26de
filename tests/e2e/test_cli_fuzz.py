"""Seeded fuzzing of what users hand the CLI: no input, however mangled, is an internal error.

Real files (a spec from grader/exercises/, the demo's assignment, a generated answers.yaml) are
mutated byte by byte (flips, YAML-meaningful insertions, deletions) and structurally (a value
replaced by one of another type, a key deleted or added), then run through the CLI in-process.
Exit 0, 1 or 2 are all fine; exit 3 (a bug) fails with the crash log's traceback.
Derandomized and bounded: the same examples on every run, well under 30 s in all.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.cli import cli
from grader.course.generate import generate

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "grader" / "exercises"
SPECS = ["probability/prob-bayes.yaml", "linear-algebra/la-eigen-symmetric.yaml",
         "implement/impl-softmax.yaml", "calculus/opt-gradient-descent.yaml"]
SECRET_ENV = "GRADER_FUZZ_SECRET"
SECRET = "5f0c4e3b9a1d7e26c8b4a0f9e1d3c5b7"  # 128 bits, as grader requires
ASSIGNMENT = (ROOT / "grader" / "demo" / "assignment.yaml").read_text(encoding="utf-8").replace(
    "secret: {file: secret.txt}", f"secret: {{env: {SECRET_ENV}}}")
# Typed parts only for the answers: grading them needs no sandbox, so each example is quick.
TYPED = f"""\
id: fuzz
title: Fuzz
secret: {{env: {SECRET_ENV}}}
exercises:
  - info-kl-divergence
  - la-eigen-symmetric
  - opt-gradient-descent
  - prob-bayes
reveal: always
"""
ROSTER = "id,name,email\nann,Ann,ann@example.org\n"
# GRADER_FUZZ_SCALE=20 runs twenty times the examples (a deeper search, not for every run).
SCALE = int(os.environ.get("GRADER_FUZZ_SCALE", "1"))
FUZZ = settings(derandomize=True, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
# Bytes that mean something to YAML, JSON, UTF-8 or the grader's own syntax.
TOKENS = [b":", b": ", b"\t", b"- ", b"-", b"{", b"}", b"[", b"]", b"\n", b"  ", b"#", b"&a ",
          b"*a", b"!!python/object ", b"!!binary ", b"? ", b"|", b">", b'"', b"'", b"\\",
          b'"\\ud800"', b"\xff", b"\xc3", b"\x00", b"\xef\xbb\xbf", b"~", b"null", b"1e999",
          b".nan", b"-.inf", b"0x10", b"<<: *a", b"{{", b"}}", b"{%", b"1/0", b"sqrt(-1)",
          b"9" * 40, b"[[[[[[[[", b"id", b"parts", b"kind", b"solution", b"points", b"params"]
ODD_VALUES = [None, True, False, 0, -1, 1, 10**30, 1.5, -0.0, float("inf"), float("nan"), "",
              "x", "1/0", "ln(0)", "sqrt(2)/2", "-inf", "{{ x }}", "\t", "a" * 300, [], [1],
              [[1, 2], [3]], [None], {}, {"a": 1}, {"id": None}, [[[[[]]]]]]


@st.composite
def byte_mutation(draw: Any, data: bytes) -> bytes:
    """A few flips, insertions and deletions at positions spread over the file."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        op = draw(st.sampled_from(["flip", "insert", "delete"]))
        if op == "flip" and out:
            out[at] ^= draw(st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128]))
        elif op == "insert":
            out[at:at] = draw(st.sampled_from(TOKENS))
        else:
            del out[at:at + draw(st.integers(1, 40))]
    return bytes(out)


@st.composite
def structure_mutation(draw: Any, data: bytes, as_json: bool = False) -> bytes:
    """The parsed document with one value retyped, or one key deleted or added."""
    doc = json.loads(data) if as_json else yaml.safe_load(data)
    node, key = _walk(draw, doc)
    op = draw(st.sampled_from(["retype", "delete", "add"]))
    odd = draw(st.sampled_from(ODD_VALUES))
    if op == "add" and isinstance(node, dict):
        node[draw(st.sampled_from(["extra", "id", "kind", "points", "", "1", "null"]))] = odd
    elif op == "add" and isinstance(node, list):
        node.append(odd)
    elif op == "delete" and key is not None:
        del node[key]
    elif key is not None:
        node[key] = odd
    if as_json:
        return json.dumps(doc).encode()  # inf and nan as JSON's non-standard Infinity, NaN
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode()


def _walk(draw: Any, node: Any) -> tuple[Any, Any]:
    """A container somewhere in the document and one of its keys (or indexes), if it has any."""
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node))) \
            if isinstance(node, list) else []
        if not keys:
            return node, None
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            node = child  # deeper, half the time
            continue
        return node, key


def mutated(data: bytes, *, as_json: bool = False) -> st.SearchStrategy[bytes]:
    return st.one_of(byte_mutation(data), structure_mutation(data, as_json))


def no_internal_error(args: list[str], cwd: Path, what: bytes) -> None:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    if result.exit_code == 3:
        log = re.search(r"The traceback is in (\S+);", result.stderr)
        trace = Path(log.group(1)).read_text()[-3000:] if log else ""
        pytest.fail(f"grader {' '.join(args)} exit 3 on input:\n{what!r}\n{result.stderr}\n"
                    f"{trace}")
    assert result.exit_code in (0, 1, 2), result.output


@pytest.fixture(scope="module")
def typed_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "a.yaml").write_text(TYPED, encoding="utf-8")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, SECRET)
        generate(root / "a.yaml", root / "roster.csv", root / "build")
    (root / "subs").mkdir()
    shutil.copytree(root / "build" / "ann", root / "subs" / "ann")
    return root


def right_answers(root: Path) -> bytes:
    """The student's answers.yaml filled with the key's answers, one as an expression: values
    of every shape to mutate, rather than a page of nulls."""
    key = json.loads((root / "build" / "key" / "ann.json").read_text(encoding="utf-8"))
    answers = {e["id"]: dict(e["answers"]) for e in key["exercises"] if e["answers"]}
    answers["info-kl-divergence"]["kl_qp"] = "ln(2)/2 + 1/3"
    return yaml.safe_dump(answers, sort_keys=False).encode()


@pytest.mark.parametrize("spec", SPECS)
def test_mutated_specs_never_crash_validate(spec: str, tmp_path: Path) -> None:
    original = (EXERCISES / spec).read_bytes()
    target = tmp_path / Path(spec).name

    @settings(FUZZ, max_examples=60 * SCALE)
    @given(mutated(original))
    def run(data: bytes) -> None:
        target.write_bytes(data)
        no_internal_error(["validate", str(target), "--samples", "2"], tmp_path, data)

    run()


def test_mutated_assignments_never_crash_generate(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    target = tmp_path / "assignment.yaml"

    @settings(FUZZ, max_examples=20 * SCALE)
    @given(mutated(ASSIGNMENT.encode()))
    def run(data: bytes) -> None:
        target.write_bytes(data)
        no_internal_error(["generate", "assignment.yaml", "--roster", "roster.csv", "--out",
                           "out"], tmp_path, data)

    run()


def test_mutated_rosters_never_crash_generate(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    (tmp_path / "a.yaml").write_text(TYPED, encoding="utf-8")
    roster = (ROSTER + 'bob,"Bob, Jr.",bob@example.org\nzoë,Zoë Ünicode,zoe@example.org\n'
              ).encode()

    @settings(FUZZ, max_examples=15 * SCALE)
    @given(byte_mutation(roster))
    def run(data: bytes) -> None:
        (tmp_path / "roster.csv").write_bytes(data)
        no_internal_error(["generate", "a.yaml", "--roster", "roster.csv", "--out", "out"],
                          tmp_path, data)

    run()


def test_mutated_answers_never_crash_check(typed_class: Path) -> None:
    folder = typed_class / "subs" / "ann"
    original = right_answers(typed_class)

    @settings(FUZZ, max_examples=150 * SCALE)
    @given(mutated(original))
    def run(data: bytes) -> None:
        (folder / "answers.yaml").write_bytes(data)
        no_internal_error(["check", str(folder)], typed_class, data)

    run()


def test_mutated_answers_never_crash_grading(typed_class: Path, monkeypatch) -> None:
    """The grading library on many examples: every result renders to each export's text."""
    from grader.grading import engine
    from grader.outputs import exports
    from grader.student.submission import ANSWERS

    monkeypatch.setenv(SECRET_ENV, SECRET)
    entry, s = one_entry(typed_class)
    assert entry.submission is not None

    @settings(FUZZ, max_examples=200 * SCALE)
    @given(mutated(right_answers(typed_class)))
    def run(data: bytes) -> None:
        files = {**entry.submission.files, ANSWERS: data}
        sub = dataclasses.replace(entry.submission, files=files)
        result = engine.finish(engine.prepare(dataclasses.replace(entry, submission=sub), s),
                               None, s).result
        exports.result_json(result).encode("utf-8")  # what the gradebook stores
        exports.gradebook_csv([result], "fuzz").encode("utf-8")
        exports.junit_xml([result], "fuzz").encode("utf-8")
        exports.gradescope_json(result).encode("utf-8")

    run()


def test_mutated_grader_json_never_crashes_check_or_grading(typed_class: Path,
                                                            monkeypatch) -> None:
    """grader.json is the student's copy too: check reads it, grading takes its student id."""
    from grader.grading import engine
    from grader.grading.collect import collect

    monkeypatch.setenv(SECRET_ENV, SECRET)
    folder = typed_class / "subs" / "ann"
    original = (typed_class / "build" / "ann" / "grader.json").read_bytes()
    (folder / "answers.yaml").write_bytes(right_answers(typed_class))
    entry, s = one_entry(typed_class)
    assert entry.key is not None

    @settings(FUZZ, max_examples=100 * SCALE)
    @given(mutated(original, as_json=True))
    def run(data: bytes) -> None:
        (folder / "grader.json").write_bytes(data)
        no_internal_error(["check", str(folder)], typed_class, data)
        for e in collect(typed_class / "subs", [entry.key], s.assignment.id):
            engine.finish(engine.prepare(e, s), None, s)

    try:
        run()
    finally:
        (folder / "grader.json").write_bytes(original)


def one_entry(root: Path) -> tuple[Any, Any]:
    """Ann's collected submission and the run's settings, as grade_assignment makes them."""
    from grader import __version__
    from grader.course.assignment import load_assignment
    from grader.course.generate import load_library_for
    from grader.grading import engine
    from grader.grading.collect import collect
    from grader.grading.keys import load_keys

    assignment = load_assignment(root / "a.yaml")
    library = {e.id: e for e in load_library_for(assignment)}
    keys = load_keys(root / "build" / "key", assignment.id)
    (entry,) = collect(root / "subs", keys, assignment.id)
    return entry, engine.Settings(assignment, library, True, "none", __version__)


def test_mutated_answers_never_crash_grade(typed_class: Path, monkeypatch) -> None:
    """A few examples through `grader grade` itself: gradebook, exports and pages."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    folder = typed_class / "subs" / "ann"
    original = right_answers(typed_class)

    @settings(FUZZ, max_examples=4 * SCALE)
    @given(mutated(original))
    def run(data: bytes) -> None:
        (folder / "answers.yaml").write_bytes(data)
        no_internal_error(["grade", "a.yaml", "subs", "--key", "build", "--out", "res",
                           "--force"], typed_class, data)

    run()


LITERALS = ["0", "1", "-1", "0.5", "1e999", "-.inf", ".nan", "null", "", "abc", "[]", "[1]",
            "[1, 2]", "[[1, 2], [3, 4]]", "[[1, 2], [3]]", "[[0, 0], [0, 0]]", "{a: 1}", "true",
            "[1e308, -1e308]", "'1/3'", "[[1, 2, 3]]", "10000000", "[.nan, 1]", "- 1", "{", "[",
            "2", "3", "[0, 0, 0]", "[[1, 0], [0, 1]]"]


def test_typed_parameters_never_crash_solve(tmp_path: Path, monkeypatch) -> None:
    """`grader solve ID --param NAME=VALUE`: whatever is typed, an answer or a message."""
    from grader.authoring import preview
    from grader.authoring.spec import library_dir

    monkeypatch.setattr(preview, "SOLVE_SECONDS", 1.0)  # k=10000000 once ran for hours

    ids = ["prob-bayes", "la-eigen-symmetric", "opt-gradient-descent", "info-kl-divergence",
           "impl-softmax", "ml-perceptron"]
    names = {i: list(yaml.safe_load(next(library_dir().rglob(f"{i}.yaml")).read_text(
        encoding="utf-8")).get("params") or {"z": None}) for i in ids}

    @settings(FUZZ, max_examples=80 * SCALE)
    @given(st.sampled_from(ids).flatmap(lambda i: st.tuples(st.just(i), st.lists(
        st.tuples(st.sampled_from(names[i]), st.sampled_from(LITERALS)), min_size=1,
        max_size=3))))
    def run(case: tuple[str, list[tuple[str, str]]]) -> None:
        exercise, params = case
        args = ["solve", exercise, "--json"] + [a for n, v in params for a in ("--param",
                                                                              f"{n}={v}")]
        no_internal_error(args, tmp_path, repr(case).encode())

    run()
