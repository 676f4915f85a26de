"""Information theory: self-information, entropies, KL, cross-entropy, JS, mutual information.

Conventions (CATALOGUE.md):
- logarithms are natural (nats) by default; every function takes `base`, which is
  "nats", "bits" or a number > 0 other than 1 (so `entropy(p, 2)` and
  `entropy(p, "bits")` agree);
- 0·log 0 = 0, so outcomes with P(x) = 0 contribute nothing;
- a KL divergence or cross-entropy where P(x) > 0 and Q(x) = 0 is +inf;
- a probability table `joint` has x on rows and y on columns.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import numpy.typing as npt

from grader.solvers.registry import solver

Base = float | Literal["nats", "bits"]
_PROB_ATOL = 1e-6


def log_factor(base: Base) -> float:
    """The natural log of the base: divide a value in nats by it to change unit."""
    if isinstance(base, str):
        if base == "nats":
            return 1.0
        if base == "bits":
            return math.log(2.0)
        raise ValueError(f"unit must be 'nats' or 'bits', got {base!r}")
    b = float(base)
    if not b > 0 or b == 1.0:
        raise ValueError(f"log base must be > 0 and != 1, got {base!r}")
    return math.log(b)


def as_distribution(p: npt.ArrayLike, *, name: str = "p", ndim: int = 1) -> np.ndarray:
    """p as a float array, checked: the right number of axes, entries >= 0, sum 1."""
    arr = np.asarray(p, dtype=float)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} axis(es), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.any(arr < 0) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite probabilities >= 0, got {arr.tolist()}")
    if abs(arr.sum() - 1.0) > _PROB_ATOL:
        raise ValueError(f"{name} must sum to 1, got sum {arr.sum():g}")
    return arr


def _pair(p: npt.ArrayLike, q: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    P, Q = as_distribution(p, name="p"), as_distribution(q, name="q")
    if P.shape != Q.shape:
        raise ValueError(f"p and q must have the same length, got {P.size} and {Q.size}")
    return P, Q


def _plogq(P: np.ndarray, Q: np.ndarray) -> float:
    """Σ P log Q over the support of P (0·log 0 = 0); -inf when Q = 0 somewhere P > 0."""
    support = P > 0
    if np.any(Q[support] == 0):
        return -math.inf
    return float(np.sum(P[support] * np.log(Q[support])))


@solver
def self_information(p: float, base: Base = math.e) -> float:
    """Self-information I(x) = -log P(x) of an event with probability p (inf for p = 0)."""
    if not 0 <= p <= 1:
        raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
    return math.inf if p == 0 else -math.log(p) / log_factor(base)


@solver
def entropy(p: npt.ArrayLike, base: Base = math.e) -> float:
    """Shannon entropy H(P) = -Σ P(x) log P(x), with 0·log 0 = 0."""
    P = as_distribution(p)
    return -_plogq(P, P) / log_factor(base) + 0.0  # + 0.0 turns -0.0 into 0.0


@solver
def binary_entropy(p: float, base: Base = math.e) -> float:
    """Entropy of a Bernoulli(p) variable: -p log p - (1-p) log(1-p)."""
    if not 0 <= p <= 1:
        raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
    return entropy([p, 1 - p], base)


@solver
def cross_entropy(p: npt.ArrayLike, q: npt.ArrayLike, base: Base = math.e) -> float:
    """Cross-entropy H(P, Q) = -Σ P(x) log Q(x); inf where P(x) > 0 and Q(x) = 0."""
    P, Q = _pair(p, q)
    return -_plogq(P, Q) / log_factor(base) + 0.0


@solver
def kl_divergence(p: npt.ArrayLike, q: npt.ArrayLike, base: Base = math.e) -> float:
    """KL divergence D_KL(P‖Q) = Σ P(x) log(P(x)/Q(x)); inf where P(x) > 0 and Q(x) = 0."""
    P, Q = _pair(p, q)
    cross = _plogq(P, Q)
    if cross == -math.inf:
        return math.inf
    # Computed term by term (not H(P,Q) - H(P)) so that rounding never makes it negative.
    support = P > 0
    terms = P[support] * np.log(P[support] / Q[support])
    return max(float(np.sum(terms)), 0.0) / log_factor(base)


@solver
def js_mixture(p: npt.ArrayLike, q: npt.ArrayLike) -> np.ndarray:
    """The mixture M = (P + Q) / 2 used by the Jensen-Shannon divergence."""
    P, Q = _pair(p, q)
    return (P + Q) / 2


@solver
def js_divergence(p: npt.ArrayLike, q: npt.ArrayLike, base: Base = math.e) -> float:
    """Jensen-Shannon divergence ½ D_KL(P‖M) + ½ D_KL(Q‖M), M = (P+Q)/2; at most log 2."""
    M = js_mixture(p, q)
    return 0.5 * kl_divergence(p, M, base) + 0.5 * kl_divergence(q, M, base)


def _joint(joint: npt.ArrayLike) -> np.ndarray:
    return as_distribution(joint, name="joint", ndim=2)


@solver
def joint_entropy(joint: npt.ArrayLike, base: Base = math.e) -> float:
    """Joint entropy H(X, Y) = -Σ p(x,y) log p(x,y) of a table (x rows, y columns)."""
    return entropy(_joint(joint).ravel(), base)


@solver
def entropy_x(joint: npt.ArrayLike, base: Base = math.e) -> float:
    """H(X): entropy of the row marginal P(x) = Σ_y p(x,y)."""
    return entropy(_joint(joint).sum(axis=1), base)


@solver
def entropy_y(joint: npt.ArrayLike, base: Base = math.e) -> float:
    """H(Y): entropy of the column marginal P(y) = Σ_x p(x,y)."""
    return entropy(_joint(joint).sum(axis=0), base)


@solver
def conditional_entropy_x_given_y(joint: npt.ArrayLike, base: Base = math.e) -> float:
    """H(X∣Y) = H(X, Y) - H(Y)."""
    return max(joint_entropy(joint, base) - entropy_y(joint, base), 0.0)


@solver
def conditional_entropy_y_given_x(joint: npt.ArrayLike, base: Base = math.e) -> float:
    """H(Y∣X) = H(X, Y) - H(X)."""
    return max(joint_entropy(joint, base) - entropy_x(joint, base), 0.0)


@solver
def mutual_information(joint: npt.ArrayLike, base: Base = math.e) -> float:
    """Mutual information I(X;Y) = H(X) + H(Y) - H(X,Y) = D_KL(p(x,y) ‖ p(x)p(y)) >= 0."""
    J = _joint(joint)
    product = np.outer(J.sum(axis=1), J.sum(axis=0))
    return kl_divergence(J.ravel(), product.ravel(), base)
