"""Tests for grader.core.markup: Markdown + MathML rendering, number filters, prompt templates."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from grader.core.markup import (
    FILTERS,
    frac,
    latex,
    math_errors,
    num,
    render_markdown,
    render_prompt,
)

# --------------------------------------------------------------- Markdown and math

# Each formula a prompt may use, with tokens its MathML must contain (entities as latex2mathml
# writes them: U+2211 is the n-ary sum, U+22A4 "down tack" is the transpose T, and so on).
FORMULAS = [
    (r"\frac{1}{2}", ["<mfrac>", "<mn>1</mn>", "<mn>2</mn>"]),
    (r"\sqrt{x}", ["<msqrt>", "<mi>x</mi>"]),
    (r"\log x", ["<mi>log</mi>"]),
    (r"\sum_{i=1}^n x_i", ["<msubsup>", "&#x02211;", "<msub><mi>x</mi><mi>i</mi></msub>"]),
    (r"x^2", ["<msup><mi>x</mi><mn>2</mn></msup>"]),
    (r"\mathbf{W}^\top", ["<msup>", "&#x1D416;", "&#x022A4;"]),  # bold W, transpose
    (r"\|x\|_2", ["&#x02016;", "<mn>2</mn>"]),
    (r"P(A \mid B)", ["&#x02223;"]),
    (r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
     ["<mtable>", "<mo>&#x0005B;</mo>", "<mtd><mn>4</mn></mtd>"]),
    (r"\begin{pmatrix} 1 \\ 2 \end{pmatrix}", ["<mtable>", "<mo>&#x00028;</mo>"]),
    (r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{else} \end{cases}",
     ["<mtable>", "&#x0007B;", "<mtext>else</mtext>"]),
    (r"\sigma(z)", ["&#x003C3;"]),
    (r"\nabla_\theta L", ["&#x02207;", "&#x003B8;"]),
    (r"\frac{\partial L}{\partial w}", ["&#x02202;", "<mfrac>"]),
    (r"a \odot b", ["&#x02299;"]),
    (r"\mathcal{D}_{KL}(P\|Q)", ["&#x1D49F;", "<mi>K</mi><mi>L</mi>", "&#x02016;"]),
    (r"\infty", ["&#x0221E;"]),
    (r"\mathbb{R}^n", ["&#x0211D;"]),
]


@pytest.mark.parametrize(("formula", "tokens"), FORMULAS)
def test_inline_formulas_become_mathml(formula: str, tokens: list[str]) -> None:
    out = render_markdown(f"Here ${formula}$ is.")
    assert '<span class="math inline"><math ' in out
    assert 'display="inline"' in out
    for token in tokens:
        assert token in out
    assert math_errors(f"${formula}$") == []


def test_display_math_is_a_block_math_element() -> None:
    out = render_markdown("$$\n\\frac{a}{b}\n$$\n")
    assert re.search(r'<div class="math block">\s*<math [^>]*display="block"', out)
    assert "<mfrac>" in out


def test_double_dollar_inside_a_paragraph_is_display_math() -> None:
    out = render_markdown("Compute $$x^2$$ now.")
    assert 'display="block"' in out


def test_plain_markdown_and_tables() -> None:
    out = render_markdown("**bold** and *it*\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<strong>bold</strong>" in out
    assert "<em>it</em>" in out
    assert "<table>" in out
    assert "<th>a</th>" in out
    assert "<td>2</td>" in out


def test_raw_html_is_escaped_not_passed_through() -> None:
    out = render_markdown("<script>alert(1)</script>\n\nand <b onclick='x()'>b</b>")
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<b " not in out


def test_html_inside_math_is_escaped() -> None:
    out = render_markdown(r"$x < y \text{<script>}$")
    assert "<script>" not in out


def test_javascript_links_are_not_made_links() -> None:
    out = render_markdown("[click](javascript:alert(1))")
    assert "<a " not in out


def test_bad_latex_is_shown_as_code_not_a_crash() -> None:
    out = render_markdown(r"broken $\frac{1}{$ and $\foo{x}$ and <ok>")
    assert r'<code class="math-error">\frac{1}{</code>' in out
    assert r'<code class="math-error">\foo{x}</code>' in out


def test_math_errors_lists_each_bad_formula() -> None:
    text = "fine $x$, bad $\\frac{1}{$, and\n\n$$\n\\foo{x}\n$$\n"
    assert math_errors(text) == [
        ("cannot render $\\frac{1}{$: NoAvailableTokensError: "
         "unbalanced braces or a missing argument?"),
        "cannot render $\\foo{x}$: unknown command \\foo",
    ]


def test_math_errors_finds_formulas_in_tables() -> None:
    assert len(math_errors("| a |\n|---|\n| $\\foo$ |\n")) == 1


# --------------------------------------------------------------- number filters

LATEX = [
    (3, "3"),
    (-7, "-7"),
    (3.0, "3"),
    (0.25, r"\frac{1}{4}"),
    (-0.5, r"-\frac{1}{2}"),
    (1 / 3, r"\frac{1}{3}"),
    (5 / 12, r"\frac{5}{12}"),
    (2.5, r"\frac{5}{2}"),
    (1 / 64, r"\frac{1}{64}"),
    (1 / 65, "0.01538"),  # denominator above 64: 4 significant digits
    (0.37, "0.37"),
    (0.123456, "0.1235"),
    (math.log(2), "0.6931"),
    (12345.678, "12346"),
    (0.0, "0"),
    (1e-7, r"1 \times 10^{-7}"),
    (-3.25e-5, r"-3.25 \times 10^{-5}"),
    (math.inf, r"\infty"),
    (-math.inf, r"-\infty"),
    (math.nan, r"\mathrm{NaN}"),
    (np.float64(0.75), r"\frac{3}{4}"),
    (np.int64(4), "4"),
    ([1, 2, 3], "(1, 2, 3)"),
    ([1.0, -2.0], "(1, -2)"),
    ([0.5, 0.25], r"\left(\frac{1}{2}, \frac{1}{4}\right)"),
    (np.array([1, 2]), "(1, 2)"),
    ([[1, 2], [3, 4]], r"\left[\begin{matrix} 1 & 2 \\ 3 & 4 \end{matrix}\right]"),
    ([[0.5], [1.0]], r"\left[\begin{matrix} \frac{1}{2} \\ 1 \end{matrix}\right]"),
    (np.eye(2), r"\left[\begin{matrix} 1 & 0 \\ 0 & 1 \end{matrix}\right]"),
    ("bits", r"\text{bits}"),
]


@pytest.mark.parametrize(("value", "expected"), LATEX)
def test_latex(value: object, expected: str) -> None:
    assert latex(value) == expected


FRAC = [
    (0.37, r"\frac{37}{100}"),
    (1 / 999, r"\frac{1}{999}"),
    (-7 / 120, r"-\frac{7}{120}"),
    (0.25, r"\frac{1}{4}"),
    (math.pi, "3.142"),
    (2.0, "2"),
    ([0.1, 0.9], r"\left(\frac{1}{10}, \frac{9}{10}\right)"),
]


@pytest.mark.parametrize(("value", "expected"), FRAC)
def test_frac(value: object, expected: str) -> None:
    assert frac(value) == expected


NUM = [
    (0.25, "0.25"),
    (3.0, "3"),
    (3, "3"),
    (1 / 3, "0.333333"),
    (123456789.5, "1.23457e+08"),
    (-math.inf, "-inf"),
    (math.nan, "nan"),
    ([1, 2.5, [0.5]], "[1, 2.5, [0.5]]"),
    (np.array([[1.0, 0.0]]), "[[1, 0]]"),
    ("bits", "bits"),
    (True, "True"),
]


@pytest.mark.parametrize(("value", "expected"), NUM)
def test_num(value: object, expected: str) -> None:
    assert num(value) == expected


@pytest.mark.parametrize("value", [[[1, 2], [3]], {"a": 1}, None])
def test_latex_refuses_what_it_cannot_write(value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        latex(value)


def test_filters_table() -> None:
    assert FILTERS == {"latex": latex, "frac": frac, "num": num}


# --------------------------------------------------------------- prompt templates


def test_render_prompt_fills_placeholders_with_filters() -> None:
    out = render_prompt("Let $p = {{ p | latex }}$ and $n = {{ n }}$, in {{ unit }}; "
                        "A = ${{ A | latex }}$, q = {{ q | num }}",
                        {"p": [0.5, 0.5], "n": 3, "unit": "bits", "A": [[1, 0], [0, 1]],
                         "q": 0.125})
    assert out == (r"Let $p = \left(\frac{1}{2}, \frac{1}{2}\right)$ and $n = 3$, in bits; "
                   r"A = $\left[\begin{matrix} 1 & 0 \\ 0 & 1 \end{matrix}\right]$, q = 0.125")


def test_render_prompt_does_not_html_escape() -> None:
    assert render_prompt("{{ s }}", {"s": "a < b & c"}) == "a < b & c"


def test_render_prompt_then_markdown_renders_the_math() -> None:
    html = render_markdown(render_prompt("$A = {{ A | latex }}$", {"A": [[1, 2], [3, 4]]}))
    assert "<mtable>" in html
    assert math_errors(render_prompt("$A = {{ A | latex }}$", {"A": [[1, 2], [3, 4]]})) == []


def test_render_prompt_names_the_missing_parameter() -> None:
    with pytest.raises(ValueError,
                       match=r"unknown parameter: 'q' is undefined \(parameters: n, p\)"):
        render_prompt("{{ p }} {{ q }}", {"p": 1, "n": 2})


def test_render_prompt_reports_syntax_errors_with_line() -> None:
    with pytest.raises(ValueError, match=r"prompt template, line 2: "):
        render_prompt("ok\n{{ p | }}", {"p": 1})


def test_render_prompt_unknown_filter() -> None:
    with pytest.raises(ValueError, match="No filter named 'matrix'"):
        render_prompt("{{ p | matrix }}", {"p": 1})


def test_render_prompt_filter_failure_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="prompt template: cannot write a ragged list"):
        render_prompt("{{ p | latex }}", {"p": [[1], [2, 3]]})


@pytest.mark.parametrize("template", [
    "{{ p.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ p.__init__.__globals__ }}",
])
def test_render_prompt_is_sandboxed(template: str) -> None:
    with pytest.raises(ValueError):
        render_prompt(template, {"p": [1]})
