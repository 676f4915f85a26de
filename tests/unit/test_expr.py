"""Tests for grader.core.expr: the whitelisting evaluator and the student-value reader."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.core.expr import BUILTINS, Expr, ExprError, compile_expr, parse_student_value

ENV = {
    "p": np.array([0.25, 0.75]),
    "q": np.array([0.5, 0.5]),
    "A": np.array([[2.0, 1.0], [1.0, 3.0]]),
    "n": 3,
    "x": -2.5,
    "unit": "bits",
    "_pts": {"X": [[1, 2], [3, 4]], "y": [1, -1]},
}


def ev(text: str, **extra: object) -> object:
    return compile_expr(text).evaluate({**ENV, **extra})


# --------------------------------------------------------------- accepted spec expressions

SCALARS = [
    ("1 + 2 * 3", 7),
    ("7 // 2", 3),
    ("7 % 4", 3),
    ("2 ** 10", 1024),
    ("2 ** -1", 0.5),
    ("-n", -3),
    ("+n", 3),
    ("n / 2", 1.5),
    ("pi", math.pi),
    ("e", math.e),
    ("sqrt(2) / 2", math.sqrt(2) / 2),
    ("exp(1)", math.e),
    ("ln(e ** 2)", 2.0),
    ("log(8, 2)", 3.0),
    ("log(100, base=10)", 2.0),
    ("log(e)", 1.0),
    ("log2(8)", 3.0),
    ("log10(1000)", 3.0),
    ("abs(x)", 2.5),
    ("sin(pi / 2)", 1.0),
    ("cos(0)", 1.0),
    ("tan(pi / 4)", 1.0),
    ("arcsin(1)", math.pi / 2),
    ("arccos(0)", math.pi / 2),
    ("arctan(1)", math.pi / 4),
    ("sum(p)", 1.0),
    ("prod([2, 3, 4])", 24),
    ("max(p)", 0.75),
    ("min(p)", 0.25),
    ("max(3, 7, 5)", 7),
    ("min(3, 7, 5)", 3),
    ("mean([1, 2, 3, 6])", 3.0),
    ("len(p)", 2),
    ("round(2.567, 2)", 2.57),
    ("round(2.4)", 2),
    ("floor(-2.5)", -3),
    ("ceil(2.1)", 3),
    ("det(A)", 5.0),  # 2*3 - 1*1
    ("dot(p, q)", 0.5),
    ("norm([3, 4])", 5.0),
    ("norm([3, -4], 1)", 7.0),
    ("norm([[1, 2], [2, 4]])", 5.0),  # Frobenius: sqrt(1+4+4+16)
    ("rank([[1, 2], [2, 4]])", 1),
    ("unique_count([1, 1, 2, 3, 3])", 3),
    ("unique_count([0.1 + 0.2, 0.3])", 1),
    ("float(3)", 3.0),
    ("int(3.9)", 3),
    ("[1, 2] @ [3, 4]", 11),
    ("x if x > 0 else -x", 2.5),
    ("_pts['y'][1]", -1),
    ("len(_pts['X'])", 2),
    ("A[0, 1]", 1.0),
    ("A[1][1]", 3.0),
    ("sum(p * q)", 0.5),
    ("argmax(p)", 1),
    ("sign(x)", -1.0),
    ("1e-3 * 1000", 1.0),
]


@pytest.mark.parametrize(("text", "expected"), SCALARS)
def test_scalar_expressions(text: str, expected: float) -> None:
    assert ev(text) == pytest.approx(expected, rel=1e-12, abs=1e-12)


BOOLS = [
    ("n == 3", True),
    ("n != 3", False),
    ("1 < n <= 3", True),
    ("1 < n < 3", False),
    ("not n", False),
    ("n > 2 and x < 0", True),
    ("n > 5 or x > 0", False),
    ("unit == 'bits'", True),
    ("unit in ['bits', 'nats']", True),
    ("'X' in _pts", True),
    ("'Z' not in _pts", True),
    ("any(p > 0.5)", True),
    ("all(p > 0.5)", False),
    ("all(0 < p < 1)", True),
    ("allclose(sum(p), 1)", True),
    ("allclose([1, 2], [1, 2.1])", False),
    ("True", True),
]


@pytest.mark.parametrize(("text", "expected"), BOOLS)
def test_boolean_expressions(text: str, expected: bool) -> None:
    assert bool(ev(text)) is expected


ARRAYS = [
    ("[1, 2, 3]", [1, 2, 3]),
    ("[[1, 0], [0, 1]]", [[1, 0], [0, 1]]),
    ("p - q", [-0.25, 0.25]),
    ("abs(p - q)", [0.25, 0.25]),
    ("2 * p", [0.5, 1.5]),
    ("p ** 2", [0.0625, 0.5625]),
    ("[1, 2] ** 2", [1, 4]),
    ("A @ [1, 1]", [3.0, 4.0]),
    ("transpose([[1, 2], [3, 4]])", [[1, 3], [2, 4]]),
    ("T([[1, 2], [3, 4]])", [[1, 3], [2, 4]]),
    ("inv(A)", [[0.6, -0.2], [-0.2, 0.4]]),  # (1/5) [[3, -1], [-1, 2]]
    ("diag([1, 2])", [[1, 0], [0, 2]]),
    ("diag(A)", [2.0, 3.0]),
    ("eye(2)", [[1, 0], [0, 1]]),
    ("zeros(3)", [0, 0, 0]),
    ("ones([2, 2])", [[1, 1], [1, 1]]),
    ("outer([1, 2], [3, 4])", [[3, 4], [6, 8]]),
    ("reversed([1, 2, 3])", [3, 2, 1]),
    ("sorted([3, 1, 2])", [1, 2, 3]),
    ("asc([3, 1, 2])", [1, 2, 3]),
    ("sort_desc([3, 1, 2])", [3, 2, 1]),
    ("concat([1, 2], [3])", [1, 2, 3]),
    ("[1, 2, 3, 4][1:3]", [2, 3]),
    ("[1, 2, 3, 4][::2]", [1, 3]),
    ("A[:, 0]", [2.0, 1.0]),
    ("sqrt([4, 9])", [2.0, 3.0]),
    ("ln([1, e])", [0.0, 1.0]),
    ("max(p, q)", [0.5, 0.75]),
    ("sum(A, axis=0)", [3.0, 4.0]),
    ("array([1, 2])", [1, 2]),
    ("floor([1.5, -1.5])", [1.0, -2.0]),
    ("[p, q]", [[0.25, 0.75], [0.5, 0.5]]),
]


@pytest.mark.parametrize(("text", "expected"), ARRAYS)
def test_array_expressions(text: str, expected: list) -> None:
    got = ev(text)
    assert isinstance(got, np.ndarray)
    np.testing.assert_allclose(got, np.array(expected, dtype=float), rtol=1e-12, atol=1e-12)


def test_list_of_ints_is_int_array_and_mixed_is_float() -> None:
    assert ev("[1, 2]").dtype.kind == "i"  # type: ignore[union-attr]
    assert ev("[1, 2.5]").dtype.kind == "f"  # type: ignore[union-attr]


def test_ragged_and_non_numeric_lists_stay_lists() -> None:
    ragged = ev("[[1, 2], [3]]")
    assert isinstance(ragged, list)
    assert [v.tolist() for v in ragged] == [[1, 2], [3]]  # the rows themselves are arrays
    assert ev("['a', 'b']") == ["a", "b"]
    assert ev("[]") == []


def test_tuples_and_dicts() -> None:
    assert ev("(1, 'a')") == (1, "a")
    assert ev("{'a': 1, 'b': n}") == {"a": 1, "b": 3}
    assert ev("{'a': 1}['a']") == 1


def test_and_or_short_circuit_return_operands() -> None:
    assert ev("0 or 5") == 5
    assert ev("0 and missing") == 0  # the right side is never evaluated


def test_plain_list_parameters_compute_as_arrays() -> None:
    names = {"p": [0.25, 0.75], "q": [0.5, 0.5], "_pts": {"X": [[1, 2], [3, 4]], "y": [1, -1]},
             "labels": ["a", "b"], "rows": [[1], [2, 3]]}
    assert compile_expr("max(abs(p - q))").evaluate(names) == 0.25
    assert compile_expr("_pts['X'] @ _pts['y']").evaluate(names).tolist() == [-1, -1]
    assert compile_expr("labels").evaluate(names) == ["a", "b"]
    assert compile_expr("rows[1] * 2").evaluate(names).tolist() == [4, 6]
    assert names["p"] == [0.25, 0.75]  # the caller's values are not modified


def test_names_take_precedence_over_constants() -> None:
    assert compile_expr("e + 1").evaluate({"e": 1}) == 2


def test_free_names_and_functions() -> None:
    expr = compile_expr("kl_divergence(p, q) + sqrt(n) * pi - _pts['X'][0][0]")
    assert expr.names == frozenset({"p", "q", "n", "_pts"})
    assert expr.functions == frozenset({"kl_divergence", "sqrt"})
    assert expr.text == "kl_divergence(p, q) + sqrt(n) * pi - _pts['X'][0][0]"


def test_extra_functions_are_callable_with_keywords() -> None:
    def scale(v: object, *, by: float = 1.0) -> float:
        return float(v) * by  # type: ignore[arg-type]
    assert compile_expr("scale(n, by=2)").evaluate({"n": 3}, {"scale": scale}) == 6.0


def test_builtins_table_has_the_documented_functions() -> None:
    documented = [
        "sqrt", "exp", "ln", "log", "log2", "log10", "abs", "sin", "cos", "tan", "arcsin",
        "arccos", "arctan", "sum", "prod", "max", "min", "mean", "len", "round", "floor", "ceil",
        "array", "transpose", "T", "dot", "outer", "norm", "inv", "det", "diag", "eye", "zeros",
        "ones", "reversed", "sorted", "sort_desc", "asc", "concat", "float", "int", "any", "all",
        "unique_count", "allclose", "rank",
    ]
    assert set(documented) <= set(BUILTINS)


def test_expr_equality_and_repr() -> None:
    assert compile_expr("n + 1") == compile_expr("n + 1")
    assert repr(compile_expr("n + 1")) == "Expr('n + 1')"
    assert isinstance(compile_expr("1"), Expr)


def test_scalar_results_are_python_numbers() -> None:
    assert type(ev("sqrt(4)")) is float
    assert type(ev("sum([1, 2])")) is int
    assert type(ev("det(A)")) is float


# --------------------------------------------------------------- refused at compile time

REFUSED_AT_COMPILE = [
    ("__import__('os')", "'__import__' is not allowed", 1),
    ("().__class__", "attribute access", 1),
    ("p.sum()", "attribute access", 1),
    ("[x for x in p]", "comprehensions", 1),
    ("{x: 1 for x in p}", "comprehensions", 1),
    ("sum(x for x in p)", "comprehensions", 4),
    ("lambda: 1", "lambda", 1),
    ("f(*p)", "'*' unpacking", 3),
    ("f(**d)", "'**' arguments", 1),
    ("f'{n}'", "f-strings", 1),
    ("(y := 3)", "':='", 2),
    ("{1, 2}", "set literals", 1),
    ("n | 1", "'BitOr'", 1),
    ("~n", "'Invert'", 1),
    ("n is None", "'Is'", 1),
    ("1j", "constant 1j", 1),
    ("b'x'", "constant b'x'", 1),
    ("...", "constant Ellipsis", 1),
    ("(lambda: 1)()", "only named functions", 1),
    ("p[0](1)", "only named functions", 1),
    ("1 + * 2", "invalid syntax", 5),
    ("(1", "invalid syntax ('(' was never closed)", 1),
    ("x = 1", "invalid syntax", 0),
    ("", "empty expression", 0),
    ("   ", "empty expression", 0),
    ("(" * 300 + "1" + ")" * 300, "too many nested parentheses", 0),
    ("-" * 3000 + "1", "nested too deeply", 0),
    ("1" + "+1" * 2400, "nested too deeply", 0),
    ("1" * 5001, "too long", 0),
    ("a\x00b", "invalid", 0),
]


@pytest.mark.parametrize(("text", "message", "column"), REFUSED_AT_COMPILE)
def test_refused_at_compile_time(text: str, message: str, column: int) -> None:
    with pytest.raises(ExprError) as info:
        compile_expr(text)
    assert message in str(info.value)
    if column:
        assert info.value.column == column


def test_non_string_expression_is_refused() -> None:
    with pytest.raises(ExprError, match="expected an expression as a string, got int"):
        compile_expr(3)  # type: ignore[arg-type]


def test_expr_error_is_a_value_error() -> None:
    assert issubclass(ExprError, ValueError)
    assert ExprError("m").column == 0


# --------------------------------------------------------------- refused when evaluated

REFUSED_AT_RUN = [
    ("9 ** 9 ** 9", "power too large"),
    ("10 ** 1000", "power too large: 10**1000"),
    ("2 ** 2 ** 2 ** 2 ** 2", "power too large"),
    ("(-2) ** 5000", "power too large"),
    ("10.0 ** 400", "too large"),
    ("10 ** 300 * 10 ** 300 * 10 ** 300 * 10 ** 300", "too large"),
    ("(-8) ** (1 / 3)", "complex result"),
    ("'a' * 10 ** 9", "cannot repeat"),
    ("10 ** 9 * 'a'", "cannot repeat"),
    ("('a',) * 1000", "cannot repeat"),
    ("'%0999999999d' % 1", "cannot repeat or format"),
    ("zeros(10 ** 9)", "too large"),
    ("ones([100000, 100000])", "too large"),
    ("eye(10 ** 7)", "too large"),
    ("1 / 0", "division by zero"),
    ("n // 0", "division by zero"),
    ("n % 0", "division by zero"),
    ("0 ** -1", "division by zero"),
    ("1 / ln(1)", "division by zero"),
    ("foo + 1", "unknown name 'foo'"),
    ("nn + 1", "unknown name 'nn'; did you mean 'n'?"),
    ("kl(p, q)", "unknown function 'kl'; did you mean 'kl_divergence'?"),
    ("sqr(2)", "unknown function 'sqr'; did you mean 'sqrt'?"),
    ("open('f')", "unknown function 'open'"),
    ("eval('1')", "unknown function 'eval'"),
    ("_pts['Z']", "no key 'Z'; the keys are: X, y"),
    ("_pts[0]", "no key 0"),
    ("n[0]", "cannot index a int"),
    ("p[5]", "out of bounds"),
    ("inv([[1, 2], [2, 4]])", "inv(): Singular matrix"),
    ("p if p else q", "ambiguous"),
    ("{1: 2}", "keys must be strings"),
    ("max()", "max(): needs at least one argument"),
    ("len(n)", "len()"),
    ("sqrt(1, 2)", "sqrt()"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED_AT_RUN)
def test_refused_at_evaluation(text: str, message: str) -> None:
    expr = compile_expr(text)
    with pytest.raises(ExprError) as info:
        expr.evaluate(ENV, {"kl_divergence": lambda a, b: 0.0})
    assert message in str(info.value)


def test_evaluation_error_reports_column() -> None:
    with pytest.raises(ExprError) as info:
        compile_expr("1 + foo").evaluate({})
    assert info.value.column == 5


def test_columns_count_characters_not_utf8_bytes() -> None:
    with pytest.raises(ExprError) as info:
        compile_expr("'\u00e9\u00e9' + f.x")
    assert info.value.column == 8
    with pytest.raises(ExprError) as info:
        compile_expr("'\u00e9\u00e9' + foo").evaluate({})
    assert info.value.column == 8


def test_numpy_overflow_and_invalid_give_inf_and_nan_silently() -> None:
    assert ev("ln(0)") == -math.inf
    assert math.isnan(ev("sqrt(-1)"))  # type: ignore[arg-type]
    assert ev("p / 0")[0] == math.inf  # type: ignore[index]


def test_solver_exceptions_become_expr_errors_naming_the_function() -> None:
    def boom(v: object) -> None:
        raise ValueError("length mismatch")
    with pytest.raises(ExprError, match=r"^boom\(\): length mismatch$"):
        compile_expr("boom(1)").evaluate({}, {"boom": boom})


# --------------------------------------------------------------- student values

STUDENT_OK = [
    (3, 3.0),
    (2.5, 2.5),
    (True, True),
    (False, False),
    ("3", 3.0),
    ("1/3", 1 / 3),
    (" 1/3 ", 1 / 3),
    ("ln(2)/2", math.log(2) / 2),
    ("log(2)/2", math.log(2) / 2),
    ("sqrt(2)/2", math.sqrt(2) / 2),
    ("-inf", -math.inf),
    ("inf", math.inf),
    ("2^3", 8.0),
    ("2**3", 8.0),
    ("2^-1", 0.5),
    ("1e-3", 0.001),
    ("-1.5E2", -150.0),
    ("\u22120.5", -0.5),  # typographic minus
    ("(1 + 2) * 3", 9.0),
    ("pi/4", math.pi / 4),
    ("e^2", math.e ** 2),
    ("log2(8)", 3.0),
    ("log10(0.01)", -2.0),
    ("log(8, 2)", 3.0),
    ("exp(-1)", math.exp(-1)),
    ("abs(-2)", 2.0),
    ("sin(pi/6)", 0.5),
    ("cos(0)", 1.0),
    ("tan(0)", 0.0),
    ("arcsin(1)", math.pi / 2),
    ("arccos(1)", 0.0),
    ("arctan(1)", math.pi / 4),
    ("-(1/4)*log2(1/4) - (3/4)*log2(3/4)", 0.8112781244591328),
]


@pytest.mark.parametrize(("raw", "expected"), STUDENT_OK)
def test_student_scalars(raw: object, expected: object) -> None:
    got = parse_student_value(raw)
    assert type(got) is type(expected)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_student_nan_is_a_float_nan() -> None:
    assert math.isnan(parse_student_value("nan"))


STUDENT_LISTS = [
    ("[1/2, 1/4]", [0.5, 0.25]),
    ("[[1,0],[0,1]]", [[1.0, 0.0], [0.0, 1.0]]),
    ("[[1, 2], [3]]", [[1.0, 2.0], [3.0]]),
    ([1, "1/2", 0.25], [1.0, 0.5, 0.25]),
    ([[1, "2^2"], ["sqrt(9)", 4]], [[1.0, 4.0], [3.0, 4.0]]),
    ([], []),
    ("[2^2, -1]", [4.0, -1.0]),
]


@pytest.mark.parametrize(("raw", "expected"), STUDENT_LISTS)
def test_student_lists(raw: object, expected: list) -> None:
    got = parse_student_value(raw)
    assert got == expected
    assert all(type(v) is float for v in _flatten(got))


def _flatten(v: object) -> list:
    return [w for x in v for w in _flatten(x)] if isinstance(v, list) else [v]  # type: ignore[attr-defined]


STUDENT_REFUSED = [
    ("1/", "could not read '1/' as a number: invalid syntax"),
    ("1/0", "could not read '1/0' as a number: division by zero"),
    ("[1, 1/0]", "division by zero"),
    ("hello", "could not read 'hello' as a number: unknown name 'hello' (allowed: numbers, pi"),
    ("x + 1", "unknown name 'x'"),
    ("1,5", "use '.' for decimals"),
    ("2pi", "invalid syntax (invalid decimal literal); write * for products, like 2*pi"),
    ("2 sqrt(2)", "write * for products"),
    ("(1+2)(3)", "write * for products"),
    ("", "empty expression"),
    (None, "no answer given"),
    ("__import__('os')", "not allowed"),
    ("().__class__", "not allowed"),
    ("[x for x in [1]]", "comprehensions not allowed"),
    ("lambda: 1", "lambda not allowed"),
    ("9^9^9", "power too large"),
    ("10^400", "power too large"),
    ("(-8)^(1/3)", "complex result"),
    ("'1'", "constant '1' not allowed"),
    ("True", "constant True not allowed"),
    ("1 < 2", "'Compare' expressions not allowed"),
    ("2 // 1", "'FloorDiv' expressions not allowed"),
    ("2 % 1", "'Mod' expressions not allowed"),
    ("max(1, 2)", "unknown function 'max'"),
    ("sum([1, 2])", "unknown function 'sum'"),
    ("zeros(10)", "unknown function 'zeros'"),
    ("1 if 1 else 2", "'IfExp' expressions not allowed"),
    ("(1, 2)", "use '.' for decimals, or brackets [a, b] for a list"),
    ("[(1, 2)]", "'Tuple' expressions not allowed"),
    ("{'a': 1}", "'Dict' expressions not allowed"),
    ("[1][0]", "'Subscript' expressions not allowed"),
    ("1j", "constant 1j"),
    ("sqrt(x=2)", "'keyword' expressions not allowed"),
    ("(" * 250 + "1" + ")" * 250, "too many nested parentheses"),
    ("-" * 999 + "1", "nested too deeply"),
    ("1" * 1001, "too long"),
    ({"a": 1}, "could not read a dict as a number"),
    (10**400, "is too large"),
]


@pytest.mark.parametrize(("raw", "message"), STUDENT_REFUSED)
def test_student_refused(raw: object, message: str) -> None:
    with pytest.raises(ExprError) as info:
        parse_student_value(raw)
    assert message in str(info.value)


def test_student_message_is_shortened_for_long_input() -> None:
    with pytest.raises(ExprError, match=r"could not read '1\+1\+.*\.\.\.' as a number"):
        parse_student_value("1+1+" * 30 + "x")


def test_student_huge_yaml_list_is_refused() -> None:
    with pytest.raises(ExprError, match="too large"):
        parse_student_value([0] * 20_000)


def test_expr_reexports_the_builtin_tables() -> None:
    from grader.core import expr, expr_builtins

    assert expr.BUILTINS is expr_builtins.BUILTINS and expr.CONSTANTS is expr_builtins.CONSTANTS
    assert expr.ELEMENTARY is expr_builtins.ELEMENTARY
    assert set(expr.ELEMENTARY) < set(expr.BUILTINS)


# --------------------------------------------------------------- never a crash

_TOKENS = [*"0123456789.+-*/^()[], eE_'", "pi", "inf", "nan", "sqrt", "ln", "log", "**", "x",
           "abs", "exp", "__class__", "lambda", "for", "if"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=20).map("".join))
def test_student_input_either_reads_or_raises_expr_error(text: str) -> None:
    try:
        value = parse_student_value(text)
    except ExprError:
        return
    assert all(type(v) is float for v in _flatten(value))
