"""Reference implementations for the function exercises (topic `implement`).

Each solver here is what a student's function is compared against, so each is
the numerically careful version of the textbook formula. The student-facing
name is the spec's `function.name` (`softmax`); the solver is registered with
an `impl_` prefix (`impl_softmax`) because the topic modules already own the
plain names.

Conventions:
- inputs are plain lists (or arrays) of numbers; vectors are 1-D, matrices
  are lists of rows; outputs are numpy floats/arrays (callers use `to_plain`);
- logarithms are natural (nats) unless a `base` is given; 0·log 0 = 0;
- a KL divergence or cross-entropy with Q(x) = 0 where P(x) > 0 is `inf`;
- `joint` tables have x on rows and y on columns;
- `likelihood[h][o]` is P(o | h); sample covariance divides by n - 1;
- iterative procedures (power iteration, gradient descent, perceptron) follow
  CATALOGUE.md step for step, so the counts and iterates match it exactly.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from grader.solvers.registry import solver

Array = NDArray[np.float64]


def _vec(x: ArrayLike) -> Array:
    return np.asarray(x, dtype=float)


def _plogq(p: Array, q: Array) -> float:
    """Sum of p·log q over the support of p; -inf when q = 0 somewhere p > 0."""
    support = p > 0
    if np.any(q[support] <= 0):
        return -math.inf
    return float(np.sum(p[support] * np.log(q[support])))


@solver
def impl_softmax(z: ArrayLike) -> Array:
    """Softmax of a 1-D vector of logits: exp(z_i) / sum_j exp(z_j).

    The maximum is subtracted first (softmax is invariant to shifts), so logits
    of size 1000 neither overflow to inf nor underflow to 0/0.
    """
    v = _vec(z)
    e = np.exp(v - np.max(v))
    return e / np.sum(e)


@solver
def impl_entropy(p: ArrayLike, base: float = math.e) -> float:
    """Shannon entropy H(P) = -sum p log p, in units of log `base` (e: nats, 2: bits).

    Terms with p = 0 contribute 0 (the limit of p log p).
    """
    # `0.0 -` rather than unary minus: a certain outcome gives 0.0, not -0.0.
    return 0.0 - _plogq(_vec(p), _vec(p)) / math.log(base)


@solver
def impl_kl_divergence(p: ArrayLike, q: ArrayLike) -> float:
    """KL divergence D_KL(P||Q) = sum p log(p/q) in nats; inf if Q = 0 where P > 0."""
    pv, qv = _vec(p), _vec(q)
    support = pv > 0
    if np.any(qv[support] <= 0):
        return math.inf
    # One log of the ratio, not a difference of two sums: exact 0 for P = Q, no cancellation.
    return float(np.sum(pv[support] * np.log(pv[support] / qv[support])))


@solver
def impl_cross_entropy(p: ArrayLike, q: ArrayLike) -> float:
    """Cross-entropy H(P, Q) = -sum p log q in nats; inf if Q = 0 where P > 0."""
    return 0.0 - _plogq(_vec(p), _vec(q))


@solver
def impl_js_divergence(p: ArrayLike, q: ArrayLike) -> float:
    """Jensen-Shannon divergence ½KL(P||M) + ½KL(Q||M), M = (P+Q)/2, in nats.

    Always finite (M > 0 wherever P or Q is), between 0 and ln 2; disjoint
    supports give exactly ln 2.
    """
    pv, qv = _vec(p), _vec(q)
    m = (pv + qv) / 2
    return 0.5 * impl_kl_divergence(pv, m) + 0.5 * impl_kl_divergence(qv, m)


@solver
def impl_mutual_information(joint: ArrayLike) -> float:
    """Mutual information I(X;Y) = sum p(x,y) log(p(x,y) / (p(x)p(y))) in nats.

    `joint` has x on rows and y on columns; cells with p(x,y) = 0 contribute 0.
    """
    pxy = np.asarray(joint, dtype=float)
    product = np.outer(pxy.sum(axis=1), pxy.sum(axis=0))
    support = pxy > 0
    return float(np.sum(pxy[support] * np.log(pxy[support] / product[support])))


@solver
def impl_lp_norm(x: ArrayLike, p: float) -> float:
    """L^p norm (sum |x_i|^p)^(1/p) for p >= 1; p = inf gives max |x_i|.

    The vector is scaled by its largest magnitude first so |x_i|^p cannot
    overflow for large p.
    """
    a = np.abs(_vec(x))
    if a.size == 0:
        return 0.0
    top = float(np.max(a))
    if math.isinf(p) or top == 0.0:
        return top
    return top * float(np.sum((a / top) ** p)) ** (1.0 / p)


@solver
def impl_power_iteration(A: ArrayLike, v0: ArrayLike, k: int) -> Array:
    """The unit vector after k steps of v <- Av / ||Av||_2, starting from v0.

    Normalising at every step (not once at the end) keeps the values bounded
    however large k is. k = 0 returns v0 normalised.
    """
    M, v = np.asarray(A, dtype=float), _vec(v0)
    v = v / np.linalg.norm(v)
    for _ in range(int(k)):
        w = M @ v
        size = np.linalg.norm(w)
        if size == 0.0:
            raise ValueError("power iteration reached A v = 0; choose a v0 outside the null space")
        v = w / size
    return v


@solver
def impl_gradient_descent(A: ArrayLike, b: ArrayLike, x0: ArrayLike, lr: float,
                          steps: int) -> list[Array]:
    """Iterates x_1..x_steps of x_t = x_{t-1} - lr (A x_{t-1} - b) on f = ½xᵀAx - bᵀx.

    x0 itself is not included. A too-large lr makes the iterates grow without
    bound; they are returned as they are (large, or inf), never an error.
    """
    M, bv, x = np.asarray(A, dtype=float), _vec(b), _vec(x0)
    iterates = []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(steps)):
            x = x - lr * (M @ x - bv)
            iterates.append(x)
    return iterates


@solver
def impl_perceptron(X: ArrayLike, y: ArrayLike, lr: float = 1.0,
                    max_epochs: int = 100) -> tuple[Array, float, int]:
    """Perceptron from w = 0, b = 0 with the rule of CATALOGUE.md; returns (w, b, n_updates).

    A sweep (epoch) visits the points in order from the first; on the first
    point with y_i (w·x_i + b) <= 0 it updates w += lr y_i x_i, b += lr y_i
    and ends, so the next sweep starts again from the first point. Training
    stops after a sweep with no mistake, or after `max_epochs` sweeps (data
    that is not linearly separable).
    """
    P, labels = np.asarray(X, dtype=float), _vec(y)
    w, b, n_updates = np.zeros(P.shape[1]), 0.0, 0
    for _ in range(int(max_epochs)):
        wrong = np.flatnonzero(labels * (P @ w + b) <= 0)
        if wrong.size == 0:
            break
        i = int(wrong[0])
        w = w + lr * labels[i] * P[i]
        b = b + lr * labels[i]
        n_updates += 1
    return w, float(b), n_updates


def _sigmoid(t: float) -> float:
    # Two branches so exp never sees a large positive argument (no overflow).
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


@solver
def impl_sigmoid_backward(w: ArrayLike, x: ArrayLike) -> tuple[float, Array, Array]:
    """Sigmoid gate f = σ(w_0 x_0 + ... + w_{n-1} x_{n-1} + w_n): returns (f, df/dw, df/dx).

    w has one more entry than x (the bias, last). df/d(dot) = σ(dot)·σ(-dot),
    which equals σ(1-σ) but keeps its tiny value when the gate is saturated.
    """
    wv, xv = _vec(w), _vec(x)
    if wv.size != xv.size + 1:
        raise ValueError(f"w needs len(x) + 1 = {xv.size + 1} entries, got {wv.size}")
    dot = float(wv[:-1] @ xv + wv[-1])
    f = _sigmoid(dot)
    ddot = _sigmoid(dot) * _sigmoid(-dot)
    return f, np.append(xv, 1.0) * ddot, wv[:-1] * ddot


@solver
def impl_matmul_backward(W: ArrayLike, X: ArrayLike, dD: ArrayLike) -> tuple[Array, Array]:
    """Gradients of D = W X given dD = dL/dD: returns (dW, dX) = (dD Xᵀ, Wᵀ dD)."""
    Wm, Xm, G = (np.asarray(a, dtype=float) for a in (W, X, dD))
    return G @ Xm.T, Wm.T @ G


@solver
def impl_covariance_matrix(X: ArrayLike) -> Array:
    """Sample covariance matrix of X (rows are samples, columns variables), dividing by n - 1.

    Always d×d, even for one variable (unlike numpy.cov, which returns a 0-d array).
    """
    M = np.asarray(X, dtype=float)
    if M.ndim != 2 or M.shape[0] < 2:
        raise ValueError("X must be a matrix with at least two rows (samples)")
    C = M - M.mean(axis=0)
    return (C.T @ C) / (M.shape[0] - 1)


@solver
def impl_bayes_posterior(prior: ArrayLike, likelihood: ArrayLike, observation: int) -> Array:
    """Posterior P(h | o) = P(o | h) P(h) / sum_h' P(o | h') P(h') for the observed o.

    likelihood[h][o] = P(o | h) (hypotheses on rows, observations on columns);
    `observation` is a 0-based column index.
    """
    joint = _vec(prior) * np.asarray(likelihood, dtype=float)[:, int(observation)]
    evidence = float(np.sum(joint))
    if evidence <= 0:
        raise ValueError("the observation has probability 0 under every hypothesis")
    return joint / evidence
