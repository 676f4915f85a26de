"""One schema vocabulary: declare a mapping's keys once, check documents and write JSON Schema.

A declaration is data: a `Record` names its keys (`Field`s: a type, required or a default, a
description); types say what fits (`Int(1, 5)`, `Number(0, 600, low_open=True)`, `Enum(...)`,
`ListOf(...)`, `MapOf(...)`, `Ref("name")`, `Custom(...)`). From the same declaration:

- the loaders' diagnostics: `expected(value)` gives the phrase after "expected" ("an integer
  from 1 to 5"), `Record.unknown(key)` the "unknown key ...; did you mean ...?" sentence, and
  `Record.required` / `Record.optional` the keys to look for;
- the JSON Schemas shipped for editors: `to_json()`, with the descriptions editors show.

What is not a question of shape (expressions, templates, a generator's own checks) stays in
the loaders, as code the declarations leave room for (`Custom` types, fields checked by hooks).
"""

from __future__ import annotations

import functools

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from grader.core.schema_words import describe, suggest

__all__ = ["MISSING", "AnyOf", "Bool", "Custom", "Enum", "Field", "Int", "Json", "ListOf",
           "MapOf", "Number", "Record", "Ref", "Str", "Type", "describe", "document", "dumps",
           "is_int", "is_number", "problem", "suggest"]

Json = dict[str, Any]
MISSING: Any = object()  # a Field's default when none is declared


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _with(schema: Json, description: str) -> Json:
    return {**schema, "description": description} if description else schema


# ---------------------------------------------------------------- types


class Type:
    """What a value must be: `fits(v)`, the phrase `expected(v)` and its JSON Schema."""

    wanted: str = "a value"
    description: str = ""

    def fits(self, value: Any) -> bool:
        raise NotImplementedError

    def expected(self, value: Any) -> str | None:
        """None when value fits; otherwise what was expected, for "expected X, got Y"."""
        return None if self.fits(value) else self.wanted

    def json(self) -> Json:
        raise NotImplementedError

    def to_json(self) -> Json:
        return _with(self.json(), self.description)


@dataclass(frozen=True)
class Str(Type):
    """A string; `nonblank` refuses "" and whitespace, `min_length` short strings, `pattern`
    is a regular expression."""

    wanted: str = "a string"
    nonblank: bool = False
    pattern: str | None = None
    min_length: int = 0
    description: str = ""

    def fits(self, value: Any) -> bool:
        import re

        if not isinstance(value, str) or (self.nonblank and not value.strip()):
            return False
        if len(value) < self.min_length:
            return False
        return self.pattern is None or re.match(self.pattern, value) is not None

    def json(self) -> Json:
        out: Json = {"type": "string"}
        if self.nonblank or self.min_length:
            out["minLength"] = max(self.min_length, 1)
        if self.pattern or self.nonblank:
            out["pattern"] = self.pattern or r"\S"  # not only whitespace
        return out


@dataclass(frozen=True)
class Bool(Type):
    wanted: str = "true or false"
    description: str = ""

    def fits(self, value: Any) -> bool:
        return isinstance(value, bool)

    def json(self) -> Json:
        return {"type": "boolean"}


