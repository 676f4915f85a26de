"""A table of broken specs, each with the exact message an instructor sees.

Each case edits one line of a small valid spec (BASE), writes it to
broken.yaml in a temporary working directory, and compares str(SpecError)
with the expected text: location, key path, message, source line and caret.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.core.errors import SpecError, UserError
from grader.solvers import SOLVERS
from grader.authoring.spec import load_exercise, load_library

BASE = """\
id: broken
title: A broken spec
topic: calculus
params:
  a: {integers: {low: 1, high: 5}}
prompt: "Let $a = {{ a }}$."
parts:
  - id: double
    kind: scalar
    solution: 2 * a
"""


def edit(old: str, new: str, base: str = BASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # so messages say "broken.yaml", as a user in that folder sees


@pytest.fixture(autouse=True)
def _test_solver():
    """A solver only these tests know, so no case depends on the real solver names."""
    SOLVERS["fx_kl_divergence"] = lambda p, q: 0.0
    yield
    del SOLVERS["fx_kl_divergence"]


def message(text: str, name: str = "broken.yaml") -> str:
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    Path(name).write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_exercise(name)
    return str(info.value)


CASES = {
    "malformed YAML": (
        edit("{integers: {low: 1, high: 5}}", "{integers: {low: 1, high: 5}"),
        """\
broken.yaml:6:1: invalid YAML: expected ',' or '}', but got '<scalar>' (while parsing a flow \
mapping that started at line 5)
    prompt: "Let $a = {{ a }}$."
    ^"""),
    "tab indentation": (
        edit("  a:", "\ta:"),
        """\
broken.yaml:5:1: invalid YAML: found character '\\t' that cannot start any token (while \
scanning for the next token); indent with spaces, not tabs
    \ta: {integers: {low: 1, high: 5}}
    ^"""),
    "duplicate key": (
        edit("topic: calculus\n", "topic: calculus\ntitle: Again\n"),
        """\
broken.yaml:4:1: title: duplicate key 'title' (first given at line 2)
    title: Again
    ^"""),
    "python tag": (
        edit("title: A broken spec", 'title: !!python/object/apply:os.system ["echo hi"]'),
        """\
broken.yaml:2:8: title: tag '!!python/object/apply:os.system' is not allowed: a spec holds \
only plain data (strings, numbers, booleans, lists, mappings)
    title: !!python/object/apply:os.system ["echo hi"]
           ^"""),
    "unknown top-level key with suggestion": (
        edit("prompt:", "promt:"),
        """\
broken.yaml: missing required key 'prompt'
broken.yaml:6:1: unknown key 'promt'; did you mean 'prompt'?
    promt: "Let $a = {{ a }}$."
    ^"""),
    "unknown key without a close match": (
        BASE + "colour: red\n",
        """\
broken.yaml:11:1: unknown key 'colour'; expected one of: id, title, topic, prompt, parts, \
tags, difficulty, by_hand, params, where, max_resample
    colour: red
    ^"""),
    "unknown part key": (
        edit("kind: scalar", "kind: scalar\n    tolerence: {rtol: 0.1}"),
        """\
broken.yaml:10:5: parts[0]: unknown key 'tolerence'; did you mean 'tolerance'?
        tolerence: {rtol: 0.1}
        ^"""),
    "key of another kind": (
        edit("kind: scalar", "kind: scalar\n    partial: true"),
        """\
broken.yaml:10:5: parts[0]: 'partial' is not used by kind 'scalar' (only by: vector, matrix)
        partial: true
        ^"""),
    "wrong type": (
        edit("kind: scalar", "kind: scalar\n    points: many"),
        """\
broken.yaml:10:13: parts[0].points: expected a number > 0 and <= 1000000, got 'many'
        points: many
                ^"""),
    "negative tolerance": (
        edit("kind: scalar", "kind: scalar\n    tolerance: {rtol: -0.1}"),
        """\
broken.yaml:10:23: parts[0].tolerance.rtol: expected a number >= 0, got -0.1
        tolerance: {rtol: -0.1}
                          ^"""),
    "difficulty out of range": (
        edit("topic: calculus\n", "topic: calculus\ndifficulty: 7\n"),
        """\
broken.yaml:4:13: difficulty: expected an integer from 1 to 5, got 7
    difficulty: 7
                ^"""),
    "bad id": (
        edit("id: broken", "id: Broken_Spec"),
        """\
