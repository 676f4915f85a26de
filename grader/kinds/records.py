"""The steps of a sequence: one value of a simple kind, or a record of named fields.

The perceptron's steps are records {point, w, b}; gradient descent's are vectors.
Both look the same to sequence.py through the StepItem protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from grader.core.errors import FormatError
from grader.kinds.arrays import Matrix, Vector
from grader.kinds.base import Kind, correct, make_verdict
from grader.kinds.exact import Bool, Integer
from grader.kinds.numeric import Scalar
from grader.kinds.parsing import quote
from grader.core.model import GradeContext, PartSpec, Verdict

# The kinds a step (or a field of a record step) may have.
ITEM_KINDS: dict[str, Kind] = {
    "scalar": Scalar(),
    "vector": Vector(),
    "matrix": Matrix(),
    "integer": Integer(),
    "bool": Bool(),
}


class StepItem(Protocol):
    def parse(self, raw: Any, part: PartSpec) -> Any: ...

    def normalise(self, value: Any, part: PartSpec) -> Any: ...

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool: ...

    def grade(self, answer: Any, target: Any, part: PartSpec) -> Verdict: ...

    def describe(self, part: PartSpec, example: Any) -> str: ...


class SimpleItem:
    """A step that is one value of a kind."""

    def __init__(self, kind: Kind):
        self.kind = kind

    def parse(self, raw: Any, part: PartSpec) -> Any:
        return self.kind.parse(raw, part)

    def normalise(self, value: Any, part: PartSpec) -> Any:
        return self.kind.normalise_reference(value, part)

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        return self.kind.differs(a, b, part)

    def grade(self, answer: Any, target: Any, part: PartSpec) -> Verdict:
        return self.kind.grade(answer, target, part, GradeContext())

    def describe(self, part: PartSpec, example: Any) -> str:
        return self.kind.describe(part, example)


class Record:
    """A step with named fields, each of its own kind (e.g. point: integer, w: vector)."""

    def __init__(self, fields: Mapping[str, Kind]):
        self.fields = dict(fields)

    def parse(self, raw: Any, part: PartSpec) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise FormatError(f"expected a mapping {self._form()}, got {quote(raw)}")
        keys = {str(k): v for k, v in raw.items()}
        missing = [f for f in self.fields if f not in keys]
        unknown = [k for k in keys if k not in self.fields]
        if missing or unknown:
            problem = (f"missing {', '.join(missing)}" if missing
                       else f"unknown key {quote(', '.join(unknown))[1:-1]}")
            raise FormatError(f"{problem}: each step is a mapping {self._form()}")
        parsed = {}
        for name, kind in self.fields.items():
            try:
                parsed[name] = kind.parse(keys[name], part)
            except FormatError as err:
                raise FormatError(f"{name}: {err}") from None
        return parsed

    def normalise(self, value: Any, part: PartSpec) -> dict[str, Any]:
        if not isinstance(value, dict) or set(map(str, value)) != set(self.fields):
            raise ValueError(f"expected a mapping with keys {sorted(self.fields)}, got {value!r}")
        keys = {str(k): v for k, v in value.items()}
        return {name: kind.normalise_reference(keys[name], part)
                for name, kind in self.fields.items()}

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        if not isinstance(a, dict) or not isinstance(b, dict):
            return True
        return any(name not in a or name not in b or kind.differs(a[name], b[name], part)
                   for name, kind in self.fields.items())

    def grade(self, answer: Any, target: Any, part: PartSpec) -> Verdict:
        for name, kind in self.fields.items():
            if kind.differs(answer[name], target[name], part):
                verdict = kind.grade(answer[name], target[name], part, GradeContext())
                return make_verdict(0.0, f"{name}: {verdict.feedback}", mistake=verdict.mistake)
        return correct()

    def describe(self, part: PartSpec, example: Any) -> str:
        return self._form(part, example)

    def _form(self, part: PartSpec | None = None, example: Any = None) -> str:
        """'{point: a whole number, w: a vector of 2 numbers}', or kind names without a part."""
        def field(name: str, kind: Kind) -> str:
            if part is not None and isinstance(example, dict) and name in example:
                return kind.describe(part, example[name]).split(", e.g.")[0]
            return kind.name
        return "{" + ", ".join(f"{n}: {field(n, k)}" for n, k in self.fields.items()) + "}"
