"""Loading good specs: the Exercise built, defaults, YAML details, libraries and lookup."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import jsonschema
import pytest

from grader.core.errors import SpecError, UserError
from grader.core.expr import Expr
from grader.core.model import FUNCTION_TOLERANCE, HAND_TOLERANCE, Tolerance
from grader.solvers import SOLVERS
from grader.authoring.spec import (
    find_exercise,
    library_dir,
    load_exercise,
    load_library,
    load_yaml,
    render_keypath,
    schema_path,
)
from grader.authoring.spec.declared import KIND_KEYS
from grader.kinds.sequence import ITEM_KIND
from grader.authoring.spec.tables import PROMPT_FILTERS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "specs"
GOOD = FIXTURES / "good"


@pytest.fixture(autouse=True)
def _test_solver():
    """fx-function's reference, registered only while a test runs."""
    SOLVERS["fx_double"] = lambda x, factor=2: [v * factor for v in x]
    yield
    del SOLVERS["fx_double"]


def test_basics_fixture_builds_the_exercise() -> None:
    ex = load_exercise(GOOD / "fx-basics.yaml")
    assert (ex.id, ex.title, ex.topic) == ("fx-basics", "Sums and differences of two integers",
                                          "calculus")
    assert ex.tags == ("fixture", "arithmetic")
    assert (ex.difficulty, ex.by_hand, ex.max_resample) == (1, True, 50)
    assert list(ex.params) == ["a", "b", "v", "unit", "_half", "c"]  # the order written
    assert ex.params["b"].generator == "integers"
    assert ex.params["b"].args == {"low": "=a + 1", "high": 12}
    assert ex.params["_half"].auxiliary and not ex.params["a"].auxiliary
    assert [c.text for c in ex.where] == ["b - a >= 2", "abs(sum(v)) > 0"]
    assert [p.id for p in ex.parts] == ["total", "scaled", "count", "bigger", "positive", "half"]
    assert ex.points == 7
    assert ex.path == GOOD / "fx-basics.yaml"
    digest = hashlib.sha256((GOOD / "fx-basics.yaml").read_bytes()).hexdigest()
    assert ex.source_hash == digest


def test_part_fields_and_defaults() -> None:
    ex = load_exercise(GOOD / "fx-basics.yaml")
    total = ex.part("total")
    assert total.kind == "scalar" and total.points == 2.0 and total.prompt == "Compute $a + b$."
    assert isinstance(total.solution, Expr) and total.solution.text == "a + b"
    assert total.tolerance == Tolerance(rtol=0.001, atol=1e-9)
    assert [(m.name, m.answer.text, m.feedback) for m in total.mistakes] == [
        ("difference", "b - a", "You subtracted; the question asks for the sum.")]
    scaled = ex.part("scaled")
    assert scaled.tolerance == HAND_TOLERANCE and scaled.points == 1.0
    assert scaled.options == {"partial": True}
    assert ex.part("bigger").options == {"choices": ("a", "b")}
    assert ex.part("count").options == {} and ex.part("count").prompt == ""


def test_sequence_options() -> None:
    ex = load_exercise(GOOD / "fx-sequence.yaml")
    assert ex.difficulty == 2 and ex.by_hand is True and ex.max_resample == 200  # defaults
    it = ex.part("iterates")
    assert it.options["item"] == "scalar"
    assert it.options["start"].text == "x0"
    assert it.options["step"].text == "prev - eps * 2 * prev"
    rec = ex.part("records")
    assert rec.options["item"] == {"fields": {"n": "integer", "x": "scalar"}}


def test_function_part() -> None:
    ex = load_exercise(GOOD / "fx-function.yaml")
    part = ex.part("double")
    fn = part.function
    assert part.solution is None and part.mistakes == ()
    assert part.tolerance == FUNCTION_TOLERANCE == fn.tolerance
    assert (fn.name, fn.reference, fn.returns) == ("double", "fx_double", "vector")
    assert fn.signature == "double(x, factor=2) -> vector of the same length"
    assert fn.docstring == "Return x with every entry multiplied by factor.\n"
    assert [c.args for c in fn.public] == [([1, 2, 3],)]
    assert [(c.args, c.kwargs, c.why) for c in fn.hidden] == [
        (([],), {}, "an empty vector stays empty"),
        (([1, 2],), {"factor": 3}, "a different factor")]
    assert fn.random_count == 3 and list(fn.random_args) == ["_n", "x"]
    assert fn.random_args["x"].generator == "int_vector"
    assert fn.time_limit == 2.0
    pair = ex.part("pair").function
    assert pair.returns == {"tuple": ["vector", "scalar"]}
    assert pair.tolerance == Tolerance(rtol=0.0, atol=1e-12) and pair.time_limit == 1.5