broken.yaml:1:5: id: expected an id of lowercase letters, digits and '-' (like \
'info-entropy'), got 'Broken_Spec'
    id: Broken_Spec
        ^"""),
    "id differs from the file name": (
        edit("id: broken", "id: other"),
        """\
broken.yaml:1:5: id: 'other' does not match the file name 'broken.yaml'; rename the file or \
change the id
    id: other
        ^"""),
    "unknown topic": (
        edit("topic: calculus", "topic: calculs"),
        """\
broken.yaml:3:8: topic: expected one of linear-algebra, probability, information-theory, \
calculus, learning, implement, got 'calculs'; did you mean 'calculus'?
    topic: calculs
           ^"""),
    "missing solution": (
        edit("    solution: 2 * a\n", ""),
        """\
broken.yaml:8:5: parts[0]: missing required key 'solution'
      - id: double
        ^"""),
    "duplicate part id": (
        BASE + "  - id: double\n    kind: integer\n    solution: a\n",
        """\
broken.yaml:11:9: parts[1].id: duplicate part id 'double' (also parts[0])
      - id: double
            ^"""),
    "unknown kind": (
        edit("kind: scalar", "kind: scaler"),
        """\
broken.yaml:9:11: parts[0].kind: unknown kind 'scaler'; did you mean 'scalar'? (kinds: bool, \
choice, direction, function, integer, matrix, scalar, sequence, set, shape, vector)
        kind: scaler
              ^"""),
    "unknown generator": (
        edit("integers:", "integer:"),
        """\
broken.yaml:5:7: params.a.integer: unknown generator 'integer'; did you mean 'integers'?
      a: {integer: {low: 1, high: 5}}
          ^"""),
    "bad generator argument": (
        edit("low: 1, high: 5", "low: 3, high: 1"),
        """\
broken.yaml:5:23: params.a.integers.low: low=3 must be <= high=1
      a: {integers: {low: 3, high: 1}}
                          ^"""),
    "unknown generator argument": (
        edit("low: 1, high: 5", "lo: 1, high: 5"),
        """\
broken.yaml:5:18: params.a.integers.lo: unknown argument 'lo' for integers; did you mean \
'low'? (expected: low, high, exclude)
      a: {integers: {lo: 1, high: 5}}
                     ^"""),
    "parameter used before it is drawn": (
        edit("  a: {integers: {low: 1, high: 5}}",
             '  a: {integers: {low: 1, high: "=b"}}\n  b: {integers: {low: 1, high: 5}}'),
        """\
broken.yaml:5:34: params.a.integers.high: 'b' is drawn later; a parameter can only use those \
listed above it
      a: {integers: {low: 1, high: "=b"}}
                                     ^"""),
    "reserved parameter name": (
        edit("  a: {integers", "  e: {integers").replace("{{ a }}", "{{ e }}")
        .replace("2 * a", "2 * e"),
        """\
broken.yaml:5:3: params.e: parameter name 'e' is reserved (a constant or 'prev'); rename it
      e: {integers: {low: 1, high: 5}}
      ^"""),
    "unknown solver in solution": (
        edit("solution: 2 * a", "solution: fx_kl(a, a)"),
        """\
broken.yaml:10:15: parts[0].solution: unknown function 'fx_kl'; did you mean \
'fx_kl_divergence'?
        solution: fx_kl(a, a)
                  ^"""),
    "unknown name in expression": (
        edit("solution: 2 * a", "solution: 2 * aa"),
        """\
broken.yaml:10:19: parts[0].solution: unknown name 'aa'; did you mean 'a'?
        solution: 2 * aa
                      ^"""),
    "unknown name in a quoted where": (
        edit("prompt:", 'where:\n  - "a + z > 1"\nprompt:'),
        """\
broken.yaml:7:10: where[0]: unknown name 'z' (known names: a)
      - "a + z > 1"
             ^"""),
    "syntax error in expression": (
        edit("solution: 2 * a", "solution: 2 * (a + 1"),
        """\
