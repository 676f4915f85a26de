"""Function exercises: the cases a student's function is called on, and their expected values.

Cases are plain data: public ones (shown to the student), hidden fixed edge cases, and random
ones drawn from the variant's seed. Expected values come from the reference solver, computed
in the trusted process; the sandbox only ever sees the inputs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from grader.core.model import FunctionSpec
from grader.core.values import to_plain

Visibility = Literal["public", "hidden"]


@dataclass(frozen=True)
class BuiltCase:
    id: str  # "public-1", "hidden-2", "random-3"
    args: list
    kwargs: dict
    visibility: Visibility
    why: str = ""


def build_cases(fn: FunctionSpec, rng: Any) -> list[BuiltCase]:
    """The public, hidden and random cases of a function part, in a stable order."""
    cases = [BuiltCase(f"public-{i}", to_plain(list(c.args)), to_plain(dict(c.kwargs)), "public",
                       c.why) for i, c in enumerate(fn.public, 1)]
    cases += [BuiltCase(f"hidden-{i}", to_plain(list(c.args)), to_plain(dict(c.kwargs)),
                        "hidden", c.why) for i, c in enumerate(fn.hidden, 1)]
    gens = {name: _generator(spec) for name, spec in fn.random_args.items()}
    for i in range(1, fn.random_count + 1):
        env: dict[str, Any] = {}
        for name, gen in gens.items():
            env[name] = gen.draw(rng, env)
        args = [env[n] for n in fn.random_args if not n.startswith("_")]
        cases.append(BuiltCase(f"random-{i}", to_plain(args), {}, "hidden", "random case"))
    return cases


def _generator(spec: Any) -> Any:
    """A ParamSpec from the loader carries its generator; a raw {name: args} is built here."""
    from grader.authoring.generators import build_generator

    if hasattr(spec, "instance"):
        return spec.instance
    (name, args), = spec.items()
    return build_generator(name, args or {})


def reference_value(fn: FunctionSpec, case: BuiltCase) -> Any:
    """The reference solver's answer for one case, as plain data."""
    import copy

    from grader.solvers import SOLVERS

    ref = SOLVERS[fn.reference]
    return to_plain(ref(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs)))


def shape_problem(value: Any, returns: Any) -> str | None:
    """Why value does not have the declared return form, or None when it does."""
    if isinstance(returns, Mapping) and "tuple" in returns:
        items = returns["tuple"]
        if not isinstance(value, list) or len(value) != len(items):
            return f"expected a tuple of {len(items)} values"
        for i, (v, r) in enumerate(zip(value, items)):
            p = shape_problem(v, r)
            if p:
                return f"item {i}: {p}"
        return None
    checks = {"scalar": _is_number, "integer": _is_int, "bool": lambda v: isinstance(v, bool),
              "vector": _is_vector, "matrix": _is_matrix,
              "list_of_vectors": lambda v: isinstance(v, list) and all(map(_is_vector, v))}
    if returns not in checks:
        return f"unknown return form {returns!r}"
    return None if checks[returns](value) else f"expected a {returns.replace('_', ' ')}"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_int(v: Any) -> bool:
    return _is_number(v) and (isinstance(v, int) or (math.isfinite(v) and v == int(v)))


def _is_vector(v: Any) -> bool:
    return isinstance(v, list) and all(map(_is_number, v))


def _is_matrix(v: Any) -> bool:
    return (isinstance(v, list) and len(v) > 0 and all(map(_is_vector, v))
            and len({len(r) for r in v}) == 1)
