"""`parts:` — each part's id, kind, prompt, solution, points, tolerance, mistakes and options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grader.core.model import HAND_TOLERANCE, MistakeSpec, PartSpec
from grader.authoring.spec.checker import (
    INVALID,
    Checker,
    boolean,
    check_tolerance,
    describe,
    nonempty_list,
    points_value,
    string,
    suggest,
    text,
)
from grader.authoring.spec.exprcheck import check_expr, check_template
from grader.authoring.spec.function import check_function
from grader.authoring.spec.tables import (
    KIND_KEYS,
    KIND_REQUIRED,
    MISTAKE_KEYS,
    PART_COMMON,
    PART_ID,
    SEQUENCE_ITEMS,
    STEP_NAMES,
)
from grader.authoring.spec.yamlload import KeyPath

KINDS = tuple(sorted(KIND_KEYS))


def check_parts(ck: Checker, raw: Any, path: KeyPath, *,
                names: Sequence[str]) -> tuple[PartSpec, ...] | Any:
    """A non-empty list of parts with unique ids."""
    parts = ck.value(raw, path, nonempty_list("parts"))
    if parts is INVALID:
        return INVALID
    out: list[Any] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(parts):
        part = _part(ck, item, path + (i,), names=names)
        pid = item.get("id") if isinstance(item, dict) else None
        if isinstance(pid, str) and pid in seen:
            ck.error(path + (i, "id"), f"duplicate part id '{pid}' (also parts[{seen[pid]}])")
            part = INVALID
        elif isinstance(pid, str):
            seen[pid] = i
        out.append(part)
    return INVALID if any(p is INVALID for p in out) else tuple(out)


def _part(ck: Checker, raw: Any, path: KeyPath, *, names: Sequence[str]) -> PartSpec | Any:
    part = ck.mapping(raw, path, what="a part (a mapping with id, kind, solution, ...)")
    if part is None:
        return INVALID
    kind = _kind(ck, part, path)
    _part_keys(ck, part, path, kind)
    pid = ck.field(part, path, "id", _part_id)
    prompt = ck.field(part, path, "prompt", string, "")
    if isinstance(prompt, str) and prompt:
        check_template(ck, path + ("prompt",), prompt, names=names)
    points = ck.field(part, path, "points", points_value, 1)
    if kind is INVALID:  # still check what does not depend on the kind
        if "solution" in part:
            check_expr(ck, path + ("solution",), part["solution"], names=names)
        _mistakes(ck, part.get("mistakes"), path + ("mistakes",), names=names)
        return INVALID
    function: Any
    solution: Any
    mistakes: Any
    if kind == "function":
        function = check_function(ck, part.get("function"), path + ("function",), names=names)
        solution, mistakes, tolerance = None, (), getattr(function, "tolerance", INVALID)
    else:
        function = None
        solution = check_expr(ck, path + ("solution",), part.get("solution"), names=names) \
            if "solution" in part else INVALID
        mistakes = _mistakes(ck, part.get("mistakes"), path + ("mistakes",), names=names)
        tolerance = check_tolerance(ck, part.get("tolerance"), path + ("tolerance",),
                                    default=HAND_TOLERANCE)
    options = _options(ck, part, path, kind, names=names)
    fields = (pid, prompt, points, solution, mistakes, tolerance, options, function)
    if any(f is INVALID for f in fields):
        return INVALID
    return PartSpec(id=pid, kind=kind, prompt=prompt, solution=solution, points=float(points),
                    tolerance=tolerance, mistakes=mistakes, options=options, function=function)


def _part_id(v: Any) -> str | None:
    ok = isinstance(v, str) and PART_ID.match(v)
    return None if ok else "a part id: letters, digits and '_', starting with a letter"


def _kind(ck: Checker, part: dict, path: KeyPath) -> Any:
    kind = part.get("kind")
    if "kind" not in part:
        return INVALID  # reported as a missing key
    if not isinstance(kind, str) or kind not in KIND_KEYS:
        shown = f"'{kind}'" if isinstance(kind, str) else describe(kind)
        hint = suggest(kind, KINDS) if isinstance(kind, str) else ""
        ck.error(path + ("kind",), f"unknown kind {shown}{hint} (kinds: {', '.join(KINDS)})")
        return INVALID
    return kind


def _part_keys(ck: Checker, part: dict, path: KeyPath, kind: Any) -> None:
    if kind is INVALID:  # still catch typos, against every key some kind accepts
        every = sorted({k for keys in KIND_KEYS.values() for k in keys})
        ck.keys(part, path, required=("id", "kind"), optional=[*PART_COMMON[2:], *every])
        return
    common = [k for k in PART_COMMON if kind != "function" or k not in ("solution", "mistakes")]
    required = ["id", "kind", *(["solution"] if kind != "function" else []),
                *KIND_REQUIRED.get(kind, ())]
    optional = [k for k in (*common, *KIND_KEYS[kind]) if k not in required]

    def elsewhere(key: str) -> str | None:
        if kind == "function" and key in ("solution", "mistakes", "tolerance"):
            return f"'{key}' is not used by kind 'function' (the function block holds the " \
                   "reference solver, tolerance and cases)"
        users = [k for k, keys in KIND_KEYS.items() if key in keys]
        if users:
            return f"'{key}' is not used by kind '{kind}' (only by: {', '.join(users)})"
        return None

    ck.keys(part, path, required=required, optional=optional, elsewhere=elsewhere)


def _mistakes(ck: Checker, raw: Any, path: KeyPath, *,
              names: Sequence[str]) -> tuple[MistakeSpec, ...] | Any:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        ck.error(path, f"expected a list of mistakes ({{name, answer, feedback}}), "
                       f"got {describe(raw)}")
        return INVALID
    out: list[Any] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        mistake = _mistake(ck, item, path + (i,), names=names)
        if mistake is not INVALID and mistake.name in seen:
            ck.error(path + (i, "name"), f"duplicate mistake name '{mistake.name}'")
            mistake = INVALID
        out.append(mistake)
        seen.add(getattr(mistake, "name", ""))
    return INVALID if any(m is INVALID for m in out) else tuple(out)


def _mistake(ck: Checker, raw: Any, path: KeyPath, *, names: Sequence[str]) -> Any:
    item = ck.mapping(raw, path, what="a mistake (a mapping with name, answer, feedback)")
    if item is None:
        return INVALID
    ck.keys(item, path, required=MISTAKE_KEYS, optional=())
    name = ck.field(item, path, "name", text)
    feedback = ck.field(item, path, "feedback", text)
    answer = check_expr(ck, path + ("answer",), item["answer"], names=names) \
        if "answer" in item else INVALID
    if INVALID in (name, feedback) or answer is INVALID:
        return INVALID
    return MistakeSpec(name=name, answer=answer, feedback=feedback.strip())


def _options(ck: Checker, part: dict, path: KeyPath, kind: str, *,
             names: Sequence[str]) -> dict[str, Any] | Any:
    """The kind-specific keys other than tolerance and function, checked and with defaults."""
    if kind in ("vector", "matrix"):
        partial = ck.field(part, path, "partial", boolean, False)
        return INVALID if partial is INVALID else {"partial": partial}
    if kind == "direction":
        unit = ck.field(part, path, "unit", boolean, False)
        return INVALID if unit is INVALID else {"unit": unit}
    if kind == "choice":
        choices = ck.field(part, path, "choices", _choices)
        return INVALID if choices is INVALID else {"choices": tuple(choices)}
    if kind == "sequence":
        return _sequence_options(ck, part, path, names=names)
    return {}


def _choices(v: Any) -> str | None:
    ok = isinstance(v, list) and v and all(isinstance(c, str) and c for c in v) \
        and len(set(v)) == len(v)
    return None if ok else "a non-empty list of distinct strings"


def _sequence_options(ck: Checker, part: dict, path: KeyPath, *,
                      names: Sequence[str]) -> dict[str, Any] | Any:
    item = _item(ck, part["item"], path + ("item",)) if "item" in part else INVALID
    start = step = None
    if "start" in part:
        start = check_expr(ck, path + ("start",), part["start"], names=names)
    if "step" in part:
        step = check_expr(ck, path + ("step",), part["step"], names=[*names, *STEP_NAMES])
        if "start" not in part:
            ck.error(path + ("step",), "'step' needs 'start' (the state before step 1) "
                                       "for follow-through", key=True)
            step = INVALID
    if INVALID in (item, start, step) or item is INVALID:
        return INVALID
    return {"item": item, "start": start, "step": step}


def _item(ck: Checker, raw: Any, path: KeyPath) -> Any:
    """One step: scalar | vector | matrix | integer, or {fields: {name: one of those}}."""
    wanted = f"one of {', '.join(SEQUENCE_ITEMS)}, or {{fields: {{name: kind, ...}}}}"
    if isinstance(raw, str) and raw in SEQUENCE_ITEMS:
        return raw
    if not (isinstance(raw, dict) and list(raw) == ["fields"] and isinstance(raw["fields"], dict)
            and raw["fields"]):
        hint = suggest(raw, SEQUENCE_ITEMS) if isinstance(raw, str) else ""
        ck.error(path, f"expected {wanted}, got {describe(raw)}{hint}")
        return INVALID
    ok = True
    for name, sub in raw["fields"].items():
        if sub not in SEQUENCE_ITEMS:
            hint = suggest(sub, SEQUENCE_ITEMS) if isinstance(sub, str) else ""
            ck.error(path + ("fields", name),
                     f"expected one of {', '.join(SEQUENCE_ITEMS)}, got {describe(sub)}{hint}")
            ok = False
    return {"fields": dict(raw["fields"])} if ok else INVALID