def test_inline_tuple_returns(tmp_path: Path) -> None:
    text = (GOOD / "fx-function.yaml").read_text().replace(
        "returns: tuple\n      items: [vector, scalar]", "returns: {tuple: [vector, integer]}")
    (tmp_path / "fx-function.yaml").write_text(text)
    fn = load_exercise(tmp_path / "fx-function.yaml").part("pair").function
    assert fn.returns == {"tuple": ["vector", "integer"]}


# ---------------------------------------------------------------- YAML details


def test_yaml_scalars_follow_yaml_1_2() -> None:
    doc = load_yaml("a: 1e-6\nb: yes\nc: 010\nd: .inf\ne: -.inf\nf: ~\ng: 0x10\nh: TRUE\n"
                    "i: 1_000\n", path="x.yaml")
    assert doc.diagnostics == []
    assert doc.data == {"a": 1e-6, "b": "yes", "c": 10, "d": math.inf, "e": -math.inf,
                        "f": None, "g": "0x10", "h": True, "i": "1_000"}


def test_yaml_positions() -> None:
    doc = load_yaml("a:\n  - x: 1\n    y: [2, 3]\n", path="x.yaml")
    mark = doc.values[("a", 0, "y", 1)]
    assert (mark.line, mark.column) == (2, 11)
    key = doc.keys[("a", 0, "y")]
    assert (key.line, key.column) == (2, 4)
    # An unknown path falls back to its closest known ancestor.
    assert doc.mark(("a", 0, "z")) == doc.values[("a", 0)]


def test_yaml_aliases_cannot_explode() -> None:
    lines = ["a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]"]
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    doc = load_yaml("\n".join(lines) + "\n", path="x.yaml")
    assert doc.data is None
    assert doc.diagnostics[0].message.startswith("the document is too large")


def test_yaml_merge_keys_are_refused() -> None:
    doc = load_yaml("a: &x {p: 1}\nb:\n  <<: *x\n", path="x.yaml")
    assert [d.message for d in doc.diagnostics] == [
        "merge keys ('<<') are not supported; write the keys out"]


def test_render_keypath() -> None:
    assert render_keypath(("parts", 1, "tolerance", "rtol")) == "parts[1].tolerance.rtol"
    assert render_keypath(("where", 0)) == "where[0]"
    assert render_keypath(()) == ""


def test_jinja_loop_variables_are_not_placeholders(tmp_path: Path) -> None:
    text = (GOOD / "fx-sequence.yaml").read_text().replace(
        "for {{ k }} steps.", "for {{ k }} steps: {% for i in [1, 2] %}{{ i }} {% endfor %}")
    (tmp_path / "fx-sequence.yaml").write_text(text)
    assert load_exercise(tmp_path / "fx-sequence.yaml").id == "fx-sequence"


# ---------------------------------------------------------------- libraries


def test_load_library_recurses_into_folders() -> None:
    ids = [e.id for e in load_library([FIXTURES / "good"])]
    assert ids == ["fx-basics", "fx-function", "fx-sequence"]


def test_load_library_names_each_file_once(tree) -> None:
    ids = [e.id for e in load_library([GOOD, GOOD / "fx-basics.yaml"])]
    assert ids == ["fx-basics", "fx-function", "fx-sequence"]


