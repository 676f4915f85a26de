"""Every implement spec, run through its own cases with its reference solver.

For each spec in grader/exercises/implement/: it loads, matches the catalogue's
function name and signature, and on its public, hidden and random cases (several
seeds) the reference returns the declared form, finite values except where an
inf is the known answer, the value an independent oracle (scipy, numpy, closed
forms, finite differences) computes, and — for the catalogue's edge cases —
the value known in advance.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

import numdiff
import pytest
from scipy import linalg, special, stats
from scipy.spatial import distance

from grader.authoring.generators import build_generator
from grader.core.model import Exercise, FunctionSpec
from grader.core.seeding import make_rng
from grader.solvers import SOLVERS
from grader.core.values import to_plain
from impl_cases_b import CATALOGUE_B, KNOWN_B, ORACLE_TOL_B, ORACLES_B

try:
    from grader.authoring.spec import load_exercise
except ImportError:  # pragma: no cover - only while the spec loader is being written
    pytest.skip("grader.authoring.spec.load_exercise does not exist yet (the spec loader)",
                allow_module_level=True)

SPEC_DIR = Path(__file__).resolve().parents[2] / "grader" / "exercises" / "implement"
SEEDS = (0, 1, 2, 7, 2024)
LN2 = math.log(2)
INF = math.inf

# The catalogue's implement table: id -> the signature exactly as written there.
CATALOGUE = {
    "impl-softmax": "softmax(z)",
    "impl-entropy": "entropy(p, base=math.e)",
    "impl-kl-divergence": "kl_divergence(p, q)",
    "impl-cross-entropy": "cross_entropy(p, q)",
    "impl-js-divergence": "js_divergence(p, q)",
    "impl-mutual-information": "mutual_information(joint)",
    "impl-lp-norm": "lp_norm(x, p)",
    "impl-power-iteration": "power_iteration(A, v0, k) -> vector",
    "impl-gradient-descent": "gradient_descent(A, b, x0, lr, steps) -> list of iterates",
    "impl-perceptron": "perceptron(X, y, lr=1.0, max_epochs=100) -> (w, b, n_updates)",
    "impl-sigmoid-backward": "sigmoid_backward(w, x) -> (f, dw, dx)",
    "impl-matmul-backward": "matmul_backward(W, X, dD) -> (dW, dX)",
    "impl-covariance-matrix": "covariance_matrix(X)",
    "impl-bayes-posterior": "bayes_posterior(prior, likelihood, observation)",
}

Case = tuple[str, list[Any], dict[str, Any]]


def build_cases(fn: FunctionSpec, rng: np.random.Generator) -> list[Case]:
    """(case id, args, kwargs) for the public, hidden and `random.count` random cases.

    Random arguments are drawn in the order written, each seeing the earlier ones;
    names starting with '_' are auxiliary (drawn, not passed); the rest are passed
    positionally in that order.
    """
    cases: list[Case] = []
    for group, fixed in (("public", fn.public), ("hidden", fn.hidden)):
        cases += [(f"{group}-{i}", to_plain(list(c.args)), to_plain(dict(c.kwargs)))
                  for i, c in enumerate(fixed, 1)]
    gens = {name: _generator(spec) for name, spec in fn.random_args.items()}
    for i in range(1, fn.random_count + 1):
        env: dict[str, Any] = {}
        for name, gen in gens.items():
            env[name] = to_plain(gen.draw(rng, env))
        cases.append((f"random-{i}", [env[n] for n in gens if not n.startswith("_")], {}))
    return cases


def _generator(spec: Any) -> Any:
    if hasattr(spec, "instance"):  # a ParamSpec from the loader
        return spec.instance
    (name, args), = spec.items()  # a raw {generator: {args}} mapping
    return build_generator(name, args or {})


def _exercise(ex_id: str) -> Exercise:
    return load_exercise(SPEC_DIR / f"{ex_id}.yaml")


def _function(ex: Exercise) -> FunctionSpec:
    (part,) = ex.parts
    assert part.kind == "function" and part.function is not None
    return part.function


def _run(fn: FunctionSpec, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return to_plain(SOLVERS[fn.reference](*args, **kwargs))


# --- return forms ------------------------------------------------------------------------

def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _form_ok(value: Any, form: Any) -> bool:
    if isinstance(form, dict):
        items = form["tuple"]
        return (isinstance(value, list) and len(value) == len(items)
                and all(_form_ok(v, f) for v, f in zip(value, items)))
    if form == "scalar":
        return _is_num(value)
    if form == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if form == "vector":
        return isinstance(value, list) and len(value) > 0 and all(map(_is_num, value))
    if form == "matrix":
        return (isinstance(value, list) and len(value) > 0
                and all(_form_ok(r, "vector") for r in value) and len({len(r) for r in value}) == 1)
    if form == "list_of_vectors":
        return isinstance(value, list) and all(_form_ok(r, "vector") for r in value)
    raise AssertionError(f"unknown return form {form!r}")


def _finite(value: Any) -> bool:
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return math.isfinite(value)


def _close(got: Any, expected: Any, *, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    if isinstance(expected, (tuple, list)) and isinstance(got, list) and \
            len(got) == len(expected) and any(isinstance(e, (tuple, list, np.ndarray))
                                              for e in expected):
        return all(_close(g, e, rtol=rtol, atol=atol) for g, e in zip(got, expected))
    g, e = np.asarray(got, float), np.asarray(expected, float)
    return g.shape == e.shape and bool(np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=False))


# --- independent oracles -------------------------------------------------------------------

def _ent(p: Any) -> float:
    return float(stats.entropy(np.ravel(np.asarray(p, float))))


def _kl(p: Any, q: Any) -> float:
    return float(np.sum(special.rel_entr(p, q)))


def _power(A: Any, v0: Any, k: int) -> np.ndarray:
    # Scale by the max norm each step (not the 2-norm), normalise once at the end.
    M, v = np.asarray(A, float), np.asarray(v0, float)
    for _ in range(k):
        v = M @ v
        v = v / np.max(np.abs(v))
    return v / np.linalg.norm(v)


def _descent(A: Any, b: Any, x0: Any, lr: float, steps: int) -> list[np.ndarray]:
    # Closed form: x_t = x* + (I - lr A)^t (x0 - x*), with x* = A^-1 b.
    M = np.asarray(A, float)
    star = np.linalg.solve(M, np.asarray(b, float))
    step = np.eye(len(M)) - lr * M
    return [star + np.linalg.matrix_power(step, t) @ (np.asarray(x0, float) - star)
            for t in range(1, steps + 1)]


def _perceptron(X: Any, y: Any, lr: float = 1.0, max_epochs: int = 100) -> list[Any]:
    # Exact arithmetic and explicit loops: a second implementation of the catalogue's rule.
    pts = [[Fraction(v) for v in row] for row in X]
    eta = Fraction(lr)
    w, b, n = [Fraction(0)] * len(pts[0]), Fraction(0), 0
    for _ in range(max_epochs):
        for xi, yi in zip(pts, y):
            if yi * (sum(a * c for a, c in zip(w, xi)) + b) <= 0:
                w = [a + eta * yi * c for a, c in zip(w, xi)]
                b, n = b + eta * yi, n + 1
                break
        else:
            break
    return [[float(v) for v in w], float(b), n]


def _numeric_grad(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    h = 1e-6
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


def _sigmoid_gate(w: Any, x: Any) -> list[Any]:
    wv, xv = np.asarray(w, float), np.asarray(x, float)

    def gate(wa: np.ndarray, xa: np.ndarray) -> float:
        return float(special.expit(wa[:-1] @ xa + wa[-1]))

    return [gate(wv, xv), _numeric_grad(lambda v: gate(v, xv), wv),
            _numeric_grad(lambda v: gate(wv, v), xv)]


def _matmul(W: Any, X: Any, dD: Any) -> list[np.ndarray]:
    return [np.einsum("ik,jk->ij", dD, X), np.einsum("ki,kj->ij", W, dD)]


def _bayes(prior: Any, likelihood: Any, o: int) -> np.ndarray:
    joint = np.asarray(prior, float)[:, None] * np.asarray(likelihood, float)  # P(h, o)
    return joint[:, o] / joint.sum(axis=0)[o]


ORACLES: dict[str, Callable[..., Any]] = {
    "impl-softmax": lambda z: special.softmax(np.asarray(z, float)),
    "impl-entropy": lambda p, base=math.e: stats.entropy(p, base=base),
    "impl-kl-divergence": _kl,
    "impl-cross-entropy": lambda p, q: _ent(p) + _kl(p, q),
    "impl-js-divergence": lambda p, q: distance.jensenshannon(p, q) ** 2,
    "impl-mutual-information": lambda t: _ent(np.sum(t, 1)) + _ent(np.sum(t, 0)) - _ent(t),
    "impl-lp-norm": lambda x, p: linalg.norm(np.asarray(x, float), p),
    "impl-power-iteration": _power,
    "impl-gradient-descent": _descent,
    "impl-perceptron": _perceptron,
    "impl-sigmoid-backward": _sigmoid_gate,
    "impl-matmul-backward": _matmul,
    "impl-covariance-matrix": lambda X: np.atleast_2d(np.cov(np.asarray(X, float), rowvar=False)),
    "impl-bayes-posterior": _bayes,
}
# Finite differences and scipy's sqrt-then-square JS are only good to about this much.
ORACLE_TOL = {"impl-sigmoid-backward": (1e-5, 1e-8), "impl-js-divergence": (1e-9, 1e-9)}


# --- values known in advance for the catalogue's edge cases -------------------------------

def _sig(t: float) -> float:
    return 1 / (1 + math.exp(-t))


def _dsig(t: float) -> float:
    return math.exp(-abs(t)) / (1 + math.exp(-abs(t))) ** 2  # σ' is even


def _gate(w: list[float], x: list[float]) -> list[Any]:
    dot = sum(a * c for a, c in zip(w, x)) + w[-1]
    d = _dsig(dot)
    return [_sig(dot), [c * d for c in x] + [d], [a * d for a in w[:-1]]]


_E = [math.exp(i) for i in (1, 2, 3)]
KNOWN: dict[str, list[tuple[list[Any], Any]]] = {
    "impl-softmax": [
        ([[1000, 1000]], [0.5, 0.5]),
        ([[-1000, -1000, -1000]], [1 / 3] * 3),
        ([[1000, -1000, 0]], [1, 0, 0]),
        ([[1001, 1002, 1003]], [e / sum(_E) for e in _E]),
        ([[42]], [1.0]),
        ([[0, 0]], [0.5, 0.5]),
    ],
    "impl-entropy": [
        ([[0.5, 0, 0.5], 2], 1.0),
        ([[1, 0, 0, 0]], 0.0),
        ([[0.25, 0.25, 0.25, 0.25], 2], 2.0),
        ([[0.5, 0.25, 0.25]], 1.5 * LN2),
        ([[0.5, 0.5]], LN2),
        ([[0.5, 0.25, 0.25], 2], 1.5),
    ],
    "impl-kl-divergence": [
        ([[0.36, 0.48, 0.16], [1 / 3] * 3],
         0.36 * math.log(1.08) + 0.48 * math.log(1.44) + 0.16 * math.log(0.48)),
        ([[0.5, 0.5, 0], [0.25, 0.25, 0.5]], LN2),
        ([[0.5, 0.5], [1, 0]], INF),
        ([[0.2, 0.3, 0.5], [0.2, 0.3, 0.5]], 0.0),
        ([[0, 1], [0, 1]], 0.0),
    ],
    "impl-cross-entropy": [
        ([[0, 0, 1, 0], [0.1, 0.2, 0.25, 0.45]], math.log(4)),
        ([[0, 0, 1], [0.5, 0.5, 0]], INF),
        ([[1, 0], [1, 0]], 0.0),
        ([[0.5, 0.5], [0.5, 0.5]], LN2),
        ([[0, 1, 0], [0.2, 0.5, 0.3]], LN2),
    ],
    "impl-js-divergence": [
        ([[1, 0], [0, 1]], LN2),
        ([[0.5, 0.5, 0, 0], [0, 0, 0.25, 0.75]], LN2),
        ([[0.2, 0.3, 0.5], [0.2, 0.3, 0.5]], 0.0),
    ],
    "impl-mutual-information": [
        ([[[0.125, 0.375], [0.125, 0.375]]], 0.0),
        ([[[0.125, 0.0625, 0.0625], [0.375, 0.1875, 0.1875]]], 0.0),
        ([[[0, 0.5], [0.5, 0]]], LN2),
        ([[[0.5, 0], [0, 0.5]]], LN2),
    ],
    "impl-lp-norm": [
        ([[3, -4], 2], 5.0), ([[3, -4], 1], 7.0), ([[3, -4], 3], 91 ** (1 / 3)),
        ([[3, -4], INF], 4.0), ([[-7, 2, 0], INF], 7.0), ([[-1, -2, -2], 1], 5.0),
        ([[0, 0, 0], 2], 0.0), ([[1, 2, 2], 2], 3.0),
    ],
    "impl-power-iteration": [
        ([[[2, 1], [1, 2]], [1, 0], 2], np.array([5, 4]) / math.sqrt(41)),
        ([[[2, 0], [0, 1]], [1, 1], 1], np.array([2, 1]) / math.sqrt(5)),
        ([[[10, 1], [1, 10]], [1, 0], 400], [math.sqrt(0.5)] * 2),
        ([[[-3, 0], [0, 1]], [1, 1], 3], np.array([-27, 1]) / math.sqrt(730)),
        ([[[2, 1], [0, 3]], [0, 1], 2], np.array([5, 9]) / math.sqrt(106)),
    ],
    "impl-gradient-descent": [
        ([[[2, 0], [0, 4]], [2, 4], [0, 0], 0.25, 2], [[0.5, 1], [0.75, 1]]),
        ([[[2, 0], [0, 4]], [0, 0], [1, 1], 1.0, 30],
         [[(-1.0) ** t, (-3.0) ** t] for t in range(1, 31)]),
        ([[[2, 0], [0, 4]], [2, 4], [0, 0], 0.25, 3], [[0.5, 1], [0.75, 1], [0.875, 1]]),
        ([[[1, 0], [0, 1]], [1, 1], [0, 0], 1.0, 1], [[1, 1]]),
        ([[[4]], [8], [0], 0.1, 5], [[2 - 2 * 0.6 ** t] for t in range(1, 6)]),
    ],
    "impl-perceptron": [
        ([[[3, 3], [4, 3], [1, 1]], [1, 1, -1]], [[1, 1], -3, 7]),
        ([[[2, 1]], [-1]], [[-2, -1], -1, 1]),
        ([[[0, 0], [-2, 1], [0, 1]], [1, -1, 1]], [[2, 0], 2, 4]),
        ([[[3, 3], [4, 3], [1, 1]], [1, 1, -1], 0.5], [[0.5, 0.5], -1.5, 7]),
        ([[[0, 0], [1, 1], [1, 0], [0, 1]], [1, 1, -1, -1], 1.0, 10], [[-2, 1], 0, 10]),
        ([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, -1, 1]], [[1, -2, 1], 0, 4]),
        ([[[3, 3], [4, 3], [1, 1]], [1, 1, -1], 1.0, 3], [[1, 1], -1, 3]),
    ],
    "impl-sigmoid-backward": [
        ([[1, -1, 0], [1, 1]], [0.5, [0.25, 0.25, 0.25], [0.25, -0.25]]),
        ([[3, 4, 5], [6, 7]], _gate([3, 4, 5], [6, 7])),
        ([[-10, 0], [10]], _gate([-10, 0], [10])),
        ([[10, 0], [10]], _gate([10, 0], [10])),
        ([[0.5, -0.5, 0.25, 1], [2, 1, -2]], _gate([0.5, -0.5, 0.25, 1], [2, 1, -2])),
        ([[2, 3], [-1]], _gate([2, 3], [-1])),
        ([[0, 0, -2], [5, -5]], _gate([0, 0, -2], [5, -5])),
    ],
    "impl-matmul-backward": [
        ([[[1, 2, 3], [4, 5, 6]], [[1], [0], [-1]], [[1], [2]]],
         [[[1, 0, -1], [2, 0, -2]], [[9], [12], [15]]]),
        ([[[2]], [[3]], [[5]]], [[[15]], [[10]]]),
    ],
    "impl-covariance-matrix": [
        ([[[1, 2], [3, 4], [5, 0]]], [[4, -2], [-2, 4]]),
        ([[[1], [2], [3]]], [[1]]),
        ([[[0, 0], [2, 2]]], [[2, 2], [2, 2]]),
        ([[[1, 5], [2, 5], [3, 5]]], [[1, 0], [0, 0]]),
        ([[[1, 0, 2], [3, 1, 0]]], [[2, 1, -2], [1, 0.5, -1], [-2, -1, 2]]),
    ],
    "impl-bayes-posterior": [
        ([[0.01, 0.99], [[0.9, 0.1], [0.05, 0.95]], 0], [2 / 13, 11 / 13]),
        ([[0.5, 0.5], [[0.3, 0.7], [0.6, 0.4]], 1], [7 / 11, 4 / 11]),
        ([[0.01, 0.99], [[0.9, 0.1], [0.05, 0.95]], 1], [2 / 1883, 1881 / 1883]),
        ([[0.5, 0.25, 0.25], [[1, 0], [0.5, 0.5], [0, 1]], 1], [0, 1 / 3, 2 / 3]),
        ([[0, 0.5, 0.5], [[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]], 0], [0, 2 / 7, 5 / 7]),
    ],
}
# --- issue 14: the deep-learning function exercises ---------------------------------------
# Oracles: scipy's least squares, and central finite differences of a forward pass written
# here (scipy.special for softmax, logsumexp and the sigmoid) for every gradient and Jacobian.

CATALOGUE.update({
    "impl-least-squares": "least_squares(A, b) -> (x, residual)",
    "impl-softmax-jacobian": "softmax_jacobian(z) -> matrix",
    "impl-softmax-cross-entropy": "softmax_cross_entropy(Z, y) -> (loss, dZ)",
    "impl-mlp-backward":
        "mlp_backward(x, W1, b1, W2, b2, y, activation='relu') -> (loss, dW1, db1, dW2, db2)",
})


_fd = numdiff.central_diff


def _lstsq(A: Any, b: Any) -> list[Any]:
    x, *_ = linalg.lstsq(np.asarray(A, float), np.asarray(b, float))
    return [x, float(np.linalg.norm(np.asarray(A, float) @ x - np.asarray(b, float)))]


def _softmax_ce(Z: Any, y: Any) -> list[Any]:
    def loss(S: np.ndarray) -> float:
        rows = np.arange(S.shape[0])
        return float(np.mean(special.logsumexp(S, axis=1) - S[rows, y]))
    return [loss(np.asarray(Z, float)), _fd(loss, Z)]


def _mlp(x: Any, W1: Any, b1: Any, W2: Any, b2: Any, y: Any, activation: str = "relu") -> Any:
    params = [np.asarray(v, float) for v in (W1, b1, W2, b2)]
    xv, yv = np.asarray(x, float), np.asarray(y, float)
    # ReLU's mask is frozen at the base point (z > 0), so the differences see the function
    # autograd differentiates: the convention ReLU'(0) = 0 at an exact kink.
    mask = (params[0] @ xv + params[1]) > 0

    def loss(P: list[np.ndarray]) -> float:
        z = P[0] @ xv + P[1]
        h = special.expit(z) if activation == "sigmoid" else np.where(mask, z, 0.0)
        return float(0.5 * np.sum((P[2] @ h + P[3] - yv) ** 2))

    def grad(i: int) -> np.ndarray:
        return _fd(lambda v: loss([v if j == i else p for j, p in enumerate(params)]),
                   params[i])
    return [loss(params), grad(0), grad(1), grad(2), grad(3)]


ORACLES.update({
    "impl-least-squares": _lstsq,
    "impl-softmax-jacobian": lambda z: _fd(lambda v: special.softmax(v), z),
    "impl-softmax-cross-entropy": _softmax_ce,
    "impl-mlp-backward": _mlp,
})
ORACLE_TOL.update({"impl-softmax-jacobian": (1e-5, 1e-7),
                   "impl-softmax-cross-entropy": (1e-5, 1e-7),
                   "impl-mlp-backward": (1e-5, 1e-6)})
KNOWN.update({
    "impl-least-squares": [
        # Strang, Introduction to Linear Algebra, §4.3 example: the best line through
        # (0, 6), (1, 0), (2, 0) is b = 5 − 3t, with error e = (1, −2, 1).
        ([[[1, 0], [1, 1], [1, 2]], [6, 0, 0]], ([5, -3], math.sqrt(6))),
        ([[[2, 1], [1, 3]], [3, 5]], ([0.8, 1.4], 0.0)),
        ([[[1], [1], [1], [1]], [1, 2, 3, 6]], ([3], math.sqrt(14))),
        ([[[3, 0], [0, 4], [0, 0]], [3, 8, 5]], ([1, 2], 5.0)),
    ],
    "impl-softmax-jacobian": [
        ([[0, 0]], [[0.25, -0.25], [-0.25, 0.25]]),
        ([[7]], [[0.0]]),
        ([[1000, 1000]], [[0.25, -0.25], [-0.25, 0.25]]),
        ([[1000, -1000, 0]], np.zeros((3, 3))),
        ([[0, 0, 0, 0]], (4 * np.eye(4) - 1) / 16),
    ],
    "impl-softmax-cross-entropy": [
        ([[[0, 0]], [1]], (LN2, [[0.5, -0.5]])),
        ([[[1000, -1000]], [1]], (2000.0, [[1.0, -1.0]])),
        ([[[1000, -1000]], [0]], (0.0, [[0.0, 0.0]])),
        ([[[-1000, -1000, -1000]], [2]], (math.log(3), [[1 / 3, 1 / 3, -2 / 3]])),
        ([[[5], [-3]], [0, 0]], (0.0, [[0.0], [0.0]])),
    ],
    "impl-mlp-backward": [
        ([[1, 2], [[1, 0], [0, -1]], [0, 0], [[1, 1]], [0], [0]],
         (0.5, [[1, 2], [0, 0]], [1, 0], [[1, 0]], [1])),
        ([[1, -1], [[0, 0], [0, 0]], [0, 0], [[1, -1]], [0], [1], "sigmoid"],
         (0.5, [[-0.25, 0.25], [0.25, -0.25]], [-0.25, 0.25], [[-0.5, -0.5]], [-1])),
        ([[1, 1], [[1, -1], [2, 0]], [0, -2], [[1, 1]], [0], [3]],
         (4.5, [[0, 0], [0, 0]], [0, 0], [[0, 0]], [-3])),
        ([[1, 1], [[1, 1], [1, 1]], [0, 0], [[1, 1]], [-4], [0]],
         (0.0, [[0, 0], [0, 0]], [0, 0], [[0, 0]], [0])),
    ],
})


# Issue 14's implement exercises keep their oracles in a module of their own.
CATALOGUE.update(CATALOGUE_B)
ORACLES.update(ORACLES_B)
ORACLE_TOL.update(ORACLE_TOL_B)
KNOWN.update(KNOWN_B)
IDS = sorted(CATALOGUE)


# --- tests -----------------------------------------------------------------------------------

def test_every_catalogue_entry_has_a_spec_and_no_more() -> None:
    assert sorted(p.stem for p in SPEC_DIR.glob("*.yaml")) == IDS


@pytest.mark.parametrize("ex_id", IDS)
def test_spec_matches_the_catalogue(ex_id: str) -> None:
    ex = _exercise(ex_id)
    fn = _function(ex)
    assert (ex.id, ex.topic, dict(ex.params)) == (ex_id, "implement", {})
    assert fn.signature == CATALOGUE[ex_id]
    assert fn.signature.startswith(f"{fn.name}(")
    assert fn.reference == f"impl_{fn.name}" and fn.reference in SOLVERS
    assert ex.parts[0].points > 0 and fn.docstring.strip()
    assert 2 <= len(fn.public) <= 3, "2-3 public examples are shown to the student"
    assert fn.hidden and all(c.why for c in fn.hidden), "each hidden edge case says why"
    assert 8 <= fn.random_count <= 12


@pytest.mark.parametrize("ex_id", IDS)
def test_reference_passes_every_case_of_its_spec(ex_id: str) -> None:
    fn = _function(_exercise(ex_id))
    infinite_ok = [args for args, expected in KNOWN[ex_id] if not _finite(to_plain(expected))]
    rtol, atol = ORACLE_TOL.get(ex_id, (fn.tolerance.rtol, fn.tolerance.atol))
    for seed in SEEDS:
        for case_id, args, kwargs in build_cases(fn, make_rng(seed)):
            where = f"{ex_id} seed {seed} {case_id} args={args}"
            value = _run(fn, args, kwargs)
            assert _form_ok(value, fn.returns), f"{where}: {value!r} is not a {fn.returns}"
            assert _finite(value) or args in infinite_ok, f"{where}: unexpected inf/nan {value}"
            oracle = ORACLES[ex_id](*args, **kwargs)
            assert _close(value, oracle, rtol=rtol, atol=atol), f"{where}: {value} != {oracle}"


@pytest.mark.parametrize("ex_id", IDS)
def test_edge_cases_give_the_values_known_in_advance(ex_id: str) -> None:
    fn = _function(_exercise(ex_id))
    fixed = [list(c.args) for c in (*fn.public, *fn.hidden)]
    for args, expected in KNOWN[ex_id]:
        assert args in fixed, f"{ex_id}: the spec lost the edge case {args}"
        value = _run(fn, args, {})
        assert _close(value, to_plain(expected)), f"{ex_id} {args}: {value} != {expected}"


@pytest.mark.parametrize("ex_id", IDS)
def test_random_cases_are_reproducible_and_vary_with_the_seed(ex_id: str) -> None:
    fn = _function(_exercise(ex_id))
    assert build_cases(fn, make_rng(5)) == build_cases(fn, make_rng(5))
    randoms = [[c for c in build_cases(fn, make_rng(s)) if c[0].startswith("random")]
               for s in SEEDS]
    assert len({repr(r) for r in randoms}) > 1


def test_random_perceptron_cases_converge_to_a_separating_line() -> None:
    fn = _function(_exercise("impl-perceptron"))
    for seed in SEEDS:
        for case_id, args, _ in build_cases(fn, make_rng(seed)):
            if case_id.startswith("random"):
                X, y = np.asarray(args[0], float), np.asarray(args[1], float)
                w, b, n = _run(fn, args, {})
                assert n <= 12, f"seed {seed} {case_id}: {n} updates"
                assert np.all(y * (X @ np.asarray(w) + b) > 0), f"seed {seed} {case_id}"
