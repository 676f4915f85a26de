"""Prompt text: Jinja placeholders filled in a sandbox, then Markdown with LaTeX math as MathML.

MathML needs no JavaScript, so reports open offline. Raw HTML in prompts is escaped, never
passed through: a prompt is text, not markup an author (or a template variable) can inject.
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any
from xml.etree.ElementTree import tostring

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from latex2mathml.converter import convert_to_element
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from grader.core.values import to_plain

__all__ = ["FILTERS", "frac", "latex", "math_errors", "num", "render_markdown", "render_prompt"]

LATEX_MAX_DENOMINATOR = 64
FRAC_MAX_DENOMINATOR = 1000
SIGNIFICANT_DIGITS = 4
_MATH_TOKENS = {"math_inline", "math_inline_double", "math_block", "math_block_label"}
# latex2mathml keeps commands it does not know as literal text, e.g. <mi>\foo</mi>.
_UNKNOWN_COMMAND = re.compile(r"<m[ion]>(\\[A-Za-z]+)</m[ion]>")
# latex2mathml stores symbols as entity text ("&#x02211;") and un-escapes its whole output,
# which would let \text{<script>} through; we serialise escaped and restore only those entities.
_ESCAPED_ENTITY = re.compile(r"&amp;(#x[0-9A-Fa-f]+;)")
# latex2mathml writes every minus as a plain <mo>, which a browser lays out as a binary
# operator with space on both sides: "( − 2, − 1)". After an opening bracket, a comma, an
# operator or at the start of a row or cell it is unary: folded into its number (<mn>−2</mn>)
# or marked prefix.
_MINUS = re.compile(r"<mo>&#x02212;</mo>(<mn>[^<]*</mn>)?")
_AFTER_OPEN = re.compile(r"<(?:math|mrow|mtd|mstyle|msqrt|mpadded|mphantom)\b[^>]*>$")
_AFTER_MO = re.compile(r"<mo\b[^>]*>([^<]*)</mo>$")
_CLOSING = frozenset({")", "]", "}", "|", "!", "&#x00029;", "&#x0005D;", "&#x0007D;",
                      "&#x0007C;", "&#x02016;", "&#x02032;", "&#x0221E;"})


# ---------------------------------------------------------------- math and Markdown


# A class's problem sets repeat the same formulas (and the key page repeats every prompt), so
# conversions are memoised: pure functions of their text, and the hot spot of `grader generate`.
@functools.lru_cache(maxsize=8192)
def _mathml(latex_src: str, *, display: bool) -> str:
    """MathML for one formula; raises ValueError saying what is wrong with the LaTeX."""
    try:
        tree = convert_to_element(latex_src, display="block" if display else "inline")
        out = _ESCAPED_ENTITY.sub(r"&\1", tostring(tree, encoding="unicode"))
    except Exception as exc:  # latex2mathml raises many unrelated types on malformed input
        detail = str(exc) or "unbalanced braces or a missing argument?"
        raise ValueError(f"{type(exc).__name__}: {detail}") from exc
    unknown = _UNKNOWN_COMMAND.search(out)
    if unknown:
        raise ValueError(f"unknown command {unknown.group(1)}")
    return _MINUS.sub(lambda m: _minus(out, m), out)


def _minus(mathml: str, m: re.Match[str]) -> str:
    """A minus sign as unary (tight against what follows) when nothing stands before it that
    it could subtract from; else unchanged."""
    start = max(0, m.start() - 200)  # the element before it is short: no quadratic scan
    before = _AFTER_MO.search(mathml, start, m.start())
    unary = bool(_AFTER_OPEN.search(mathml, start, m.start())) or (
        before is not None and before.group(1) not in _CLOSING)
    if not unary:
        return m.group(0)
    if m.group(1):
        return "<mn>&#x02212;" + m.group(1)[len("<mn>"):]
    return '<mo form="prefix" rspace="0">&#x02212;</mo>'


def _render_math(content: str, options: Mapping[str, Any]) -> str:
    try:
        return _mathml(content, display=bool(options.get("display_mode")))
    except ValueError:
        return f'<code class="math-error">{html.escape(content)}</code>'


@functools.lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.enable("table")
    md.use(dollarmath_plugin, renderer=_render_math, double_inline=True)
    return md


@functools.lru_cache(maxsize=2048)
def render_markdown(text: str) -> str:
    """Markdown to HTML, with $..$ and $$..$$ math as MathML and raw HTML escaped."""
    return _markdown().render(text)


def math_errors(text: str) -> list[str]:
    """Each formula in the Markdown text that cannot be converted, with the reason."""
    errors = []
    for token in _math_tokens(_markdown().parse(text)):
        try:
            _mathml(token.content, display=token.type != "math_inline")
        except ValueError as exc:
            errors.append(f"cannot render ${token.content.strip()}$: {exc}")
    return errors


def _math_tokens(tokens: list[Any]) -> list[Any]:
    found = []
    for token in tokens:
        if token.type in _MATH_TOKENS:
            found.append(token)
        found.extend(_math_tokens(token.children or []))
    return found


# ---------------------------------------------------------------- number filters


def _fraction(x: float, max_denominator: int) -> Fraction | None:
    f = Fraction(x).limit_denominator(max_denominator)
    return f if abs(float(f) - x) <= 1e-9 * max(1.0, abs(x)) else None


def _decimal(x: float, digits: int) -> tuple[str, int]:
    """(mantissa, exponent) with `digits` significant digits; exponent 0 unless x is extreme."""
    if x == 0:
        return "0", 0
    exponent = math.floor(math.log10(abs(x)))
    if -3 <= exponent < 6:
        places = max(digits - 1 - exponent, 0)
        text = f"{x:.{places}f}"
        return (text.rstrip("0").rstrip(".") if "." in text else text), 0
    mantissa = f"{x / 10**exponent:.{digits - 1}f}".rstrip("0").rstrip(".")
    return mantissa, exponent


def _latex_number(x: Any, max_denominator: int) -> str:
    if isinstance(x, (bool, str)):
        return rf"\text{{{x}}}"
    if isinstance(x, int):
        return str(x)
    if not isinstance(x, float):
        raise TypeError(f"cannot write {x!r} as a number")
    if math.isnan(x):
        return r"\mathrm{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    f = _fraction(x, max_denominator)
    if f is not None:
        sign = "-" if f < 0 else ""
        return rf"{sign}\frac{{{abs(f.numerator)}}}{{{f.denominator}}}"
    mantissa, exponent = _decimal(x, SIGNIFICANT_DIGITS)
    return mantissa if exponent == 0 else rf"{mantissa} \times 10^{{{exponent}}}"


def _latex_value(value: Any, max_denominator: int) -> str:
    value = to_plain(value)
    if not isinstance(value, list):
        return _latex_number(value, max_denominator)
    if value and all(isinstance(row, list) for row in value):
        if len({len(row) for row in value}) != 1:
            raise ValueError("cannot write a ragged list of rows as a matrix")
        rows = [" & ".join(_latex_number(v, max_denominator) for v in row) for row in value]
        # \left[ \right] rather than bmatrix: latex2mathml marks bmatrix brackets non-stretchy,
        # so Chromium would draw them one line tall beside a tall matrix.
        return r"\left[\begin{matrix} " + r" \\ ".join(rows) + r" \end{matrix}\right]"
    items = [_latex_number(v, max_denominator) for v in value]
    inner = ", ".join(items)
    return rf"\left({inner}\right)" if r"\frac" in inner else f"({inner})"


def latex(value: Any) -> str:
    """A number, vector or matrix as compact LaTeX (small fractions as \\frac)."""
    return _latex_value(value, LATEX_MAX_DENOMINATOR)


def frac(value: Any) -> str:
    """Like latex, but writes any float that is a fraction with denominator <= 1000 as \\frac."""
    return _latex_value(value, FRAC_MAX_DENOMINATOR)


def num(value: Any) -> str:
    """A number (or nested list of numbers) as plain text, e.g. 0.25, -inf, [1, 2.5]."""
    value = to_plain(value)
    if isinstance(value, list):
        return "[" + ", ".join(num(v) for v in value) + "]"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6g}"
    return str(value)


FILTERS: dict[str, Callable[[Any], str]] = {"latex": latex, "frac": frac, "num": num}


# ---------------------------------------------------------------- prompt templates


@functools.lru_cache(maxsize=1)
def _jinja() -> SandboxedEnvironment:
    # Autoescape off: the output is Markdown, whose renderer escapes any HTML afterwards.
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False,
                               keep_trailing_newline=True)
    env.filters.update(FILTERS)
    return env


@functools.lru_cache(maxsize=512)
def _template(text: str) -> jinja2.Template:
    return _jinja().from_string(text)


def render_prompt(template: str, params: Mapping[str, Any]) -> str:
    """Fill a prompt's {{ placeholders }} from params; ValueError names what is missing."""
    try:
        return _template(template).render(**params)
    except jinja2.TemplateSyntaxError as exc:
        raise ValueError(f"prompt template, line {exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        known = ", ".join(sorted(params)) or "none"
        raise ValueError(f"prompt uses an unknown parameter: {exc.message} "
                         f"(parameters: {known})") from None
    except jinja2.exceptions.SecurityError as exc:
        raise ValueError(f"prompt template not allowed: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise ValueError(f"prompt template: {exc}") from exc
