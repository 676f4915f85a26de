"""Safe expressions: spec formulas and what students type, parsed by `ast`, walked by a whitelist.

Nothing here calls eval, exec or compile on code objects. A parsed tree is checked once
(`compile_expr`) for forbidden constructs and then interpreted node by node (`Expr.evaluate`),
so an expression can only reach the names and functions it is handed.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import math
import operator
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from grader.core.expr_builtins import BUILTINS, CONSTANTS, ELEMENTARY

__all__ = ["BUILTINS", "CONSTANTS", "ELEMENTARY", "Expr", "ExprError", "compile_expr",
           "parse_student_value"]

SPEC_MAX_LENGTH = 5000
STUDENT_MAX_LENGTH = 1000
MAX_DEPTH = 80  # nesting of the tree; real formulas stay far below this
MAX_INT_BITS = 1024  # ints beyond float range are refused rather than computed
MAX_STUDENT_ITEMS = 10_000


class ExprError(ValueError):
    """An expression cannot be parsed, is forbidden, or fails to evaluate."""

    def __init__(self, message: str, column: int = 0):
        super().__init__(message)
        self.message = message
        self.column = column  # 1-based; 0 when unknown


_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.MatMult: operator.matmul,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_,
}
_SPEC_NODES: tuple[type, ...] = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.BinOp, ast.UnaryOp, ast.BoolOp,
    ast.And, ast.Or, ast.Compare, ast.IfExp, ast.List, ast.Tuple, ast.Dict, ast.Subscript,
    ast.Slice, ast.Call, ast.keyword, *_BINOPS, *_CMPOPS, *_UNARY,
)
_STUDENT_NODES: tuple[type, ...] = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.BinOp, ast.UnaryOp, ast.List,
    ast.Call, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd,
)
_DESCRIBE: dict[type, str] = {
    ast.Attribute: "attribute access ('.')", ast.Lambda: "lambda",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.Starred: "'*' unpacking", ast.JoinedStr: "f-strings", ast.NamedExpr: "':='",
    ast.Set: "set literals", ast.Await: "await", ast.Yield: "yield",
}


class Expr:
    """A checked expression; `names` are its free names, `functions` the names it calls."""

    __slots__ = ("_student", "_tree", "functions", "names", "source", "text")

    def __init__(self, text: str, tree: ast.Expression, *, source: str = "",
                 student: bool = False):
        self.text = text
        self.source = source
        self._tree = tree
        self._student = student
        called = {n.func.id for n in ast.walk(tree)
                  if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - called
        self.functions = frozenset(called)
        self.names = frozenset(loaded - set(CONSTANTS))

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expr) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def evaluate(self, names: Mapping[str, Any],
                 functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
        """Evaluate with the given names; functions are BUILTINS plus `functions`."""
        table = dict(ELEMENTARY) if self._student else {**BUILTINS, **(functions or {})}
        with np.errstate(all="ignore"), _char_columns(self.text):
            return _Evaluator(names, table).eval(self._tree.body)


def compile_expr(text: str, *, source: str = "", max_length: int = SPEC_MAX_LENGTH) -> Expr:
    """Parse and check an expression; raise ExprError naming what is wrong and where."""
    tree = _parse(text, max_length=max_length)
    with _char_columns(text):
        _check(tree.body, _SPEC_NODES, depth=0)
    return Expr(text, tree, source=source)


@contextlib.contextmanager
def _char_columns(text: str) -> Iterator[None]:
    """ast columns count UTF-8 bytes (of the stripped text); report characters instead."""
    try:
        yield
    except ExprError as exc:
        if exc.column > 1:
            line = text.strip().split("\n")[0].encode()
            exc.column = len(line[:exc.column - 1].decode(errors="ignore")) + 1
        raise


def _parse(text: str, *, max_length: int) -> ast.Expression:
    if not isinstance(text, str):
        raise ExprError(f"expected an expression as a string, got {type(text).__name__}")
    if len(text) > max_length:
        raise ExprError(f"expression too long ({len(text)} characters; at most {max_length})")
    if not text.strip():
        raise ExprError("empty expression")
    try:
        with warnings.catch_warnings():  # "2pi" warns before failing; the error says enough
            warnings.simplefilter("ignore")
            return ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        detail = "" if exc.msg == "invalid syntax" else f" ({exc.msg})"
        raise ExprError(f"invalid syntax{detail}", exc.offset or 0) from None
    except ValueError:  # e.g. a NUL character
        raise ExprError("expression contains invalid characters") from None
    except (RecursionError, MemoryError):
        raise ExprError("expression is nested too deeply") from None


def _check(node: ast.AST, allowed: tuple[type, ...], depth: int, col: int = 0) -> None:
    # Operator nodes (ast.Add, ...) have no position: they report their parent's column.
    col = getattr(node, "col_offset", col - 1) + 1
    if depth > MAX_DEPTH:
        raise ExprError(f"expression is nested too deeply (more than {MAX_DEPTH} levels)", col)
    if not isinstance(node, allowed):
        what = _DESCRIBE.get(type(node), f"'{type(node).__name__}' expressions")
        raise ExprError(f"{what} not allowed here", col)
    if isinstance(node, ast.Name) and "__" in node.id:
        raise ExprError(f"name '{node.id}' is not allowed (no '__' names)", col)
    if isinstance(node, ast.Constant) and not _constant_allowed(node.value, allowed):
        raise ExprError(f"constant {node.value!r} not allowed here", col)
    if isinstance(node, ast.Call):
        _check_call(node, col)
    for child in ast.iter_child_nodes(node):
        _check(child, allowed, depth + 1, col)


def _constant_allowed(value: Any, allowed: tuple[type, ...]) -> bool:
    if allowed is _STUDENT_NODES:  # numbers only, not True/False
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, (int, float, str, bool, type(None)))


def _check_call(node: ast.Call, col: int) -> None:
    if isinstance(node.func, ast.Attribute):
        raise ExprError(f"{_DESCRIBE[ast.Attribute]} not allowed here", col)
    if not isinstance(node.func, ast.Name):
        raise ExprError("only named functions can be called, like sqrt(x)", col)
    if any(kw.arg is None for kw in node.keywords):
        raise ExprError("'**' arguments not allowed", col)


class _Evaluator:
    """Interprets a checked tree; every node type has one small method."""

    def __init__(self, names: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]):
        self.names = names
        self.functions = functions
        self._arrays: dict[str, Any] = {}

    def eval(self, node: ast.AST) -> Any:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:  # _check lets through only node types handled here
            raise ExprError(f"'{type(node).__name__}' not allowed", _col(node))
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self._arrays:
            return self._arrays[node.id]
        if node.id in self.names:
            # Parameters arrive as plain lists; numeric ones compute as arrays, like literals.
            value = self._arrays[node.id] = arrayify(self.names[node.id])
            return value
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        hint = _hint(node.id, list(self.names)) or _hint(node.id, list(CONSTANTS))
        raise ExprError(f"unknown name '{node.id}'{hint}", _col(node))

    def _BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        return _binop(type(node.op), left, right, _col(node))

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.eval(node.operand)
        if isinstance(node.op, ast.Not):
            return not _truth(value, node)
        return _guard(_UNARY[type(node.op)], value, col=_col(node))

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        want = isinstance(node.op, ast.Or)
        value: Any = None
        for sub in node.values:
            value = self.eval(sub)
            if _truth(value, sub) == want:
                return value
        return value

    def _Compare(self, node: ast.Compare) -> Any:
        left = self.eval(node.left)
        result: Any = True
        for op, sub in zip(node.ops, node.comparators):
            right = self.eval(sub)
            step = _guard(_CMPOPS[type(op)], left, right, col=_col(node))
            if isinstance(step, np.ndarray) or isinstance(result, np.ndarray):
                result = np.logical_and(result, step)  # chained array comparisons: elementwise
            elif not step:
                return step
            else:
                result = step
            left = right
        return result

    def _IfExp(self, node: ast.IfExp) -> Any:
        return self.eval(node.body if _truth(self.eval(node.test), node.test) else node.orelse)

    def _List(self, node: ast.List) -> Any:
        return _as_array([self.eval(e) for e in node.elts])

    def _Tuple(self, node: ast.Tuple) -> Any:
        return tuple(self.eval(e) for e in node.elts)

    def _Dict(self, node: ast.Dict) -> Any:
        out = {}
        for k, v in zip(node.keys, node.values):
            key = self.eval(k) if k is not None else None
            if not isinstance(key, str):
                raise ExprError("dictionary keys must be strings", _col(node))
            out[key] = self.eval(v)
        return out

    def _Subscript(self, node: ast.Subscript) -> Any:
        value, index = self.eval(node.value), self.eval(node.slice)
        if isinstance(value, dict) and (not isinstance(index, str) or index not in value):
            keys = ", ".join(map(str, value))
            raise ExprError(f"no key {index!r}; the keys are: {keys}", _col(node))
        if not isinstance(value, (dict, list, tuple, str, np.ndarray)):
            raise ExprError(f"cannot index a {type(value).__name__}", _col(node))
        return _guard(operator.getitem, value, index, col=_col(node))

    def _Slice(self, node: ast.Slice) -> slice:
        parts = [None if p is None else self.eval(p) for p in (node.lower, node.upper, node.step)]
        return slice(*parts)

    def _Call(self, node: ast.Call) -> Any:
        name = node.func.id  # type: ignore[attr-defined]  # _check_call guarantees a Name
        func = self.functions.get(name)
        if func is None:
            hint = _hint(name, list(self.functions))
            raise ExprError(f"unknown function '{name}'{hint}", _col(node))
        args = [self.eval(a) for a in node.args]
        kwargs = {kw.arg: self.eval(kw.value) for kw in node.keywords if kw.arg}
        return _guard(func, *args, col=_col(node), what=f"{name}()", **kwargs)


_FAILURES = (ArithmeticError, ValueError, TypeError, IndexError, KeyError, np.linalg.LinAlgError)


def _guard(func: Callable[..., Any], *args: Any, col: int, what: str = "", **kwargs: Any) -> Any:
    """Call func, turning the errors bad input can cause into ExprError."""
    try:
        return func(*args, **kwargs)
    except ExprError as exc:  # from a nested expression: point at this call instead
        raise ExprError(exc.message, col) from exc
    except ZeroDivisionError:
        raise ExprError(f"{what + ': ' if what else ''}division by zero", col) from None
    except (OverflowError, MemoryError):
        raise ExprError(f"{what + ': ' if what else ''}number or array too large", col) from None
    except _FAILURES as exc:
        raise ExprError(f"{what + ': ' if what else ''}{exc}", col) from exc


def _binop(op: type, left: Any, right: Any, col: int) -> Any:
    if op is ast.Pow:
        return _power(left, right, col)
    if op in (ast.Mult, ast.Mod) and isinstance(left, (str, list, tuple)):
        raise ExprError("cannot repeat or format a sequence with '*' or '%'", col)
    if op is ast.Mult and isinstance(right, (str, list, tuple)):
        raise ExprError("cannot repeat a sequence with '*'", col)
    if op is ast.Mult and _both_int(left, right) and _bits(left) + _bits(right) > MAX_INT_BITS:
        raise ExprError("number too large", col)
    return _guard(_BINOPS[op], left, right, col=col)


def _both_int(a: Any, b: Any) -> bool:
    return isinstance(a, int) and isinstance(b, int)


def _bits(n: int) -> int:
    return n.bit_length()


def _power(base: Any, exp: Any, col: int) -> Any:
    """a ** b, refusing results too large to be useful instead of computing them."""
    if _both_int(base, exp):
        if exp < 0:
            return _guard(operator.pow, float(base), exp, col=col)
        if abs(base) > 1 and exp * math.log2(abs(base)) > MAX_INT_BITS:
            raise ExprError(f"power too large: {base}**{exp}", col)
    if isinstance(base, np.ndarray) and base.dtype.kind in "iub":
        base = base.astype(float)  # int arrays would wrap around silently on overflow
    result = _guard(operator.pow, base, exp, col=col)
    if isinstance(result, complex) or np.iscomplexobj(result):
        raise ExprError("power of a negative number gives a complex result", col)
    return result


def _as_array(items: list[Any]) -> Any:
    """A numeric, rectangular list becomes a numpy array (int when all ints); others stay lists."""
    def numeric(v: Any) -> bool:
        if isinstance(v, np.ndarray):
            return v.dtype.kind in "iuf"
        return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
    if not items or not all(numeric(v) for v in items):
        return items
    try:
        arr = np.array(items)
    except ValueError:  # ragged
        return items
    return arr if arr.dtype.kind in "iuf" else items


def arrayify(value: Any) -> Any:
    """Numeric rectangular lists (also inside dicts, lists and tuples) as numpy arrays."""
    if isinstance(value, list):
        return _as_array([arrayify(v) for v in value])
    if isinstance(value, tuple):
        return tuple(arrayify(v) for v in value)
    if isinstance(value, dict):
        return {k: arrayify(v) for k, v in value.items()}
    return value


def _truth(value: Any, node: ast.AST) -> bool:
    try:
        return bool(value)
    except ValueError:
        raise ExprError("the truth of an array is ambiguous; use any(...) or all(...)",
                        _col(node)) from None


def _col(node: ast.AST) -> int:
    return getattr(node, "col_offset", -1) + 1


def _hint(name: str, known: list[str]) -> str:
    prefixed = sorted(k for k in known if k.startswith(name) and not k.startswith("_"))
    close = prefixed[:1] or difflib.get_close_matches(name, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


# ---------------------------------------------------------------- student input


_IMPLICIT_PRODUCT = re.compile(r"(\d|\))\s*[A-Za-z(]")


def parse_student_value(raw: Any) -> Any:
    """Read what a student typed: a number, a formula like "ln(2)/2", or (nested) lists of them."""
    return _student(raw, depth=0, count=[0])


def _student(raw: Any, *, depth: int, count: list[int]) -> Any:
    count[0] += 1
    if count[0] > MAX_STUDENT_ITEMS or depth > 20:
        raise ExprError("answer too large or nested too deeply")
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        try:
            return float(raw)
        except OverflowError:
            raise ExprError(f"the number {str(raw)[:20]}... is too large") from None
    if isinstance(raw, (list, tuple)):
        return [_student(v, depth=depth + 1, count=count) for v in raw]
    if raw is None:
        raise ExprError("no answer given")
    if not isinstance(raw, str):
        raise ExprError(f"could not read a {type(raw).__name__} as a number")
    return _student_text(raw)


def _student_text(raw: str) -> Any:
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    # Students write ^ for powers and may paste a typographic minus sign.
    text = raw.strip().replace("^", "**").replace("\u2212", "-")
    try:
        tree = _parse(text, max_length=STUDENT_MAX_LENGTH)
        if isinstance(tree.body, ast.Tuple):  # "1,5" or "1, 2"
            raise ExprError("use '.' for decimals, or brackets [a, b] for a list")
        _check(tree.body, _STUDENT_NODES, depth=0)
        value = Expr(text, tree, student=True).evaluate({})
        return _floats(value)
    except ExprError as exc:
        reason = exc.message
        if reason.startswith(("invalid syntax", "only named")) and _IMPLICIT_PRODUCT.search(text):
            reason += "; write * for products, like 2*pi or 3*sqrt(2)"
        if reason.startswith("unknown"):
            reason += f" (allowed: numbers, {', '.join(CONSTANTS)}, {', '.join(ELEMENTARY)})"
        raise ExprError(f"could not read {shown!r} as a number: {reason}", exc.column) from None


def _floats(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list):
        return [_floats(v) for v in value]
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    raise ExprError(f"not a number: {value!r}")
