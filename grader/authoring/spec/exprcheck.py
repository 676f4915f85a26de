"""Load-time checks of the spec's expressions and Jinja prompts, with carets on the culprit.

An expression is compiled once (syntax, forbidden constructs) and its free names
are checked against what will exist when it is evaluated: the parameters in
scope, the built-in functions and the registered solvers.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import Any

import jinja2
import jinja2.meta
import jinja2.nodes

from grader.core.expr import BUILTINS, Expr, ExprError, compile_expr
from grader.authoring.spec.checker import INVALID, Checker, describe, suggest
from grader.authoring.spec.tables import PROMPT_FILTERS
from grader.authoring.spec.yamlload import Document, KeyPath


def solver_table() -> dict[str, Any]:
    """The registered solvers (importing grader.solvers registers every topic module)."""
    from grader.solvers import SOLVERS

    return SOLVERS


def check_expr(ck: Checker, path: KeyPath, raw: Any, *, names: Sequence[str],
               later: Sequence[str] = (), prefix: int = 0) -> Expr | Any:
    """Compile raw[prefix:] and check its names; the Expr, or INVALID after reporting."""
    if raw is INVALID:
        return INVALID
    if isinstance(raw, (int, float, list, dict)):  # YAML literal data is a constant expression
        raw = repr(raw)
    if not isinstance(raw, str):
        ck.error(path, f"expected an expression (a string), got {describe(raw)}")
        return INVALID
    text = raw[prefix:]
    lead = prefix + len(text) - len(text.lstrip())
    try:
        expr = compile_expr(text)
    except ExprError as exc:
        offset = lead + max(exc.column - 1, 0)
        ck.error(path, f"invalid expression: {exc.message}", at=locate(ck.doc, path, raw, offset))
        return INVALID
    ok = _check_functions(ck, path, raw, expr, lead)
    ok = _check_names(ck, path, raw, expr, lead, names=names, later=later) and ok
    return expr if ok else INVALID


def _check_functions(ck: Checker, path: KeyPath, raw: str, expr: Expr, lead: int) -> bool:
    known = {**BUILTINS, **solver_table()}
    ok = True
    for name in sorted(expr.functions):
        if name not in known:
            where = locate(ck.doc, path, raw, lead + _name_offset(expr.text, name, call=True))
            ck.error(path, f"unknown function '{name}'{suggest(name, known)}", at=where)
            ok = False
    return ok


def _check_names(ck: Checker, path: KeyPath, raw: str, expr: Expr, lead: int, *,
                 names: Sequence[str], later: Sequence[str]) -> bool:
    ok = True
    for name in sorted(expr.names):
        if name in names:
            continue
        if name in later:
            message = f"'{name}' is drawn later; a parameter can only use those listed above it"
        else:
            hint = suggest(name, names)
            if not hint:
                public = [n for n in names if not n.startswith("_")]
                hint = f" (known names: {', '.join(public)})" if public else \
                    " (this exercise has no parameters)"
            message = f"unknown name '{name}'{hint}"
        where = locate(ck.doc, path, raw, lead + _name_offset(expr.text, name, call=False))
        ck.error(path, message, at=where)
        ok = False
    return ok


def _name_offset(text: str, name: str, *, call: bool) -> int:
    """Character offset of the first use of name (as a call or as a value) in text."""
    stripped = text.strip()
    tree = ast.parse(stripped, mode="eval")
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name
             and (id(n) in calls) == call]
    if not found:
        return 0
    node = min(found, key=lambda n: (n.lineno, n.col_offset))
    line_start = sum(len(s) + 1 for s in stripped.split("\n")[:node.lineno - 1])
    # ast offsets count UTF-8 bytes; count characters instead.
    line = stripped.split("\n")[node.lineno - 1]
    return line_start + len(line.encode()[:node.col_offset].decode(errors="ignore"))


def locate(doc: Document, path: KeyPath, raw: str, offset: int) -> tuple[int, int] | None:
    """0-based (line, column) in the file of raw[offset:], when the scalar maps cleanly."""
    mark = doc.values.get(path)
    if mark is None:
        return None
    before = raw[:offset]
    row, col = before.count("\n"), len(before) - (before.rfind("\n") + 1)
    want = raw.split("\n")[row]
    if mark.style in ("|", ">"):
        line = mark.line + 1 + row  # block scalars start on the line after the indicator
    elif mark.line == mark.end_line or mark.style is None:
        line = mark.line + row
    else:
        return (mark.line, mark.column)
    source = doc.source(line)
    start = mark.column if line == mark.line else 0
    found = source.find(want, start) if want else -1
    if found < 0:
        return (mark.line, mark.column)
    return (line, found + col)


# ---------------------------------------------------------------- Jinja prompts

def _environment(extra_filters: Sequence[str] = ()) -> jinja2.Environment:
    env = jinja2.Environment()
    # Only names matter here: the real filters live in grader/markup.py.
    env.filters.update({name: str for name in (*PROMPT_FILTERS, *extra_filters)})
    return env


_ENV = _environment()


def check_template(ck: Checker, path: KeyPath, raw: str, *, names: Sequence[str]) -> None:
    """A prompt must parse as Jinja and use only known parameters and filters."""
    try:
        tree = _ENV.parse(raw)
    except jinja2.TemplateSyntaxError as exc:
        _template_error(ck, path, raw, exc)
        return
    unknown = sorted({node.name for node in tree.find_all(jinja2.nodes.Filter)
                      if node.name not in _ENV.filters})
    for name in unknown:
        ck.error(path, f"unknown filter '{name}'{suggest(name, _ENV.filters)}",
                 at=locate(ck.doc, path, raw, _placeholder_offset(raw, name)))
    try:
        # Undeclared variables are found by compiling, which needs every filter to exist.
        env = _environment(unknown) if unknown else _ENV
        undeclared = jinja2.meta.find_undeclared_variables(env.parse(raw))
    except jinja2.TemplateSyntaxError as exc:  # e.g. an unknown test: `is foo`
        _template_error(ck, path, raw, exc)
        return
    for name in sorted(undeclared):
        if name not in names:
            hint = suggest(name, names) or _known(names)
            ck.error(path, f"unknown placeholder '{name}'{hint}",
                     at=locate(ck.doc, path, raw, _placeholder_offset(raw, name)))


def _template_error(ck: Checker, path: KeyPath, raw: str,
                    exc: jinja2.TemplateSyntaxError) -> None:
    row = (exc.lineno or 1) - 1
    offset = sum(len(s) + 1 for s in raw.split("\n")[:row])
    ck.error(path, f"invalid Jinja template: {exc.message}", at=locate(ck.doc, path, raw, offset))


def _known(names: Sequence[str]) -> str:
    public = [n for n in names if not n.startswith("_")]
    return f" (the parameters are: {', '.join(public)})" if public else \
        " (this exercise has no parameters)"


def _placeholder_offset(raw: str, name: str) -> int:
    found = re.search(r"\{[{%][^}]*?\b(" + re.escape(name) + r")\b", raw)
    return found.start(1) if found else 0
