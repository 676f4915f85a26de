"""The JSON Schemas shipped for editors, generated from the declarations (never edited by hand).

    python -m grader.authoring.published --write   # rewrite grader/schema/*.schema.json
    python -m grader.authoring.published           # exit 1 and name the stale files

tests/unit/test_schema.py fails when a shipped file differs from what this writes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.core import schema as S
from grader.core.fsutil import atomic_write_text
from grader.authoring.assignment_schema import assignment_schema
from grader.authoring.spec import declared as D

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"


def _generators() -> dict[str, S.Json]:
    """$defs for `params`: one one-key mapping per generator, its arguments from ARGS."""
    from grader.authoring.generators import GENERATORS

    defs: dict[str, S.Json] = {"generator": {
        "description": "A one-key mapping {generator: {arguments}}.", "type": "object",
        "minProperties": 1, "maxProperties": 1,
        "propertyNames": {"enum": sorted(GENERATORS)},
        "oneOf": [{"$ref": f"#/$defs/gen_{name}"} for name in sorted(GENERATORS)]}}
    for name in sorted(GENERATORS):
        cls = GENERATORS[name]
        args = cls.declaration()
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        gen = S.Record({name: S.Field(args, required=True)}, description=" ".join(doc.split()))
        defs[f"gen_{name}"] = gen.to_json()
    return defs


def _part() -> S.Json:
    """Every key some kind takes; per kind, its required keys and the others' absence."""
    every = D.part_record(None)
    out = every.json()
    out["required"] = list(D.PART_COMMON.required[:2])
    rules = []
    for kind in D.KINDS:
        own = D.part_record(kind)
        banned = {k: False for k in every.fields if k not in own.fields}
        rules.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                      "then": {"required": sorted(set(own.required) - {"id", "kind"}),
                               "properties": banned}})
    out["allOf"] = rules
    return out


def exercise_schema() -> S.Json:
    """The JSON Schema of a spec file (grader/schema/exercise.schema.json)."""
    dynamic = S.Str(pattern="^=", description="'=expression' over the parameters drawn before "
                                              "this one, e.g. \"=n\".")
    defs: dict[str, Any] = {
        "expression": S.Str(min_length=1, description=(
            "An expression over the parameters, the built-in functions and the solvers, "
            "e.g. kl_divergence(p, q).")),
        "expressionOrValue": S.AnyOf((D.EXPRESSION, S.Custom(schema={
            "type": ["number", "boolean", "array", "object"]})),
            description="An expression, or a literal number, list or mapping."),
        "dynamic": dynamic,
        "tolerance": D.TOLERANCE,
        "params": D.PARAMS,
        "mistake": D.MISTAKE,
        "case": D.CASE,
        "function": D.FUNCTION,
    }
    schema = S.document(D.TOP, title="grader exercise spec",
                        schema_id="https://grader.invalid/schema/exercise.schema.json",
                        description=(
                            "One randomised, auto-graded exercise (docs/spec.md). Add "
                            "`# yaml-language-server: $schema=<path to this file>` to a spec "
                            "for completion and checks in your editor; `grader validate` "
                            "checks more (expressions, names, generator arguments)."),
                        defs=defs)
    schema["$defs"].update(_generators())
    schema["$defs"]["part"] = _part()
    return schema


SCHEMAS: dict[str, Callable[[], S.Json]] = {
    "exercise": exercise_schema,
    "assignment": assignment_schema,
}


def stale(folder: Path = SCHEMA_DIR) -> list[Path]:
    """The shipped schema files whose text differs from what the declarations generate."""
    out = []
    for name, make in SCHEMAS.items():
        path = folder / f"{name}.schema.json"
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != S.dumps(make()):
            out.append(path)
    return out


def write(folder: Path = SCHEMA_DIR) -> list[Path]:
    """Rewrite the stale schema files; the paths written."""
    written = stale(folder)
    for path in written:
        atomic_write_text(path, S.dumps(SCHEMAS[path.name.split(".")[0]]()))
    return written


def main(argv: list[str]) -> int:
    if "--write" in argv:
        for path in write():
            print(f"wrote {path}")
        return 0
    late = stale()
    for path in late:
        print(f"{path} is stale: run python -m grader.authoring.published --write")
    return 1 if late else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
