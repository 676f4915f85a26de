"""The built-in functions and constants every expression may use (the table expr.py hands out).

Students' formulas get only ELEMENTARY; spec expressions get all of BUILTINS. Each entry
takes numbers or numpy arrays; 0-d results come back as Python numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["BUILTINS", "CONSTANTS", "ELEMENTARY", "MAX_BUILT_SIZE"]

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "inf": math.inf, "nan": math.nan}
MAX_BUILT_SIZE = 1_000_000  # elements zeros()/ones()/eye() may create


def _plain_scalar(x: Any) -> Any:
    """0-d numpy results become Python numbers, so scalar division by zero raises as in Python."""
    if isinstance(x, np.ndarray) and x.ndim == 0 or isinstance(x, np.generic):
        return x.item()
    return x


def _elementwise(ufunc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(x: Any) -> Any:
        return _plain_scalar(ufunc(np.asarray(x, dtype=float)))
    apply.__name__ = getattr(ufunc, "__name__", "f")
    return apply


def _log(x: Any, base: Any = None) -> Any:
    value = np.log(np.asarray(x, dtype=float))
    return _plain_scalar(value if base is None else value / np.log(float(base)))


def _abs(x: Any) -> Any:
    return abs(x) if isinstance(x, (int, float)) else _plain_scalar(np.abs(np.asarray(x)))


def _reduce(func: Callable[..., Any]) -> Callable[..., Any]:
    def apply(x: Any, axis: int | None = None) -> Any:
        return _plain_scalar(func(np.asarray(x), axis=axis))
    return apply


def _extreme(reduce: Callable[..., Any], pairwise: Callable[..., Any]) -> Callable[..., Any]:
    """max(a) reduces one array; max(a, b, ...) compares its arguments elementwise."""
    def apply(*xs: Any, axis: int | None = None) -> Any:
        if not xs:
            raise ValueError("needs at least one argument")
        if len(xs) == 1:
            return _plain_scalar(reduce(np.asarray(xs[0]), axis=axis))
        out = xs[0]
        for x in xs[1:]:
            out = pairwise(out, x)
        return _plain_scalar(out)
    return apply


def _round(x: Any, ndigits: int | None = None) -> Any:
    if ndigits is None and np.ndim(x) == 0:
        return int(np.round(float(x)))
    return _plain_scalar(np.round(np.asarray(x, dtype=float), ndigits or 0))


def _to_int_unless_array(func: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(x: Any) -> Any:
        return int(func(float(x))) if np.ndim(x) == 0 else func(np.asarray(x, dtype=float))
    return apply


def _shape(shape: Any) -> tuple[int, ...]:
    dims = tuple(int(d) for d in (shape if isinstance(shape, (tuple, list, np.ndarray))
                                  else (shape,)))
    if any(d < 0 for d in dims) or math.prod(dims) > MAX_BUILT_SIZE:
        raise ValueError(f"shape {dims} is negative or too large")
    return dims


def _eye(n: Any) -> Any:
    return np.eye(_shape((n, n))[0])


def _seq(x: Any) -> Any:
    return x if isinstance(x, (list, tuple)) else np.asarray(x)


def _sorted(x: Any) -> Any:
    return sorted(x) if isinstance(x, (list, tuple)) else np.sort(np.asarray(x), axis=None)


def _concat(*xs: Any) -> Any:
    if all(isinstance(x, (list, tuple)) for x in xs):
        return [v for x in xs for v in x]
    return np.concatenate([np.atleast_1d(np.asarray(x)) for x in xs])


def _unique_count(x: Any, decimals: int = 9) -> int:
    # Rounded first so values equal up to float noise (eigenvalues, say) count once.
    return int(np.unique(np.round(np.asarray(x, dtype=float), decimals)).size)


def _norm(x: Any, p: Any = None) -> float:
    return float(np.linalg.norm(np.asarray(x, dtype=float), ord=p))


def _float(x: Any) -> float:
    return float(x)


def _int(x: Any) -> int:
    return int(x)


ELEMENTARY: dict[str, Callable[..., Any]] = {
    "sqrt": _elementwise(np.sqrt), "exp": _elementwise(np.exp), "ln": _elementwise(np.log),
    "log": _log, "log2": _elementwise(np.log2), "log10": _elementwise(np.log10), "abs": _abs,
    "sin": _elementwise(np.sin), "cos": _elementwise(np.cos), "tan": _elementwise(np.tan),
    "arcsin": _elementwise(np.arcsin), "arccos": _elementwise(np.arccos),
    "arctan": _elementwise(np.arctan),
}

BUILTINS: dict[str, Callable[..., Any]] = {
    **ELEMENTARY,
    "sum": _reduce(np.sum), "prod": _reduce(np.prod), "mean": _reduce(np.mean),
    "max": _extreme(np.max, np.maximum), "min": _extreme(np.min, np.minimum),
    "len": len, "round": _round,
    "floor": _to_int_unless_array(np.floor), "ceil": _to_int_unless_array(np.ceil),
    "array": np.asarray, "transpose": lambda x: np.transpose(np.asarray(x)),
    "T": lambda x: np.transpose(np.asarray(x)),
    "dot": lambda a, b: _plain_scalar(np.dot(a, b)), "outer": np.outer, "norm": _norm,
    "inv": lambda a: np.linalg.inv(np.asarray(a, dtype=float)),
    "det": lambda a: float(np.linalg.det(np.asarray(a, dtype=float))),
    "diag": lambda x: np.diag(np.asarray(x)), "eye": _eye,
    "zeros": lambda s: np.zeros(_shape(s)), "ones": lambda s: np.ones(_shape(s)),
    "reversed": lambda x: _seq(x)[::-1], "sorted": _sorted, "asc": _sorted,
    "sort_desc": lambda x: _sorted(x)[::-1], "concat": _concat,
    "float": _float, "int": _int,
    "any": lambda x: bool(np.any(x)), "all": lambda x: bool(np.all(x)),
    "unique_count": _unique_count,
    "allclose": lambda a, b, rtol=1e-5, atol=1e-8: bool(np.allclose(a, b, rtol=rtol, atol=atol)),
    "rank": lambda a: int(np.linalg.matrix_rank(np.asarray(a, dtype=float))),
    "argmax": lambda x: int(np.argmax(x)), "argmin": lambda x: int(np.argmin(x)),
    "sign": lambda x: _plain_scalar(np.sign(x)),
}
