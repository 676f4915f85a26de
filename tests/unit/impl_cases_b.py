"""The implement exercises of issue 14 (nos. 12-22) for tests/unit/test_implement_specs.py:
their catalogue signatures, independent oracles and edge values known in advance.

Kept in a module of their own so that the exercises added in parallel do not edit the same
dictionaries. Oracles: scipy.signal.correlate2d (conv2d), scipy.special.softmax (attention),
a per-coordinate transcription of Kingma & Ba's algorithm 1 (Adam), scipy.special.log_expit
with central finite differences (logistic gradient), scipy.integrate.quad of p·log(p/q)
(Gaussian KL).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import integrate, signal, special, stats

CATALOGUE_B = {
    "impl-conv2d": "conv2d(X, K, padding='valid') -> matrix",
    "impl-attention": "attention(Q, K, V, causal=False) -> matrix",
    "impl-adam": "adam(A, b, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8) -> list of iterates",
    "impl-logistic-gradient": "logistic_gradient(X, y, w, b) -> (loss, grad_w, grad_b)",
    "impl-gaussian-kl": "gaussian_kl(mu1, sigma1, mu2, sigma2) -> float",
}


def _attention(Q: Any, K: Any, V: Any, causal: bool = False) -> np.ndarray:
    Qm, Km, Vm = (np.asarray(a, float) for a in (Q, K, V))
    S = np.einsum("id,jd->ij", Qm, Km) / math.sqrt(Qm.shape[1])
    if causal:
        S = S + np.triu(np.full(S.shape, -np.inf), 1)
    return special.softmax(S, axis=-1) @ Vm


def _adam(A: Any, b: Any, x0: Any, lr: float, steps: int, b1: float = 0.9, b2: float = 0.999,
          eps: float = 1e-8) -> list[list[float]]:
    A, b = np.asarray(A, float).tolist(), np.asarray(b, float).tolist()
    x, n = [float(v) for v in np.atleast_1d(x0)], len(b)
    m, v, out = [0.0] * n, [0.0] * n, []
    for t in range(1, steps + 1):
        g = [sum(A[i][j] * x[j] for j in range(n)) - b[i] for i in range(n)]
        for i in range(n):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            x[i] -= lr * (m[i] / (1 - b1**t)) / (math.sqrt(v[i] / (1 - b2**t)) + eps)
        out.append(list(x))
    return out


def _logistic(X: Any, y: Any, w: Any, b: float) -> list[Any]:
    Xm, yv = np.asarray(X, float), np.asarray(y, float)

    def loss(theta: np.ndarray) -> float:
        z = Xm @ theta[:-1] + theta[-1]
        return float(-np.mean(yv * special.log_expit(z) + (1 - yv) * special.log_expit(-z)))

    theta, h = np.append(np.asarray(w, float), float(b)), 1e-6
    grad = [(loss(theta + h * e) - loss(theta - h * e)) / (2 * h) for e in np.eye(theta.size)]
    return [loss(theta), grad[:-1], grad[-1]]


def _kl_1d(a: float, sa: float, c: float, sc: float) -> float:
    p, q = stats.norm(a, sa), stats.norm(c, sc)
    value, _ = integrate.quad(lambda t: p.pdf(t) * (p.logpdf(t) - q.logpdf(t)),
                              a - 15 * sa, a + 15 * sa, epsabs=1e-13, epsrel=1e-11)
    return float(value)


def _kl(mu1: Any, s1: Any, mu2: Any, s2: Any) -> float:
    coords = zip(*(np.atleast_1d(np.asarray(v, float)) for v in (mu1, s1, mu2, s2)))
    return sum(_kl_1d(*c) for c in coords)


ORACLES_B: dict[str, Callable[..., Any]] = {
    "impl-conv2d": lambda X, K, padding="valid": signal.correlate2d(X, K, padding),
    "impl-attention": _attention,
    "impl-adam": _adam,
    "impl-logistic-gradient": _logistic,
    "impl-gaussian-kl": _kl,
}
# Finite differences and quadrature are good to about this much.
ORACLE_TOL_B = {"impl-logistic-gradient": (1e-5, 1e-7), "impl-gaussian-kl": (1e-7, 1e-9)}

_A = 1 / (1 + math.exp(-1 / math.sqrt(2)))  # softmax([1/√2, 0])[0]
KNOWN_B: dict[str, list[tuple[list[Any], Any]]] = {
    "impl-conv2d": [
        ([[[1, 2], [3, 4]], [[1, 2], [3, 4]]], [[30]]),
        ([[[1, 2, 3, 4], [5, 6, 7, 8]], [[1, 2, 3]]], [[14, 20], [38, 44]]),
        ([[[1, -2, 3], [4, 0, -6]], [[2]], "same"], [[2, -4, 6], [8, 0, -12]]),
        ([[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]]], [[-4, -4], [-4, -4]]),
    ],
    "impl-attention": [
        ([[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 2], [3, 4]], True],
         [[1, 2], [(1 - _A) + 3 * _A, 2 * (1 - _A) + 4 * _A]]),
        ([[[2000, 0, 0, 0]], [[1, 0, 0, 0], [0, 1, 0, 0]], [[1, 2], [3, 4]]], [[1, 2]]),
        ([[[0, 0], [0, 0]], [[5, -3], [1, 7]], [[4, 8], [2, 6]]], [[3, 7], [3, 7]]),
    ],
    "impl-adam": [
        # g0 = (−1, −1): m̂1 = g0, v̂1 = g0², so x1 = 0.1·1/(1 + ε) in each coordinate.
        ([[[2, 0], [0, 4]], [1, 1], [0, 0], 0.1, 1], [[0.1 / (1 + 1e-8)] * 2]),
    ],
    "impl-logistic-gradient": [
        ([[[1, 2], [0, 1]], [1, 0], [0, 0], 0], [math.log(2), [-0.25, -0.25], 0.0]),
        ([[[1000, 0], [-1000, 0]], [0, 1], [1, 0], 0], [1000.0, [1000.0, 0.0], 0.0]),
    ],
    "impl-gaussian-kl": [
        ([0, 1, 1, 2], math.log(2) + 2 / 8 - 0.5),
        ([1.5, 0.7, 1.5, 0.7], 0.0),
        ([[0, 0, 0], [1, 1, 1], [3, -4, 0], [1, 1, 1]], 12.5),
    ],
}
