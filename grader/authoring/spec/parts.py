"""`parts:` — each part's id, kind, prompt, solution, points, tolerance, mistakes and options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grader.core.model import HAND_TOLERANCE, MistakeSpec, PartSpec
from grader.authoring.spec.checker import INVALID, Checker, check_tolerance, describe, suggest
from grader.kinds.sequence import ITEM_KIND
from grader.authoring.spec.declared import (
    KIND_KEYS,
    KIND_OPTIONS,
    KINDS,
    MISTAKE,
    NO_SOLUTION,
    TOP,
    part_record,
)
from grader.authoring.spec.exprcheck import check_expr, check_template
from grader.authoring.spec.function import check_function
from grader.authoring.spec.tables import STEP_NAMES
from grader.authoring.spec.yamlload import KeyPath

# Options checked by code of their own (expressions, the function block, tolerance), not
# just by their declared type.
HOOKED = frozenset({"tolerance", "function", "item", "start", "step"})


def check_parts(ck: Checker, raw: Any, path: KeyPath, *,
                names: Sequence[str]) -> tuple[PartSpec, ...] | Any:
    """A non-empty list of parts with unique ids."""
    parts = ck.value(raw, path, TOP.fields["parts"].type.expected)
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
    common = part_record(None)
    part = ck.mapping(raw, path, common)
    if part is None:
        return INVALID
    kind = _kind(ck, part, path)
    _part_keys(ck, part, path, kind)
    pid = ck.get(part, path, common, "id")
    prompt = ck.get(part, path, common, "prompt")
    if isinstance(prompt, str) and prompt:
        check_template(ck, path + ("prompt",), prompt, names=names)
    points = ck.get(part, path, common, "points")
    if kind is INVALID:  # still check what does not depend on the kind
        if "solution" in part:
            check_expr(ck, path + ("solution",), part["solution"], names=names)
        _mistakes(ck, part.get("mistakes"), path + ("mistakes",), names=names)
        return INVALID
    function: Any
    solution: Any
    mistakes: Any
    if kind in NO_SOLUTION:
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


def _kind(ck: Checker, part: dict, path: KeyPath) -> Any:
    kind = part.get("kind")
    if "kind" not in part:
        return INVALID  # reported as a missing key
    if not isinstance(kind, str) or kind not in KIND_OPTIONS:
        shown = f"'{kind}'" if isinstance(kind, str) else describe(kind)
        hint = suggest(kind, KINDS) if isinstance(kind, str) else ""
        ck.error(path + ("kind",), f"unknown kind {shown}{hint} (kinds: {', '.join(KINDS)})")
        return INVALID
    return kind


def _part_keys(ck: Checker, part: dict, path: KeyPath, kind: Any) -> None:
    if kind is INVALID:  # still catch typos, against every key some kind accepts
        ck.keys(part, path, part_record(None))
        return

    def elsewhere(key: str) -> str | None:
        if kind in NO_SOLUTION and key in ("solution", "mistakes", "tolerance"):
            return f"'{key}' is not used by kind '{kind}' (the function block holds the " \
                   "reference solver, tolerance and cases)"
        users = [k for k, keys in KIND_KEYS.items() if key in keys]
        if users:
            return f"'{key}' is not used by kind '{kind}' (only by: {', '.join(users)})"
        return None

    ck.keys(part, path, part_record(kind), elsewhere=elsewhere)


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
    item = ck.mapping(raw, path, MISTAKE)
    if item is None:
        return INVALID
    ck.keys(item, path, MISTAKE)
    name = ck.get(item, path, MISTAKE, "name")
    feedback = ck.get(item, path, MISTAKE, "feedback")
    answer = check_expr(ck, path + ("answer",), item["answer"], names=names) \
        if "answer" in item else INVALID
    if INVALID in (name, feedback) or answer is INVALID:
        return INVALID
    return MistakeSpec(name=name, answer=answer, feedback=feedback.strip())


def _options(ck: Checker, part: dict, path: KeyPath, kind: str, *,
             names: Sequence[str]) -> dict[str, Any] | Any:
    """The kind's own keys (KIND_OPTIONS) other than tolerance and function, with defaults."""
    declared = KIND_OPTIONS[kind]
    record = part_record(kind)
    out = {key: ck.get(part, path, record, key) for key in declared if key not in HOOKED}
    if "choices" in out and out["choices"] is not INVALID:
        out["choices"] = tuple(out["choices"])
    if kind == "sequence":
        sequence = _sequence_options(ck, part, path, names=names)
        out = INVALID if sequence is INVALID else {**out, **sequence}
    return INVALID if out is INVALID or INVALID in out.values() else out


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
    wanted = f"{ITEM_KIND.wanted}, or {{fields: {{name: kind, ...}}}}"
    if ITEM_KIND.fits(raw):
        return raw
    if not (isinstance(raw, dict) and list(raw) == ["fields"] and isinstance(raw["fields"], dict)
            and raw["fields"]):
        ck.error(path, f"expected {wanted}, got {describe(raw)}{ITEM_KIND.hint(raw)}")
        return INVALID
    ok = True
    for name, sub in raw["fields"].items():
        if not ITEM_KIND.fits(sub):
            ck.error(path + ("fields", name),
                     f"expected {ITEM_KIND.wanted}, got {describe(sub)}{ITEM_KIND.hint(sub)}")
            ok = False
    return {"fields": dict(raw["fields"])} if ok else INVALID