def test_load_library_reports_duplicate_ids_and_all_files(tmp_path: Path, monkeypatch,
                                                          tree) -> None:
    monkeypatch.chdir(tmp_path)
    basics = (GOOD / "fx-basics.yaml").read_text()
    tree({"one/fx-basics.yaml": basics, "two/fx-basics.yaml": basics,
          "two/bad.yaml": "id: bad\n"})
    with pytest.raises(SpecError) as info:
        load_library([Path("one"), Path("two")])
    lines = [d.render().splitlines()[0] for d in info.value.diagnostics]
    assert lines == [
        "two/bad.yaml: missing required key 'title'",
        "two/bad.yaml: missing required key 'topic'",
        "two/bad.yaml: missing required key 'prompt'",
        "two/bad.yaml: missing required key 'parts'",
        ("two/fx-basics.yaml:2:5: id: duplicate exercise id 'fx-basics' "
        "(also in one/fx-basics.yaml)"),
    ]
    assert str(info.value).endswith("5 errors in two/bad.yaml, two/fx-basics.yaml")


def test_library_dir_and_schema_ship_in_the_package() -> None:
    assert library_dir().name == "exercises" and library_dir().parent.name == "grader"
    assert schema_path().is_file()


def test_find_exercise(tmp_path: Path) -> None:
    assert find_exercise("fx-basics", extra_dirs=[GOOD]).id == "fx-basics"
    with pytest.raises(UserError, match=r"^unknown exercise id 'fx-basic'; did you mean "
                                        r"'fx-basics'\?"):
        find_exercise("fx-basic", extra_dirs=[GOOD])
    # Without --library, someone previewing their own spec is told where it must come from.
    with pytest.raises(UserError, match=r"^unknown exercise id 'fx-basics' \(`grader list` "
                                        r"shows the library; for a spec of your own, add "
                                        r"--library FOLDER\)$"):
        find_exercise("fx-basics")


def test_find_exercise_with_a_missing_folder() -> None:
    with pytest.raises(UserError, match=r"^nowhere: no such file or folder$"):
        find_exercise("fx-basics", extra_dirs=["nowhere"])


def test_find_exercise_refuses_an_id_defined_twice(tree) -> None:
    root = tree({"a/fx-basics.yaml": "x", "b/fx-basics.yaml": "y"})
    with pytest.raises(UserError, match="exercise id 'fx-basics' is defined twice"):
        find_exercise("fx-basics", extra_dirs=[root / "a", root / "b"])


# ---------------------------------------------------------------- agreement with other modules


def test_kind_keys_agree_with_the_kinds() -> None:
    kinds = pytest.importorskip("grader.kinds").KINDS
    records = pytest.importorskip("grader.kinds.records")
    assert set(KIND_KEYS) == set(kinds) | {"function"}
    for name, kind in kinds.items():
        assert kind.uses_tolerance == ("tolerance" in KIND_KEYS[name]), name
    assert set(ITEM_KIND.values) == set(records.ITEM_KINDS)  # what a sequence step may be


def test_prompt_filters_agree_with_markup() -> None:
    markup = pytest.importorskip("grader.core.markup")
    assert set(PROMPT_FILTERS) == set(markup.FILTERS)


# ---------------------------------------------------------------- docs/spec.md


def doc_examples() -> list[str]:
    """The complete specs in docs/spec.md: yaml blocks that start with an id."""
    text = (Path(__file__).resolve().parent.parent.parent / "docs" / "spec.md").read_text()
    blocks = text.split("```yaml\n")[1:]
    bodies = [b.split("```")[0] for b in blocks]
    return [b for b in bodies if b.lstrip("#").split("\n", 1)[-1].startswith("id:")
            or b.startswith("id:")]


def test_docs_have_complete_examples() -> None:
    assert len(doc_examples()) >= 3


@pytest.mark.parametrize("index", range(3))
def test_docs_examples_load_and_draw(index: int, tmp_path: Path) -> None:
    from grader.core.seeding import make_rng
    from grader.authoring.variant import make_variant

    body = doc_examples()[index]
    ex_id = next(line for line in body.splitlines() if line.startswith("id:")).split()[1]
    path = tmp_path / f"{ex_id}.yaml"
    path.write_text(body)
    ex = load_exercise(path)
    for seed in range(5):
        make_variant(ex, make_rng(seed))
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    jsonschema.validate(load_yaml(body, path=str(path)).data, schema,
                        cls=jsonschema.Draft202012Validator)
