"""`params:` (named generators drawn in order), `where:` constraints, and function random args."""

from __future__ import annotations

import keyword
import math
from collections.abc import Sequence
from typing import Any

from grader.core.model import Constraint, ParamSpec
from grader.authoring.spec.checker import INVALID, Checker, describe, suggest
from grader.authoring.spec.declared import PARAMS
from grader.authoring.spec.exprcheck import check_expr
from grader.authoring.spec.tables import NAME, STEP_NAMES
from grader.authoring.spec.yamlload import KeyPath

# Names a parameter may not take: the expression constants and what `step` adds.
RESERVED = frozenset({"pi", "e", "inf", "nan", "True", "False", "None", *STEP_NAMES})


def check_params(ck: Checker, raw: Any, path: KeyPath, *, outer: Sequence[str] = (),
                 what: str = "parameter") -> dict[str, ParamSpec] | Any:
    """A mapping name -> {generator: {args}}; each may use `outer` names and earlier ones."""
    mapping = ck.mapping(raw if raw is not None else {}, path, PARAMS)
    if mapping is None:
        return INVALID
    names = list(mapping)
    out: dict[str, ParamSpec] = {}
    ok = True
    for i, name in enumerate(names):
        scope = [*outer, *names[:i]]
        spec = _param(ck, name, mapping[name], path + (name,), scope=scope,
                      later=names[i + 1:], what=what)
        if spec is INVALID:
            ok = False
        else:
            out[name] = spec
    return out if ok else INVALID


def _param(ck: Checker, name: str, raw: Any, path: KeyPath, *, scope: Sequence[str],
           later: Sequence[str], what: str) -> ParamSpec | Any:
    from grader.authoring.generators import GENERATORS

    ok = _check_name(ck, name, path, what=what)
    if raw is INVALID:
        return INVALID
    if not (isinstance(raw, dict) and len(raw) == 1):
        ck.error(path, "expected a one-key mapping {generator: {arguments}}, like "
                       f"{{integers: {{low: 1, high: 5}}}}, got {describe(raw)}")
        return INVALID
    (generator, args), = raw.items()
    if generator not in GENERATORS:
        hint = suggest(generator, GENERATORS) or \
            f" (known: {', '.join(sorted(GENERATORS))})"
        ck.error(path + (generator,), f"unknown generator '{generator}'{hint}", key=True)
        return INVALID
    if args is not None and not isinstance(args, dict):
        ck.error(path + (generator,), f"expected a mapping of arguments, got {describe(args)}")
        return INVALID
    args = args or {}
    if not _no_nan(ck, args, path + (generator,)):
        return INVALID
    instance = _construct(ck, generator, args, path + (generator,))
    if instance is INVALID:
        return INVALID
    if not _check_arg_exprs(ck, generator, args, path + (generator,), scope, later):
        return INVALID
    return ParamSpec(name=name, generator=generator, args=args, instance=instance) \
        if ok else INVALID


def _no_nan(ck: Checker, value: Any, path: KeyPath) -> bool:
    """nan anywhere in a generator's arguments is an error: no exercise means a nan parameter.

    inf stays allowed inside lists (an lp-norm's p: {choice: {options: [1, 2, .inf]}}); the
    generators' own numeric arguments (low, high, ...) reject it themselves.
    """
    if isinstance(value, float) and math.isnan(value):
        ck.error(path, "expected a number, got nan: a parameter drawn from nan makes every "
                       "answer nan")
        return False
    if isinstance(value, dict):
        return all([_no_nan(ck, v, path + (k,)) for k, v in value.items()])
    if isinstance(value, list):
        return all([_no_nan(ck, v, path + (i,)) for i, v in enumerate(value)])
    return True


def _check_name(ck: Checker, name: str, path: KeyPath, *, what: str) -> bool:
    if not NAME.match(name) or keyword.iskeyword(name):
        ck.error(path, f"{what} name '{name}' must be a Python-style identifier "
                       "(letters, digits, '_'; not starting with a digit)", key=True)
        return False
    if name in RESERVED:
        ck.error(path, f"{what} name '{name}' is reserved (a constant or 'prev'); rename it",
                 key=True)
        return False
    return True


def _construct(ck: Checker, generator: str, args: dict, path: KeyPath) -> Any:
    from grader.authoring.generators import GENERATORS, GeneratorArgError, build_generator

    try:
        return build_generator(generator, args)
    except GeneratorArgError as exc:
        declared = getattr(GENERATORS[generator], "ARGS", {})
        where = path + (exc.arg,) if exc.arg in args else path
        ck.error(where, exc.message, key=exc.arg not in declared)
        return INVALID


def _check_arg_exprs(ck: Checker, generator: str, args: dict, path: KeyPath,
                     scope: Sequence[str], later: Sequence[str]) -> bool:
    """The `=expression` arguments (and expr's value) use only parameters drawn before."""
    ok = True
    for key, value in args.items():
        if generator == "const" or not isinstance(value, str):
            continue
        if generator == "expr" or value.startswith("="):
            prefix = 1 if value.startswith("=") else 0
            expr = check_expr(ck, path + (key,), value, names=scope, later=later, prefix=prefix)
            ok = ok and expr is not INVALID
    return ok


def check_where(ck: Checker, raw: Any, path: KeyPath, *,
                names: Sequence[str]) -> tuple[Constraint, ...] | Any:
    """A list of expressions over the parameters, each of which must hold."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        ck.error(path, f"expected a list of expressions, got {describe(raw)}")
        return INVALID
    out = []
    for i, item in enumerate(raw):
        expr = check_expr(ck, path + (i,), item, names=names)
        if expr is not INVALID:
            out.append(Constraint(text=expr.text, expr=expr))
    return tuple(out) if len(out) == len(raw) else INVALID
