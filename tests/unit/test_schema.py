"""The JSON Schema for editors: valid, accepts every shipped spec, rejects broken ones."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from grader.authoring.generators import GENERATORS
from grader.authoring.generators.base import REQUIRED
from grader.authoring.spec import library_dir, load_exercise, load_yaml, schema_path
from grader.authoring.spec.declared import KIND_KEYS
from grader.authoring.spec.tables import TOPICS

ROOT = Path(__file__).resolve().parent.parent.parent
GOOD = ROOT / "tests" / "fixtures" / "specs" / "good"
LIBRARY = sorted(library_dir().rglob("*.yaml"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def data(path: Path) -> object:
    doc = load_yaml(path.read_text(encoding="utf-8"), path=str(path))
    assert doc.diagnostics == []
    return doc.data


def schema_errors(validator, value) -> list[str]:
    return [e.message for e in validator.iter_errors(value)]


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_every_library_spec_passes_schema_and_loader(validator, path: Path) -> None:
    assert schema_errors(validator, data(path)) == []
    assert load_exercise(path).id == path.stem


def test_the_library_is_not_empty() -> None:
    if not LIBRARY:
        pytest.skip("no exercises written yet")
    assert all(p.parent.name in TOPICS for p in LIBRARY)


@pytest.mark.parametrize("name", ["fx-basics", "fx-sequence", "fx-function"])
def test_fixture_specs_pass_schema(validator, name: str) -> None:
    assert schema_errors(validator, data(GOOD / f"{name}.yaml")) == []


def basics() -> dict:
    value = data(GOOD / "fx-basics.yaml")
    assert isinstance(value, dict)
    return value


def test_schema_rejects_an_unknown_top_level_key(validator) -> None:
    spec = {**basics(), "titel": "x"}
    assert any("'titel' was unexpected" in m for m in schema_errors(validator, spec))


def test_schema_rejects_an_unknown_kind(validator) -> None:
    spec = basics()
    spec["parts"][0]["kind"] = "scaler"
    assert schema_errors(validator, spec)


def test_schema_rejects_a_key_of_another_kind(validator) -> None:
    spec = basics()
    spec["parts"][0]["choices"] = ["a"]  # a scalar part
    assert schema_errors(validator, spec)


def test_schema_rejects_an_unknown_generator_and_bad_arguments(validator) -> None:
    for params in ({"a": {"integer": {"low": 1, "high": 2}}},
                   {"a": {"integers": {"low": 1, "hihg": 2}}},
                   {"a": {"integers": {"low": "one", "high": 2}}},
                   {"a": {"integers": {"low": 1}}},
                   {"a": {"integers": {"low": 1, "high": 2}, "uniform": {"low": 0, "high": 1}}}):
        assert schema_errors(validator, {**basics(), "params": params}), params


def test_schema_rejects_a_solution_on_a_function_part(validator) -> None:
    spec = data(GOOD / "fx-function.yaml")  # plain YAML: no solver needed
    assert isinstance(spec, dict)
    spec["parts"][0]["solution"] = "x"
    assert schema_errors(validator, spec)


def test_schema_lists_every_generator_and_its_arguments() -> None:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    defs = schema["$defs"]
    assert defs["generator"]["propertyNames"]["enum"] == sorted(GENERATORS)
    for name, cls in GENERATORS.items():
        args = defs[f"gen_{name}"]["properties"][name]
        assert set(args["properties"]) == set(cls.ARGS), name
        required = {a for a, spec in cls.ARGS.items() if spec.default is REQUIRED}
        assert set(args["required"]) == required, name


def test_schema_enums_match_the_loader() -> None:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    assert schema["properties"]["topic"]["enum"] == list(TOPICS)
    assert schema["$defs"]["part"]["properties"]["kind"]["enum"] == sorted(KIND_KEYS)


def test_the_shipped_schemas_are_generated_from_the_declarations() -> None:
    from grader.authoring.published import stale

    assert stale() == [], ("a shipped JSON Schema is out of date: run "
                           "`python -m grader.authoring.published --write`")


def test_a_stale_schema_file_is_found_and_rewritten(tmp_path: Path) -> None:
    from grader.authoring.published import SCHEMAS, stale, write

    (tmp_path / "exercise.schema.json").write_text(schema_path().read_text(encoding="utf-8"))
    assert stale(tmp_path) == [tmp_path / "assignment.schema.json"]  # absent counts as stale
    assert write(tmp_path) == [tmp_path / "assignment.schema.json"]
    assert stale(tmp_path) == []
    written = json.loads((tmp_path / "assignment.schema.json").read_text(encoding="utf-8"))
    assert written["required"] == ["id", "title", "exercises"] and set(SCHEMAS) == {
        "exercise", "assignment"}


def test_declared_kind_options_reach_the_schema_and_the_loader() -> None:
    from grader.authoring.spec.declared import KIND_OPTIONS

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    rules = {r["if"]["properties"]["kind"]["const"]: r["then"]
             for r in schema["$defs"]["part"]["allOf"]}
    assert rules["choice"]["required"] == ["choices", "solution"]
    assert rules["function"]["required"] == ["function"]
    assert rules["function"]["properties"]["solution"] is False
    assert "partial" not in rules["vector"]["properties"]  # vector takes partial
    assert rules["scalar"]["properties"]["partial"] is False
    assert set(KIND_OPTIONS["sequence"]) == {"item", "start", "step", "tolerance"}
