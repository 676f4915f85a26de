"""The `function:` block of a function part: what the student writes and how it is tested."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

from grader.core.model import FUNCTION_TOLERANCE, Case, FunctionSpec
from grader.authoring.spec.checker import INVALID, Checker, check_tolerance, describe, suggest
from grader.authoring.spec.declared import CASE, FUNCTION, RANDOM
from grader.authoring.spec.exprcheck import solver_table
from grader.authoring.spec.tables import RETURNS, TUPLE_ITEMS
from grader.authoring.spec.yamlload import KeyPath


def check_function(ck: Checker, raw: Any, path: KeyPath, *,
                   names: Sequence[str]) -> FunctionSpec | Any:
    """Check the block; the FunctionSpec, or INVALID after reporting every problem."""
    block = ck.mapping(raw, path, FUNCTION)
    if block is None:
        return INVALID
    ck.keys(block, path, FUNCTION)
    name = ck.get(block, path, FUNCTION, "name")
    params = _signature(ck, block, path, name)
    docstring = ck.get(block, path, FUNCTION, "docstring")
    reference = _reference(ck, block, path)
    returns = _returns(ck, block, path)
    tolerance = check_tolerance(ck, block.get("tolerance"), path + ("tolerance",),
                                default=FUNCTION_TOLERANCE)
    time_limit = ck.get(block, path, FUNCTION, "time_limit")
    public = _cases(ck, block.get("public"), path + ("public",), params)
    hidden = _cases(ck, block.get("hidden"), path + ("hidden",), params)
    count, random_args = _random(ck, block.get("random"), path + ("random",), params, names)
    fields = (name, params, docstring, reference, returns, tolerance, time_limit, public,
              hidden, count, random_args)
    if any(f is INVALID for f in fields):
        return INVALID
    if not (public or hidden or count):
        ck.error(path, "no cases: give at least one of public, hidden or random")
        return INVALID
    return FunctionSpec(name=name, signature=block["signature"], docstring=docstring,
                        reference=reference, returns=returns, tolerance=tolerance,
                        public=public, hidden=hidden, random_count=count,
                        random_args=random_args, time_limit=float(time_limit))


def _signature(ck: Checker, block: dict, path: KeyPath, name: Any) -> Any:
    """The parameters of `signature`: `name(params)`, optionally `-> what it returns`."""
    sig = ck.get(block, path, FUNCTION, "signature")
    if sig is INVALID or name is INVALID:
        return INVALID
    if not sig.startswith(f"{name}("):
        ck.error(path + ("signature",), f"expected a signature starting with '{name}(' "
                                        f"(the function's name), got {describe(sig)}")
        return INVALID
    head = sig.split("->")[0].strip()  # after '->' a free description of the result
    try:
        tree = ast.parse(f"def {head}:\n    pass\n")
    except SyntaxError as exc:
        ck.error(path + ("signature",), f"not a valid Python signature: {exc.msg}")
        return INVALID
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)  # "def ...: pass" parses to exactly that
    a = fn.args
    return {"positional": [p.arg for p in (*a.posonlyargs, *a.args)],
            "required": len(a.posonlyargs) + len(a.args) - len(a.defaults),
            "keyword": [p.arg for p in (*a.args, *a.kwonlyargs)], "varargs": a.vararg is not None}


def _reference(ck: Checker, block: dict, path: KeyPath) -> Any:
    ref = ck.get(block, path, FUNCTION, "reference")
    if ref is INVALID:
        return INVALID
    solvers = solver_table()
    if ref not in solvers:
        ck.error(path + ("reference",), f"unknown solver '{ref}'{suggest(ref, solvers)}")
        return INVALID
    return ref


def _returns(ck: Checker, block: dict, path: KeyPath) -> Any:
    """'scalar' etc., or {'tuple': [...]} from `returns: tuple` + `items:` (or inline)."""
    raw = block.get("returns")
    items: Any = block.get("items")
    if isinstance(raw, dict) and list(raw) == ["tuple"]:
        items, raw = raw["tuple"], "tuple"
    if raw not in RETURNS:
        hint = suggest(raw, RETURNS) if isinstance(raw, str) else ""
        if "returns" in block:
            ck.error(path + ("returns",), f"expected one of {', '.join(RETURNS)}, "
                                          f"got {describe(raw)}{hint}")
        return INVALID
    if raw != "tuple":
        if "items" in block:
            ck.error(path + ("items",), "'items' is only used with returns: tuple", key=True)
            return INVALID
        return raw
    ok = isinstance(items, list) and len(items) >= 2 and all(i in TUPLE_ITEMS for i in items)
    if not ok:
        ck.error(path + ("items",) if "items" in block else path + ("returns",),
                 f"expected items: a list of at least 2 of {', '.join(TUPLE_ITEMS)} "
                 f"(one per returned value), got {describe(items)}")
        return INVALID
    return {"tuple": list(items)}


def _cases(ck: Checker, raw: Any, path: KeyPath, params: Any) -> tuple[Case, ...] | Any:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        ck.error(path, f"expected a list of cases ({{args: [...]}}), got {describe(raw)}")
        return INVALID
    out = [_case(ck, item, path + (i,), params) for i, item in enumerate(raw)]
    return INVALID if any(c is INVALID for c in out) else tuple(out)


def _case(ck: Checker, raw: Any, path: KeyPath, params: Any) -> Case | Any:
    case = ck.mapping(raw, path, CASE)
    if case is None:
        return INVALID
    ck.keys(case, path, CASE)
    args = ck.get(case, path, CASE, "args")
    kwargs = ck.get(case, path, CASE, "kwargs")
    why = ck.get(case, path, CASE, "why")
    if INVALID in (why,) or args is INVALID or kwargs is INVALID:
        return INVALID
    if params is not INVALID and not _arity_ok(ck, path, args, kwargs, params):
        return INVALID
    return Case(args=tuple(args), kwargs=dict(kwargs or {}), why=why.strip())


def _arity_ok(ck: Checker, path: KeyPath, args: list, kwargs: dict, params: dict) -> bool:
    given = len(args)
    most = len(params["positional"])
    if given < params["required"] - len(kwargs) or (given > most and not params["varargs"]):
        ck.error(path + ("args",), f"expected {params['required']} to {most} arguments "
                                   f"(the signature's parameters), got {given}")
        return False
    for key in kwargs:
        if key not in params["keyword"]:
            ck.error(path + ("kwargs", key), f"'{key}' is not a parameter of the function"
                                             f"{suggest(key, params['keyword'])}", key=True)
            return False
    return True


def _random(ck: Checker, raw: Any, path: KeyPath, params: Any,
            names: Sequence[str]) -> tuple[int, dict] | tuple[Any, Any]:
    """{count, args: {name: generator}}; arguments drawn per case from the variant's seed."""
    from grader.authoring.spec.params import check_params

    if raw is None:
        return 0, {}
    block = ck.mapping(raw, path, RANDOM)
    if block is None:
        return INVALID, INVALID
    ck.keys(block, path, RANDOM)
    count = ck.get(block, path, RANDOM, "count")
    args = check_params(ck, block.get("args"), path + ("args",), outer=names,
                        what="argument") if "args" in block else INVALID
    if args is not INVALID and params is not INVALID:
        args = _random_order(ck, path + ("args",), args, params)
    return count, args


def _random_order(ck: Checker, path: KeyPath, args: dict, params: dict) -> Any:
    """Random arguments are passed by position: the function's first parameters, in order."""
    for name in args:
        if name not in params["keyword"] and not name.startswith("_"):
            ck.error(path + (name,), f"'{name}' is not a parameter of the function"
                                     f"{suggest(name, params['keyword'])}", key=True)
            return INVALID
    given = [n for n in args if not n.startswith("_")]
    wanted = params["positional"][:max(len(given), params["required"])]
    if given != wanted:
        ck.error(path, f"expected the function's parameters in order ({', '.join(wanted)}), "
                       f"got ({', '.join(given)}); names starting with '_' are helpers")
        return INVALID
    return args
