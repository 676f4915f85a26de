"""The assignment JSON Schema (for editors) agrees with the documented example and the demo."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "grader" / "schema" / "assignment.schema.json").read_text())


class Yaml12Loader(yaml.SafeLoader):
    """Like an editor's YAML 1.2 language server: a date-time stays a string."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str) -> object:
    return yaml.load(text, Loader=Yaml12Loader)


def errors(doc: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.validator}"
                  for e in validator.iter_errors(doc))


def test_the_schema_is_itself_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_documented_example_validates() -> None:
    doc = (ROOT / "docs" / "assignment.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, re.DOTALL).group(1)
    data = load(example)
    assert isinstance(data["due"], str)
    assert errors(data) == []


def test_the_demo_assignment_validates() -> None:
    data = load((ROOT / "grader" / "demo" / "assignment.yaml").read_text(encoding="utf-8"))
    assert errors(data) == []


MINIMAL = {"id": "w1", "title": "T", "exercises": ["info-entropy"]}


@pytest.mark.parametrize("change,expected", [
    ({"id": None}, ["id: type"]),
    ({"id": "week 3"}, ["id: pattern"]),
    ({"exercises": []}, ["exercises: minItems"]),
    ({"exercises": [{"pick": 0, "topic": "probability"}]}, ["exercises/0: oneOf"]),
    ({"exercises": [{"pick": 1, "topic": "astrology"}]}, ["exercises/0: oneOf"]),
    ({"exercises": [{"id": "x", "points": -1}]}, ["exercises/0: oneOf"]),
    ({"exercises": [{"id": "x", "pick": 2}]}, ["exercises/0: oneOf"]),
    ({"secret": "hunter2"}, ["secret: oneOf"]),
    ({"secret": {"env": "A", "file": "b"}}, ["secret: oneOf"]),
    ({"reveal": "sometimes"}, ["reveal: enum"]),
    ({"late": {"policy": "harsh"}}, ["late/policy: enum"]),
    ({"late": {"penalty_per_day": -5}}, ["late/penalty_per_day: minimum"]),
    ({"sandbox": {"time_limit": 0}}, ["sandbox/time_limit: exclusiveMinimum"]),
    ({"sandbox": {"memory_mb": 1}}, ["sandbox/memory_mb: minimum"]),
    ({"reveel": "always"}, [": additionalProperties"]),
])
def test_bad_assignments_are_rejected(change: dict, expected: list[str]) -> None:
    assert errors({**MINIMAL, **change}) == expected


@pytest.mark.parametrize("missing", ["id", "title", "exercises"])
def test_required_keys(missing: str) -> None:
    doc = {k: v for k, v in MINIMAL.items() if k != missing}
    assert errors(doc) == [": required"]


def test_the_loader_and_the_schema_agree_on_the_top_level_keys() -> None:
    from grader.course.assignment import TOP_KEYS

    assert set(SCHEMA["properties"]) == TOP_KEYS