broken.yaml:10:19: parts[0].solution: invalid expression: invalid syntax ('(' was never closed)
        solution: 2 * (a + 1
                      ^"""),
    "forbidden construct in expression": (
        edit("solution: 2 * a", "solution: a.real"),
        """\
broken.yaml:10:15: parts[0].solution: invalid expression: attribute access ('.') not allowed \
here
        solution: a.real
                  ^"""),
    "unknown Jinja placeholder": (
        edit("{{ a }}", "{{ b }}"),
        """\
broken.yaml:6:22: prompt: unknown placeholder 'b' (the parameters are: a)
    prompt: "Let $a = {{ b }}$."
                         ^"""),
    "unknown Jinja filter": (
        edit("{{ a }}", "{{ a | latx }}"),
        """\
broken.yaml:6:26: prompt: unknown filter 'latx'; did you mean 'latex'?
    prompt: "Let $a = {{ a | latx }}$."
                             ^"""),
    "Jinja syntax error": (
        edit("{{ a }}", "{{ a }"),
        """\
broken.yaml:6:10: prompt: invalid Jinja template: unexpected '}'
    prompt: "Let $a = {{ a }$."
             ^"""),
    "placeholder in a block prompt": (
        edit('prompt: "Let $a = {{ a }}$."', "prompt: |\n  Let $a$ be given.\n  Then {{ x }}."),
        """\
broken.yaml:8:11: prompt: unknown placeholder 'x' (the parameters are: a)
      Then {{ x }}.
              ^"""),
    "bad mistake": (
        edit("solution: 2 * a", "solution: 2 * a\n    mistakes:\n      - name: halved\n"
                                "        answer: a / 2"),
        """\
broken.yaml:12:9: parts[0].mistakes[0]: missing required key 'feedback'
          - name: halved
            ^"""),
    "empty file": (
        "",
        ("broken.yaml:1:1: the file is empty; a spec needs at least: id, title, topic, prompt, "
        "parts")),
    "a list instead of a mapping": (
        "- a\n- b\n",
        """\
broken.yaml:1:1: expected a mapping of keys (id, title, topic, prompt, parts, ...) at the top \
of the file, got a list
    - a
    ^"""),
}


@pytest.mark.parametrize("name", list(CASES))
def test_broken_spec_message(name: str) -> None:
    text, expected = CASES[name]
    n = sum(line.startswith("broken.yaml:") for line in expected.splitlines())
    assert message(text) == expected + f"\n{n} error{'s' if n > 1 else ''} in broken.yaml"


def test_several_errors_are_all_reported() -> None:
    text = (edit("title:", "titel:")
            .replace("kind: scalar", "kind: scaler")
            .replace("low: 1, high: 5", "low: 3, high: 1")
            .replace("solution: 2 * a", "solution: 2 * b"))
    lines = [line for line in message(text).splitlines() if line.startswith("broken.yaml:")]
    assert lines == [
        "broken.yaml: missing required key 'title'",
        "broken.yaml:2:1: unknown key 'titel'; did you mean 'title'?",
        "broken.yaml:5:23: params.a.integers.low: low=3 must be <= high=1",
        ("broken.yaml:9:11: parts[0].kind: unknown kind 'scaler'; did you mean 'scalar'? "
        "(kinds: bool, choice, direction, function, integer, matrix, scalar, sequence, set, "
        "shape, vector)"),
        "broken.yaml:10:19: parts[0].solution: unknown name 'b' (known names: a)",
    ]
    assert message(text).endswith("\n5 errors in broken.yaml")


def test_topic_must_match_its_folder() -> None:
    text = message(BASE, "probability/broken.yaml")
    assert text.splitlines()[0] == (
        "probability/broken.yaml:3:8: topic: 'calculus' does not match the folder "
        "'probability' the file is in; move the file or change the topic")


def test_not_utf8() -> None:
    Path("broken.yaml").write_bytes(b"id: caf\xe9\n")
    with pytest.raises(SpecError) as info:
        load_exercise("broken.yaml")
    assert str(info.value) == "broken.yaml: not UTF-8 text (byte 7)\n1 error in broken.yaml"


def test_missing_file_is_a_user_error() -> None:
    with pytest.raises(UserError, match=r"^nowhere\.yaml: no such file$"):
        load_exercise("nowhere.yaml")
    with pytest.raises(UserError, match=r"^nowhere: no such file or folder$"):
        load_library(["nowhere"])


# ---------------------------------------------------------------- function parts

FUNCTION = """\
id: broken
title: A broken function spec
topic: implement
prompt: Write `double(x)`.
parts:
  - id: double
    kind: function
    function:
      name: double
      signature: "double(x)"
      reference: fx_kl_divergence
      returns: vector
      public:
        - args: [[1, 2]]
"""

FUNCTION_CASES = {
    "unknown reference solver": (
        edit("reference: fx_kl_divergence", "reference: fx_kl", FUNCTION),
        ("broken.yaml:11:18: parts[0].function.reference: unknown solver 'fx_kl'; did you mean "
        "'fx_kl_divergence'?")),
    "signature of another name": (
        edit('"double(x)"', '"twice(x)"', FUNCTION),
        ("broken.yaml:10:18: parts[0].function.signature: expected a signature starting with "
        "'double(' (the function's name), got 'twice(x)'")),
    "signature that is not Python": (
        edit('"double(x)"', '"double(x,,)"', FUNCTION),
        ("broken.yaml:10:18: parts[0].function.signature: not a valid Python signature: "
        "invalid syntax")),
    "too many arguments": (
        edit("args: [[1, 2]]", "args: [[1, 2], 3]", FUNCTION),
        ("broken.yaml:14:17: parts[0].function.public[0].args: expected 1 to 1 arguments "
        "(the signature's parameters), got 2")),
    "solution on a function part": (
        edit("    function:\n", "    solution: x\n    function:\n", FUNCTION),
        ("broken.yaml:8:5: parts[0]: 'solution' is not used by kind 'function' (the function "
        "block holds the reference solver, tolerance and cases)")),
    "bad random generator": (
        FUNCTION + "      random:\n        count: 2\n        args:\n"
                   "          x: {int_vector: {length: 0, low: 1, high: 2}}\n",
        ("broken.yaml:18:36: parts[0].function.random.args.x.int_vector.length: length must be "
        "between 1 and 1000, got 0")),
    "random argument not in the signature": (
        FUNCTION + "      random:\n        count: 2\n        args:\n"
                   "          y: {int_vector: {length: 2, low: 1, high: 2}}\n",
        ("broken.yaml:18:11: parts[0].function.random.args.y: 'y' is not a parameter of the "
        "function")),
    "random arguments out of order": (
        edit('"double(x)"', '"double(x, y)"', FUNCTION).replace("[[1, 2]]", "[[1, 2], 1]")
        + "      random:\n        count: 2\n        args:\n"
          "          y: {integers: {low: 1, high: 2}}\n"
          "          x: {int_vector: {length: 2, low: 1, high: 2}}\n",
        ("broken.yaml:18:11: parts[0].function.random.args: expected the function's parameters "
        "in order (x, y), got (y, x); names starting with '_' are helpers")),
    "tuple without items": (
        edit("returns: vector", "returns: tuple", FUNCTION),
        ("broken.yaml:12:16: parts[0].function.returns: expected items: a list of at least 2 of "
        "scalar, vector, matrix, integer, bool, list_of_vectors (one per returned value), "
        "got null")),
    "no cases": (
        edit("      public:\n        - args: [[1, 2]]\n", "", FUNCTION),
        ("broken.yaml:9:7: parts[0].function: no cases: give at least one of public, hidden or "
        "random")),
}


@pytest.mark.parametrize("name", list(FUNCTION_CASES))
def test_broken_function_part(name: str) -> None:
    text, expected = FUNCTION_CASES[name]
    assert message(text).splitlines()[0] == expected


def test_function_spec_as_written_loads() -> None:
    Path("broken.yaml").write_text(FUNCTION, encoding="utf-8")
    assert load_exercise("broken.yaml").parts[0].function.reference == "fx_kl_divergence"


def test_fixture_with_many_errors_reports_them_in_file_order(monkeypatch) -> None:
    bad = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "bad"
    monkeypatch.chdir(bad)
    with pytest.raises(SpecError) as info:
        load_exercise("fx-broken.yaml")
    heads = [line for line in str(info.value).splitlines() if line.startswith("fx-broken")]
    assert heads == [
        "fx-broken.yaml:5:13: difficulty: expected an integer from 1 to 5, got 'high'",
        "fx-broken.yaml:8:31: params.p.prob_vector.length: unknown name 'm' (known names: n)",
        ("fx-broken.yaml:9:34: params.q.uniform.decimal: unknown argument 'decimal' for uniform; "
        "did you mean 'decimals'? (expected: low, high, decimals)"),
        "fx-broken.yaml:11:6: where[0]: invalid expression: invalid syntax",
        "fx-broken.yaml:14:14: prompt: unknown placeholder 'what' (the parameters are: n, p, q)",
        "fx-broken.yaml:19:23: parts[0].tolerance.rtol: expected a number >= 0, got -0.1",
        "fx-broken.yaml:20:9: parts[1].id: duplicate part id 'entropy' (also parts[0])",
        "fx-broken.yaml:23:14: parts[1].partial: expected true or false, got 'yes'",
        "fx-broken.yaml:25:9: parts[1].mistakes[0]: missing required key 'feedback'",
    ]
    assert str(info.value).splitlines()[-1] == "9 errors in fx-broken.yaml"
