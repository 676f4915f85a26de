"""Generators: registry, argument validation (one big table), expressions, basic draws,
probability tables and determinism. Matrix and point generators: test_generators_matrices.py."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from grader.authoring.generators import (
    GENERATORS,
    Generator,
    GeneratorArgError,
    build_generator,
    register,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = range(400)


def draws(name: str, args: dict, env: dict | None = None, seeds=SEEDS) -> list:
    gen = build_generator(name, args)
    return [gen.draw(np.random.default_rng(seed), env or {}) for seed in seeds]


# ------------------------------------------------------------------ registry


def test_registry_holds_every_generator_of_the_spec_table():
    documented = {"const", "expr", "integers", "uniform", "choice", "int_vector", "int_matrix",
                  "prob_vector", "joint_table", "symmetric_eigen", "nonsymmetric_eigen",
                  "orthogonal", "rank_matrix", "spd_matrix", "separable_points"}
    assert documented <= set(GENERATORS)


def test_register_refuses_a_duplicate_name():
    with pytest.raises(ValueError, match="generator 'integers' is already registered"):
        @register("integers")
        class Again(Generator):
            pass


def test_register_adds_a_new_generator():
    @register("test_only_seven")
    class Seven(Generator):
        def sample(self, rng, values):
            return 7

    try:
        assert build_generator("test_only_seven", {}).draw(np.random.default_rng(0), {}) == 7
    finally:
        del GENERATORS["test_only_seven"]


def test_arg_error_is_a_value_error_naming_the_argument():
    with pytest.raises(GeneratorArgError) as info:
        build_generator("integers", {"low": 3, "high": 1})
    assert isinstance(info.value, ValueError)
    assert info.value.arg == "low"
    assert str(info.value) == "low=3 must be <= high=1"


# ------------------------------------------------------------------ invalid arguments

INVALID = [
    # (generator, args, argument blamed, exact message)
    ("integer", {}, "", ("unknown generator 'integer'; did you mean 'integers'? (known: choice, "
     "const, expr, int_matrix, int_vector, integers, joint_table, nonsymmetric_eigen, "
     "orthogonal, prob_vector, rank_matrix, separable_points, spd_matrix, symmetric_eigen, "
     "uniform)")),
    ("integers", [1, 2], "", "arguments of integers must be a mapping, got [1, 2]"),
    ("integers", {1: 2}, "", "argument names of integers must be strings, got 1"),
    ("integers", {"lo": 1, "high": 2}, "lo",
     "unknown argument 'lo' for integers; did you mean 'low'? (expected: low, high, exclude)"),
    ("integers", {"low": 1}, "high",
     "missing argument 'high' for integers (expected: low, high, exclude)"),
    ("integers", {"low": 3, "high": 1}, "low", "low=3 must be <= high=1"),
    ("integers", {"low": "a", "high": 1}, "low", "low must be an integer, got 'a'"),
    ("integers", {"low": 1.5, "high": 2}, "low", "low must be an integer, got 1.5"),
    ("integers", {"low": True, "high": 2}, "low", "low must be an integer, got true"),
    ("integers", {"low": 0, "high": 10**10}, "high",
     "high must be between -1000000000 and 1000000000, got 10000000000"),
    ("integers", {"low": 1, "high": 2, "exclude": [1, 2]}, "exclude",
     "exclude removes every integer in [1, 2]"),
    ("integers", {"low": 1, "high": 2, "exclude": 1}, "exclude",
     "exclude must be a list of integers, got 1"),
    ("integers", {"low": "=n +", "high": 2}, "low",
     "low: invalid expression 'n +': invalid syntax"),
    ("uniform", {"low": 1, "high": 0}, "low", "low=1 must be <= high=0"),
    ("uniform", {"low": 0, "high": "x"}, "high", "high must be a finite number, got 'x'"),
    ("uniform", {"low": 0, "high": math.inf}, "high", "high must be a finite number, got inf"),
    ("uniform", {"low": 0.11, "high": 0.19, "decimals": 1}, "decimals",
     "no number with decimals=1 lies in [0.11, 0.19]"),
    ("uniform", {"low": 0, "high": 1, "decimals": 7}, "decimals",
     "decimals must be between 0 and 6, got 7"),
    ("choice", {"options": []}, "options", "options must be a non-empty list, got []"),
    ("choice", {"options": "ab"}, "options", "options must be a non-empty list, got 'ab'"),
    ("const", {}, "value", "missing argument 'value' for const (expected: value)"),
    ("const", {"value": {1, 2}}, "value", ("value must be plain data (numbers, strings, "
     "true/false, null, lists, mappings), got set")),
    ("expr", {"value": 3}, "value", "value must be an expression string, got 3"),
    ("expr", {"value": "=a.b"}, "value",
     "value: invalid expression 'a.b': attribute access ('.') not allowed here"),
    ("int_vector", {"length": 0, "low": 0, "high": 1}, "length",
     "length must be between 1 and 1000, got 0"),
    ("int_vector", {"length": 2, "low": 0, "high": 0, "nonzero": True}, "nonzero",
     "nonzero=true leaves no integer in [low, high]=[0, 0]"),
    ("int_vector", {"length": 3, "low": -1, "high": 1, "nonzero": True, "distinct": True},
     "length", "distinct=true needs length=3 <= 2, the number of allowed integers in [-1, 1]"),
    ("int_vector", {"length": 2, "low": 0, "high": 1, "distinct": "yes"}, "distinct",
     "distinct must be true or false, got 'yes'"),
    ("int_matrix", {"rows": 2, "cols": 0, "low": 0, "high": 1}, "cols",
     "cols must be between 1 and 100, got 0"),
    ("int_matrix", {"rows": 2, "cols": 2, "low": 5, "high": 4}, "low", "low=5 must be <= high=4"),
    ("prob_vector", {"length": 4, "denominator": 3, "positive": True}, "denominator",
     "denominator=3 must be >= length=4 when positive=true"),
    ("prob_vector", {"length": 2, "denominator": 0}, "denominator",
     "denominator must be between 1 and 1000000, got 0"),
    ("joint_table", {"rows": 2, "cols": 3, "denominator": 5, "positive": True}, "denominator",
     "denominator=5 must be >= rows*cols=6 when positive=true"),
    ("joint_table", {"rows": 2, "cols": 2, "denominator": 7, "independent": True},
     "denominator", ("independent=true needs denominator=7 to be a multiple of a*b with "
     "a >= rows=2 and b >= cols=2 (e.g. 4)")),
    ("symmetric_eigen", {"size": 5, "eigenvalues": [1, 2, 3, 4, 5]}, "size",
     "size must be between 2 and 4, got 5"),
    ("symmetric_eigen", {"size": 2, "eigenvalues": [1, 2, 3]}, "eigenvalues",
     "eigenvalues has 3 values but size=2"),
    ("symmetric_eigen", {"size": 2, "eigenvalues": [3, 0]}, "eigenvalues",
     ("eigenvalues=[3, 0] admit no non-diagonal integer matrix with a nice orthogonal Q; "
     "make two of them differ by an even number")),
    ("symmetric_eigen", {"size": 3, "eigenvalues": {"low": 1, "high": 2}}, "eigenvalues",
     "eigenvalues: distinct=true needs high-low+1=2 >= size=3"),
    ("symmetric_eigen", {"size": 2, "eigenvalues": {"low": 1, "high": 2, "distinct": False}},
     "eigenvalues", ("eigenvalues: high=2 must be >= low+2=3 (a non-diagonal integer matrix "
     "needs two eigenvalues with an even difference)")),
    ("symmetric_eigen", {"size": 2, "eigenvalues": {"low": 1}}, "eigenvalues",
     "eigenvalues: missing key 'high' (expected: low, high, distinct)"),
    ("symmetric_eigen", {"size": 2, "eigenvalues": {"low": 1, "high": 5, "step": 2}},
     "eigenvalues", "eigenvalues: unknown key 'step' (expected: low, high, distinct)"),
    ("symmetric_eigen", {"size": 2, "eigenvalues": {"low": 5, "high": 1}}, "eigenvalues",
     "eigenvalues.low=5 must be <= eigenvalues.high=1"),
    ("symmetric_eigen", {"size": 2, "eigenvalues": {"low": 1.5, "high": 5}}, "eigenvalues.low",
     "eigenvalues.low must be an integer, got 1.5"),
    ("symmetric_eigen", {"size": 2, "eigenvalues": 3}, "eigenvalues",
     "eigenvalues must be a list of integers or a mapping {low, high, distinct}, got 3"),
    ("nonsymmetric_eigen", {"size": 3, "eigenvalues": [1, 1, 2]}, "eigenvalues",
     "eigenvalues must be distinct, got [1, 1, 2]"),
    ("nonsymmetric_eigen", {"size": 3, "eigenvalues": {"low": 0, "high": 1}}, "eigenvalues",
     "eigenvalues: high-low+1=2 must be >= size=3 for distinct eigenvalues"),
    ("nonsymmetric_eigen", {"size": 2, "eigenvalues": {"low": 0, "high": 5, "distinct": False}},
     "eigenvalues", "eigenvalues must be distinct (distinct=false is not supported here)"),
    ("nonsymmetric_eigen", {"size": 2, "eigenvalues": [1, 2], "max_entry": 0}, "max_entry",
     "max_entry must be between 1 and 1000, got 0"),
    ("orthogonal", {"size": 3, "orthogonal": 1}, "orthogonal",
     "orthogonal must be true or false, got 1"),
    ("orthogonal", {"size": 1}, "size", "size must be between 2 and 4, got 1"),
    ("rank_matrix", {"rows": 3, "cols": 4, "rank": 4, "low": -2, "high": 2}, "rank",
     "rank=4 must be <= min(rows, cols)=3"),
    ("rank_matrix", {"rows": 3, "cols": 3, "rank": 0, "low": -2, "high": 2}, "rank",
     "rank must be between 1 and 8, got 0"),
    ("rank_matrix", {"rows": 3, "cols": 3, "rank": 1, "low": 0, "high": 0}, "high",
     "low=0 and high=0 give only the zero matrix"),
    ("rank_matrix", {"rows": 3, "cols": 3, "rank": 2, "low": 4, "high": 4}, "rank",
     "rank=2 is impossible when low=high=4 (equal entries give rank 1)"),
    ("spd_matrix", {"size": 2, "low": 0, "high": 4}, "low", ("low must be between 1 and "
     "1000000000, got 0")),
    ("spd_matrix", {"size": 2, "low": 3, "high": 4}, "high", ("high=4 must be >= low+2=5 "
     "(a non-diagonal integer matrix needs two eigenvalues with an even difference)")),
    ("spd_matrix", {"size": 2, "low": 5, "high": 1}, "low", "low=5 must be <= high=1"),
    ("separable_points", {"count": 10, "low": 0, "high": 2}, "count",
     "count=10 distinct points do not fit in [low, high]^dim (9 points)"),
    ("separable_points", {"count": 1, "low": 0, "high": 2}, "count",
     "count must be between 2 and 100, got 1"),
    ("separable_points", {"count": 3, "low": 0, "high": 2, "eta": 0}, "eta",
     "eta must be > 0, got 0"),
    ("separable_points", {"count": 3, "low": 0, "high": 2, "max_updates": 3, "min_updates": 4},
     "min_updates", "min_updates=4 must be <= max_updates=3"),
    ("separable_points", {"count": 3, "low": -5000, "high": 2}, "low",
     "low must be between -1000 and 1000, got -5000"),
]


@pytest.mark.parametrize(("name", "args", "arg", "message"), INVALID,
                         ids=[f"{row[0]}-{i}" for i, row in enumerate(INVALID)])
def test_invalid_arguments_are_refused_with_exact_messages(name, args, arg, message):
    with pytest.raises(GeneratorArgError) as info:
        build_generator(name, args)
    assert (info.value.arg, str(info.value)) == (arg, message)


def test_null_arguments_mean_none_given():
    with pytest.raises(GeneratorArgError, match="missing argument 'value' for const"):
        build_generator("const", None)


# ------------------------------------------------------------------ expressions


def test_expression_arguments_are_evaluated_over_earlier_params():
    gen = build_generator("int_vector", {"length": "=n", "low": "=-m", "high": "=m"})
    assert gen.names == frozenset({"n", "m"})
    for seed in range(50):
        v = gen.draw(np.random.default_rng(seed), {"n": 3 + seed % 3, "m": 2})
        assert len(v) == 3 + seed % 3 and all(-2 <= x <= 2 for x in v)


def test_expression_giving_an_integral_float_is_accepted_as_an_integer():
    gen = build_generator("prob_vector", {"length": "=n / 2", "denominator": 8})
    assert len(gen.draw(np.random.default_rng(0), {"n": 6})) == 3


def test_expression_value_failing_a_check_raises_value_error_at_draw_time():
    gen = build_generator("integers", {"low": "=n", "high": 2})
    with pytest.raises(ValueError) as info:
        gen.draw(np.random.default_rng(0), {"n": 5})
    assert str(info.value) == "integers: low=5 must be <= high=2 (low: '=n' gave 5)"
    assert not isinstance(info.value, GeneratorArgError)


def test_expression_value_of_the_wrong_type_raises_value_error_at_draw_time():
    gen = build_generator("prob_vector", {"length": "=n", "denominator": 8})
    with pytest.raises(ValueError) as info:
        gen.draw(np.random.default_rng(0), {"n": 0})
    assert str(info.value) == "prob_vector: length must be between 1 and 1000, got 0 " \
                              "(from length: '=n')"


def test_expression_that_fails_to_evaluate_names_the_argument():
    gen = build_generator("integers", {"low": 0, "high": "=m"})
    with pytest.raises(ValueError, match=r"^integers: high: '=m' could not be evaluated: "
                                         r"unknown name 'm'"):
        gen.draw(np.random.default_rng(0), {"n": 5})


def test_expr_generator_evaluates_with_or_without_equals_sign():
    env = {"data": [1, 0, 1, 1], "n": 3}
    assert build_generator("expr", {"value": "len(data)"}).draw(np.random.default_rng(0), env) == 4
    got = build_generator("expr", {"value": "=[n, n * 2]"}).draw(np.random.default_rng(0), env)
    assert got == [3, 6] and type(got[0]) is int


def test_expr_generator_picks_from_a_dict_param():
    pts = {"X": [[1, 2], [3, 4]], "y": [1, -1]}
    gen = build_generator("expr", {"value": "_pts['X']"})
    assert gen.names == frozenset({"_pts"})
    assert gen.draw(np.random.default_rng(0), {"_pts": pts}) == [[1, 2], [3, 4]]


def test_expr_generator_may_call_functions_handed_to_draw():
    gen = build_generator("expr", {"value": "twice(n)"})
    rng = np.random.default_rng(0)
    assert gen.draw(rng, {"n": 4}, functions={"twice": lambda x: 2 * x}) == 8


def test_const_is_literal_even_when_it_starts_with_equals():
    gen = build_generator("const", {"value": "=n"})
    assert gen.draw(np.random.default_rng(0), {}) == "=n"


def test_const_returns_a_fresh_copy():
    gen = build_generator("const", {"value": [[3, 3], [4, 3]]})
    first = gen.draw(np.random.default_rng(0), {})
    first[0][0] = 99
    assert gen.draw(np.random.default_rng(0), {}) == [[3, 3], [4, 3]]


# ------------------------------------------------------------------ basic generators


def test_integers_cover_the_range_minus_exclude():
    got = draws("integers", {"low": -2, "high": 3, "exclude": [0, 1, 7]})
    assert all(type(x) is int for x in got)
    assert set(got) == {-2, -1, 2, 3}


def test_integers_low_equal_high():
    assert set(draws("integers", {"low": 4, "high": 4}, seeds=range(20))) == {4}


def test_uniform_stays_on_the_decimal_grid_inside_the_interval():
    got = draws("uniform", {"low": 0.1, "high": 0.35, "decimals": 2})
    assert all(type(x) is float and 0.1 <= x <= 0.35 for x in got)
    assert all(Fraction(repr(x)) * 100 == int(Fraction(repr(x)) * 100) for x in got)
    assert min(got) == 0.1 and max(got) == 0.35  # 26 grid points, 400 draws: both ends hit


def test_uniform_rounds_to_whole_numbers_with_zero_decimals():
    got = draws("uniform", {"low": -1.5, "high": 2.5, "decimals": 0})
    assert set(got) == {-1.0, 0.0, 1.0, 2.0}


def test_choice_draws_every_option():
    got = draws("choice", {"options": ["nats", "bits", [1, 2]]})
    assert Counter(map(json.dumps, got)).keys() == {'"nats"', '"bits"', "[1, 2]"}


def test_int_vector_respects_range_nonzero_and_distinct():
    got = draws("int_vector", {"length": 5, "low": -3, "high": 3, "nonzero": True,
                               "distinct": True})
    for v in got:
        assert len(v) == 5 and all(type(x) is int and -3 <= x <= 3 and x != 0 for x in v)
        assert len(set(v)) == 5
    assert {x for v in got for x in v} == {-3, -2, -1, 1, 2, 3}


def test_int_vector_distinct_over_a_huge_range():
    for v in draws("int_vector", {"length": 50, "low": -10**9, "high": 10**9, "distinct": True},
                   seeds=range(20)):
        assert len(set(v)) == 50


def test_int_vector_without_distinct_repeats_values():
    got = draws("int_vector", {"length": 4, "low": 0, "high": 1})
    assert any(len(set(v)) < 4 for v in got)


def test_int_matrix_shape_range_and_nonzero():
    for A in draws("int_matrix", {"rows": 2, "cols": 3, "low": -1, "high": 1, "nonzero": True}):
        assert np.array(A).shape == (2, 3)
        assert all(x in (-1, 1) for row in A for x in row)


# ------------------------------------------------------------------ probability


def _fractions_of(values, denominator):
    scaled = np.array(values) * denominator
    assert np.allclose(scaled, np.round(scaled), atol=1e-9), values
    return np.round(scaled).astype(int)


@pytest.mark.parametrize("positive", [False, True])
def test_prob_vector_is_k_over_denominator_summing_to_one(positive):
    got = draws("prob_vector", {"length": 4, "denominator": 12, "positive": positive})
    for p in got:
        k = _fractions_of(p, 12)
        assert len(p) == 4 and k.sum() == 12
        assert abs(math.fsum(p) - 1) <= 1e-12 and abs(sum(p) - 1) <= 1e-12
        assert (k > 0).all() if positive else (k >= 0).all()
    if not positive:
        assert any(0 in p for p in got)  # zeros allowed, and they do occur


def test_prob_vector_of_length_one_and_a_long_one():
    assert draws("prob_vector", {"length": 1, "denominator": 7}, seeds=range(5)) == [[1.0]] * 5
    for p in draws("prob_vector", {"length": 1000, "denominator": 10**6}, seeds=range(5)):
        assert abs(sum(p) - 1) <= 1e-12


def test_prob_vector_is_uniform_over_compositions():
    # 3 parts of 4: C(6, 2) = 15 compositions, each 1/15 of 3000 draws
    gen = build_generator("prob_vector", {"length": 3, "denominator": 4})
    rng = np.random.default_rng(7)
    counts = Counter(tuple(gen.draw(rng, {})) for _ in range(3000))
    assert len(counts) == 15 and min(counts.values()) > 120 and max(counts.values()) < 280


@pytest.mark.parametrize("positive", [False, True])
def test_joint_table_sums_to_one(positive):
    for t in draws("joint_table", {"rows": 2, "cols": 3, "denominator": 24,
                                   "positive": positive}):
        k = _fractions_of(t, 24)
        assert k.shape == (2, 3) and k.sum() == 24
        assert abs(math.fsum(x for row in t for x in row) - 1) <= 1e-12
        assert (k > 0).all() if positive else (k >= 0).all()


def test_joint_table_by_default_is_not_forced_independent():
    ranks = {np.linalg.matrix_rank(np.array(t)) for t in
             draws("joint_table", {"rows": 2, "cols": 2, "denominator": 12, "positive": True})}
    assert ranks == {1, 2}


@pytest.mark.parametrize("positive", [False, True])
def test_independent_joint_table_is_an_outer_product(positive):
    for t in draws("joint_table", {"rows": 2, "cols": 3, "denominator": 36,
                                   "positive": positive, "independent": True}):
        table = np.array(t)
        _fractions_of(table, 36)
        px, py = table.sum(axis=1), table.sum(axis=0)
        assert np.abs(table - np.outer(px, py)).max() <= 1e-12
        assert np.linalg.matrix_rank(table) == 1
        assert abs(table.sum() - 1) <= 1e-12
        assert (np.count_nonzero(px) >= 2) and (np.count_nonzero(py) >= 2)
        if positive:
            assert (table > 0).all()


# ------------------------------------------------------------------ determinism

DETERMINISM = [
    ("integers", {"low": -50, "high": 50, "exclude": [0]}),
    ("uniform", {"low": -1, "high": 1, "decimals": 3}),
    ("choice", {"options": ["a", "b", "c"]}),
    ("int_vector", {"length": 6, "low": -9, "high": 9, "distinct": True}),
    ("int_matrix", {"rows": 3, "cols": 2, "low": -5, "high": 5}),
    ("prob_vector", {"length": 5, "denominator": 20}),
    ("joint_table", {"rows": 2, "cols": 2, "denominator": 16, "independent": True}),
    ("symmetric_eigen", {"size": 3, "eigenvalues": {"low": -4, "high": 4}}),
    ("nonsymmetric_eigen", {"size": 3, "eigenvalues": {"low": -4, "high": 4}}),
    ("orthogonal", {"size": 3, "orthogonal": False}),
    ("rank_matrix", {"rows": 3, "cols": 4, "rank": 2, "low": -3, "high": 3}),
    ("spd_matrix", {"size": 3, "low": 1, "high": 6}),
    ("separable_points", {"count": 5, "low": -4, "high": 4}),
]


@pytest.mark.parametrize(("name", "args"), DETERMINISM, ids=[row[0] for row in DETERMINISM])
def test_same_seed_same_output_byte_for_byte(name, args):
    a, b = build_generator(name, args), build_generator(name, args)
    ra, rb = np.random.default_rng(2024), np.random.default_rng(2024)
    first = json.dumps([a.draw(ra, {}) for _ in range(20)])
    assert first == json.dumps([b.draw(rb, {}) for _ in range(20)])
    other = json.dumps([a.draw(np.random.default_rng(2025), {}) for _ in range(20)])
    assert other != first  # the seed matters


_CHILD = """
import json, numpy as np
from grader.authoring.generators import build_generator
out = []
for name, args in json.loads(ARGS):
    rng = np.random.default_rng(99)
    out.append(build_generator(name, args).draw(rng, {}))
print(json.dumps(out))
"""


def test_draws_are_identical_in_another_process():
    cases = [("separable_points", {"count": 6, "low": -5, "high": 5, "max_updates": 15}),
             ("symmetric_eigen", {"size": 4, "eigenvalues": {"low": -6, "high": 6}}),
             ("joint_table", {"rows": 3, "cols": 2, "denominator": 60, "independent": True})]
    here = [build_generator(n, a).draw(np.random.default_rng(99), {}) for n, a in cases]
    code = _CHILD.replace("ARGS", repr(json.dumps(cases)))
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "123"},
                           check=True, timeout=120)
    assert child.stdout.strip() == json.dumps(here)
