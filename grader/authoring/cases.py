"""Function exercises: the cases a student's function is called on, and their expected values.

Cases are plain data: public ones (shown to the student), hidden fixed edge cases, and random
ones drawn from the variant's seed. Expected values come from the reference solver, computed
in the trusted process; the sandbox only ever sees the inputs.
"""

from __future__ import annotations

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