def _bound(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


@dataclass(frozen=True)
class Number(Type):
    """A finite real number (not a bool, nan or inf) in [low, high] (low excluded if low_open).

    `below` is an exclusive upper bound the JSON Schema does not state (a sanity bound).
    """

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    wanted: str = "a number"
    below: float = math.inf
    description: str = ""

    def fits(self, value: Any) -> bool:
        if not is_number(value) or not value < self.below or math.isnan(value):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return math.isfinite(value) and (self.high is None or value <= self.high)

    def json(self) -> Json:
        out: Json = {"type": self._json_type}
        if self.low is not None:
            out["exclusiveMinimum" if self.low_open else "minimum"] = _bound(self.low)
        if self.high is not None:
            out["maximum"] = _bound(self.high)
        return out

    _json_type = "number"


@dataclass(frozen=True)
class Int(Number):
    """A whole number (an int, not a bool) in [low, high]."""

    wanted: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if not self.wanted:
            if self.low is None:
                phrase = "an integer"
            elif self.high is None:
                phrase = f"an integer >= {self.low}"
            else:
                phrase = f"an integer from {self.low} to {self.high}"
            object.__setattr__(self, "wanted", phrase)

    def fits(self, value: Any) -> bool:
        return is_int(value) and super().fits(value)

    _json_type = "integer"


@dataclass(frozen=True)
class Enum(Type):
    """One of a closed set of strings."""

    values: tuple[str, ...] = ()
    wanted: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if not self.wanted:
            object.__setattr__(self, "wanted", f"one of {', '.join(self.values)}")

    def fits(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.values

    def hint(self, value: Any) -> str:
        """The 'did you mean' for a string that is not one of the values."""
        return suggest(value, self.values) if isinstance(value, str) else ""

    def json(self) -> Json:
        return {"enum": list(self.values)}


@dataclass(frozen=True)
class ListOf(Type):
    """A list of items of one type; `min_items`, `unique` as in JSON Schema."""

    item: Type | None = None
    min_items: int = 0
    unique: bool = False
    wanted: str = "a list"
    nullable: bool = False
    description: str = ""

    def fits(self, value: Any) -> bool:
        if not isinstance(value, list) or len(value) < self.min_items:
            return False
        if self.unique and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
            return False
        return self.item is None or all(self.item.fits(v) for v in value)

    def json(self) -> Json:
        out: Json = {"type": ["array", "null"] if self.nullable else "array"}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.unique:
            out["uniqueItems"] = True
        if self.item is not None:
            out["items"] = self.item.to_json()
        return out


@dataclass(frozen=True)
class MapOf(Type):
    """A mapping of free names (matching key_pattern) to values of one type."""

    values: Type | None = None
    key_pattern: str | None = None
    min_items: int = 0
    wanted: str = "a mapping"
    nullable: bool = False
    description: str = ""

    def fits(self, value: Any) -> bool:
        ok = isinstance(value, dict) and len(value) >= self.min_items
        return ok and (self.values is None or all(self.values.fits(v) for v in value.values()))

    def json(self) -> Json:
        out: Json = {"type": ["object", "null"] if self.nullable else "object"}
        if self.min_items:
            out["minProperties"] = self.min_items
        if self.key_pattern:
            out["propertyNames"] = {"pattern": self.key_pattern}
        if self.values is not None:
            out["additionalProperties"] = self.values.to_json()
        return out


@dataclass(frozen=True)
class Ref(Type):
    """A type declared once under a name in the schema's `$defs`."""

    name: str = ""
    target: Type | None = None  # for fits(); None: anything fits (checked elsewhere)
    description: str = ""

    def fits(self, value: Any) -> bool:
        return self.target is None or self.target.fits(value)

    def json(self) -> Json:
        return {"$ref": f"#/$defs/{self.name}"}


@dataclass(frozen=True)
class Custom(Type):
    """A check written as code (a hook), with the JSON Schema an editor can use."""

    check: Callable[[Any], bool] = lambda value: True
    schema: Json = field(default_factory=dict)
    wanted: str = "a value"
    description: str = ""

    def fits(self, value: Any) -> bool:
        return self.check(value)

    def json(self) -> Json:
        return dict(self.schema)


@dataclass(frozen=True)
class AnyOf(Type):
    """Any of several types (a one-key mapping, or a string, ...)."""

    options: tuple[Type, ...] = ()
    wanted: str = "a value"
    one: bool = False  # exactly one must fit (JSON Schema oneOf)
    description: str = ""

    def fits(self, value: Any) -> bool:
        return any(t.fits(value) for t in self.options)

    def json(self) -> Json:
        return {"oneOf" if self.one else "anyOf": [t.to_json() for t in self.options]}


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Field:
    """One key of a Record: its type, whether it is required, its default and description."""

    type: Type
    required: bool = False
    default: Any = MISSING
    description: str = ""
    json_default: Any = MISSING  # what the JSON Schema states, when not `default`

    def to_json(self) -> Json:
        out = self.type.to_json()
        if self.description:
            out["description"] = self.description
        shown = self.default if self.json_default is MISSING else self.json_default
        if shown is not MISSING and shown is not None and not callable(shown):
            out["default"] = list(shown) if isinstance(shown, tuple) else shown
        return out


@dataclass(frozen=True)
class Record(Type):
    """A mapping with declared keys; any other key is an error (with a 'did you mean')."""

    fields: Mapping[str, Field] = field(default_factory=dict)
    wanted: str = "a mapping"
    description: str = ""
    extra_json: Json = field(default_factory=dict)  # e.g. allOf rules for editors

    @functools.cached_property
    def required(self) -> tuple[str, ...]:  # cached: checked for every stored document read
        return tuple(k for k, f in self.fields.items() if f.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(k for k, f in self.fields.items() if not f.required)

    def unknown(self, key: str, *, sort: bool = False) -> str:
        """'unknown key 'x'; did you mean 'y'?' or '...; expected one of: a, b'."""
        known: Sequence[str] = sorted(self.fields) if sort else list(self.fields)
        hint = suggest(key, known) or f"; expected one of: {', '.join(known)}"
        return f"unknown key '{key}'{hint}"

    def fits(self, value: Any) -> bool:
        if not isinstance(value, dict) or any(k not in self.fields for k in value):
            return False
        if any(k not in value for k in self.required):
            return False
        return all(self.fields[k].type.fits(v) for k, v in value.items())

    def only(self, *keys: str, **changed: Field) -> Record:
        """The same record restricted to some keys (all when none given), fields replaced."""
        chosen = {k: f for k, f in self.fields.items() if not keys or k in keys}
        return Record({**chosen, **changed}, wanted=self.wanted, description=self.description)

    def json(self) -> Json:
        out: Json = {"type": "object", "additionalProperties": False}
        if self.required:
            out["required"] = list(self.required)
        out["properties"] = {k: f.to_json() for k, f in self.fields.items()}
        return {**out, **self.extra_json}


def problem(record: Record, data: Any, what: str) -> str | None:
    """The first way a document grader wrote itself breaks its record, in words; None if none.

    For files read back (a key, a stored result): a missing key or a value of the wrong type is
    damage, while a key the record does not declare is left alone (a newer version's).
    """
    if not isinstance(data, dict):
        return f"{what} is not a mapping"
    for name in record.required:
        if name not in data:
            return f"{what} has no {name!r}"
    for name, declared in record.fields.items():
        if name in data and not declared.type.fits(data[name]):
            return f"{what}: {name!r} is not {declared.type.wanted}"
    return None


def document(root: Record, *, title: str, schema_id: str, description: str,
             defs: Mapping[str, Type] | None = None) -> Json:
    """A whole JSON Schema (draft 2020-12) for a root record and its named $defs."""
    body = root.json()
    out: Json = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": schema_id,
                 "title": title, "description": description, **body}
    if defs:
        out["$defs"] = {name: t.to_json() for name, t in defs.items()}
    return out


def dumps(schema: Json) -> str:
    """The bytes a schema file holds: indented JSON, non-ASCII kept, a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
