"""Probability: marginals, conditionals, chain rule, independence, moments, Bayes, uniform.

Conventions (CATALOGUE.md):
- a probability table `joint` has x on rows and y on columns; indices are 0-based;
- with value lists, joint[i][j] = P(x = xs[i], y = ys[j]);
- variance is the population variance Σ P(x)(x - E[x])² (the sample covariance
  matrix, which divides by n - 1, says so in its name and docstring);
- binary chain rule tables: pc[c] = P(c), pb_c[c][b] = P(b∣c) (one row per c),
  pa_bc[b][c][a] = P(a∣b,c).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from grader.solvers.registry import solver
from grader.solvers.information import as_distribution

_INDEPENDENCE_ATOL = 1e-9


def _joint(joint: npt.ArrayLike) -> np.ndarray:
    return as_distribution(joint, name="joint", ndim=2)


@solver
def marginal_x(joint: npt.ArrayLike) -> np.ndarray:
    """P(x) = Σ_y P(x, y): the row sums of the table."""
    return _joint(joint).sum(axis=1)


@solver
def marginal_y(joint: npt.ArrayLike) -> np.ndarray:
    """P(y) = Σ_x P(x, y): the column sums of the table."""
    return _joint(joint).sum(axis=0)


def _row(joint: npt.ArrayLike, i: int) -> np.ndarray:
    J = _joint(joint)
    if not 0 <= int(i) < J.shape[0]:
        raise ValueError(f"i must be a row index in 0..{J.shape[0] - 1}, got {i}")
    return J[int(i)]


@solver
def conditional_y_given_x(joint: npt.ArrayLike, i: int) -> np.ndarray:
    """P(y ∣ x = i) = P(x = i, y) / P(x = i), a distribution over the columns."""
    row = _row(joint, i)
    if row.sum() == 0:
        raise ValueError(f"P(x={i}) = 0, so P(y | x={i}) is undefined")
    return row / row.sum()


@solver
def conditional_x_given_y(joint: npt.ArrayLike, i: int) -> np.ndarray:
    """P(x = i ∣ y) for every y: P(x = i, y) / P(y) (nan where P(y) = 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return _row(joint, i) / marginal_y(joint)


@solver
def chain_rule_joint(pc: npt.ArrayLike, pb_c: npt.ArrayLike, pa_bc: npt.ArrayLike,
                     a: int, b: int, c: int) -> float:
    """P(a, b, c) = P(a∣b,c) · P(b∣c) · P(c), with pa_bc[b][c][a] and pb_c[c][b]."""
    PC, PB, PA = _chain_tables(pc, pb_c, pa_bc)
    return float(PA[b, c, a] * PB[c, b] * PC[c])


@solver
def chain_marginal_b(pc: npt.ArrayLike, pb_c: npt.ArrayLike) -> np.ndarray:
    """P(b) = Σ_c P(b∣c) P(c) (used to name the mistake P(a∣b,c)·P(b)·P(c))."""
    PC = as_distribution(pc, name="pc")
    PB = np.asarray(pb_c, dtype=float)
    return PC @ PB


def _chain_tables(pc: npt.ArrayLike, pb_c: npt.ArrayLike,
                  pa_bc: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    PC = as_distribution(pc, name="pc")
    PB = np.asarray(pb_c, dtype=float)
    PA = np.asarray(pa_bc, dtype=float)
    if PB.shape != (PC.size, PB.shape[-1]) or PA.shape != (PB.shape[1], PC.size, PA.shape[-1]):
        raise ValueError(f"pb_c must be indexed [c][b] and pa_bc [b][c][a]; got shapes "
                         f"pc {PC.shape}, pb_c {PB.shape}, pa_bc {PA.shape}")
    if not (np.allclose(PB.sum(axis=-1), 1) and np.allclose(PA.sum(axis=-1), 1)):
        raise ValueError("each row pb_c[c] and each pa_bc[b][c] must sum to 1")
    return PC, PB, PA


@solver
def independence_product(joint: npt.ArrayLike) -> np.ndarray:
    """The table P(x)P(y) (outer product of the marginals) that independence requires."""
    return np.outer(marginal_x(joint), marginal_y(joint))


@solver
def perturb_joint(joint: npt.ArrayLike, amount: float) -> np.ndarray:
    """Move `amount` from cells (0,0), (1,1) to (0,1), (1,0): both marginals stay the same.

    The result is not independent (a cell changed, the product of marginals did not), which
    makes a table that only a cell-by-cell check reveals as dependent.
    """
    J = _joint(joint).copy()
    if J.shape[0] < 2 or J.shape[1] < 2 or min(J[0, 0], J[1, 1]) < amount or amount <= 0:
        raise ValueError(f"cannot move {amount} out of cells (0,0) and (1,1) of {J.tolist()}")
    J[0, 0] -= amount
    J[1, 1] -= amount
    J[0, 1] += amount
    J[1, 0] += amount
    return J


@solver
def is_independent(joint: npt.ArrayLike) -> bool:
    """Whether P(x, y) = P(x)P(y) in every cell (to 1e-9)."""
    return bool(np.allclose(_joint(joint), independence_product(joint),
                            rtol=0, atol=_INDEPENDENCE_ATOL))


# --- expectation, variance, covariance -------------------------------------------------

_F_TABLE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x^2": np.square,
    "abs(x)": np.abs,
    "2x+1": lambda x: 2 * x + 1,
}
F_NAMES = tuple(_F_TABLE)


def _pmf(values: npt.ArrayLike, pmf: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(values, dtype=float)
    P = as_distribution(pmf, name="pmf")
    if X.shape != P.shape:
        raise ValueError(f"values and pmf must have the same length, got {X.size} and {P.size}")
    return X, P


@solver
def apply_f(f: str, x: npt.ArrayLike) -> np.ndarray:
    """Apply the named function f ('x^2', 'abs(x)' or '2x+1') element-wise to x."""
    if f not in _F_TABLE:
        raise ValueError(f"f must be one of {', '.join(F_NAMES)}; got {f!r}")
    return np.asarray(_F_TABLE[f](np.asarray(x, dtype=float)))


@solver
def expectation(values: npt.ArrayLike, pmf: npt.ArrayLike) -> float:
    """E[x] = Σ P(x) x."""
    X, P = _pmf(values, pmf)
    return float(P @ X)


@solver
def expectation_f(values: npt.ArrayLike, pmf: npt.ArrayLike, f: str) -> float:
    """E[f(x)] = Σ P(x) f(x), f named as in apply_f."""
    X, P = _pmf(values, pmf)
    return float(P @ apply_f(f, X))


@solver
def second_moment(values: npt.ArrayLike, pmf: npt.ArrayLike) -> float:
    """E[x²] = Σ P(x) x² (what is left of the variance without subtracting E[x]²)."""
    X, P = _pmf(values, pmf)
    return float(P @ X**2)


@solver
def variance(values: npt.ArrayLike, pmf: npt.ArrayLike) -> float:
    """Var[x] = E[(x - E[x])²], the population variance of a pmf."""
    X, P = _pmf(values, pmf)
    return float(P @ (X - P @ X) ** 2)


@solver
def std_dev(values: npt.ArrayLike, pmf: npt.ArrayLike) -> float:
    """Standard deviation sqrt(Var[x])."""
    return float(np.sqrt(variance(values, pmf)))


def _table(xs: npt.ArrayLike, ys: npt.ArrayLike,
           joint: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, Y, J = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float), _joint(joint)
    if J.shape != (X.size, Y.size):
        raise ValueError(f"joint must be len(xs) x len(ys) = {X.size}x{Y.size}, "
                         f"got {J.shape[0]}x{J.shape[1]}")
    return X, Y, J


@solver
def expected_product(xs: npt.ArrayLike, ys: npt.ArrayLike, joint: npt.ArrayLike) -> float:
    """E[xy] = Σ_ij P(xs[i], ys[j]) xs[i] ys[j]."""
    X, Y, J = _table(xs, ys, joint)
    return float(X @ J @ Y)


@solver
def covariance(xs: npt.ArrayLike, ys: npt.ArrayLike, joint: npt.ArrayLike) -> float:
    """Cov(x, y) = E[(x - E[x])(y - E[y])] for the table joint[i][j] = P(xs[i], ys[j])."""
    X, Y, J = _table(xs, ys, joint)
    return float((X - X @ J.sum(axis=1)) @ J @ (Y - J.sum(axis=0) @ Y))


@solver
def correlation(xs: npt.ArrayLike, ys: npt.ArrayLike, joint: npt.ArrayLike) -> float:
    """Correlation Cov(x, y) / (std(x) std(y)); undefined (error) if either is constant."""
    X, Y, J = _table(xs, ys, joint)
    sx, sy = std_dev(X, J.sum(axis=1)), std_dev(Y, J.sum(axis=0))
    if sx == 0 or sy == 0:
        raise ValueError("the correlation is undefined when x or y is constant")
    return covariance(X, Y, J) / (sx * sy)


@solver
def sign_flip_joint(xs: npt.ArrayLike, px: npt.ArrayLike) -> np.ndarray:
    """The table of (x, y = s·x), s = ±1 with probability ½ each, independent of x.

    xs must be symmetric around 0 so that y takes its values in xs too; the table has
    x on rows and y on columns over the same values xs. Cov(x, y) = 0, yet y depends on x.
    """
    X, P = _pmf(xs, px)
    if not np.allclose(np.sort(X), np.sort(-X)):
        raise ValueError(f"xs must be symmetric around 0, got {X.tolist()}")
    J = np.zeros((X.size, X.size))
    for i, x in enumerate(X):
        for sign in (1.0, -1.0):
            J[i, int(np.flatnonzero(np.isclose(X, sign * x))[0])] += P[i] / 2
    return J


@solver
def covariance_matrix(X: npt.ArrayLike) -> np.ndarray:
    """Sample covariance matrix of data X whose rows are samples (divides by n - 1)."""
    A = np.asarray(X, dtype=float)
    if A.ndim != 2 or A.shape[0] < 2:
        raise ValueError(f"X must be a 2-D array with at least 2 rows, got shape {A.shape}")
    centred = A - A.mean(axis=0)
    return centred.T @ centred / (A.shape[0] - 1)


# --- Bayes ----------------------------------------------------------------------------

def _check_probability(name: str, value: float) -> float:
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return float(value)


@solver
def diagnostic_evidence(prior: float, sensitivity: float, specificity: float) -> float:
    """P(positive) = sensitivity·prior + (1 - specificity)·(1 - prior)."""
    prior = _check_probability("prior", prior)
    sens = _check_probability("sensitivity", sensitivity)
    spec = _check_probability("specificity", specificity)
    return sens * prior + (1 - spec) * (1 - prior)


@solver
def diagnostic_posterior(prior: float, sensitivity: float, specificity: float) -> float:
    """P(disease ∣ positive) = sensitivity·prior / P(positive) (Bayes' rule)."""
    evidence = diagnostic_evidence(prior, sensitivity, specificity)
    if evidence == 0:
        raise ValueError("P(positive) = 0, so P(disease | positive) is undefined")
    return float(sensitivity) * float(prior) / evidence


@solver
def bayes_posterior(prior: npt.ArrayLike, likelihood: npt.ArrayLike,
                    observation: int) -> np.ndarray:
    """P(h ∣ o) ∝ P(o ∣ h) P(h) with likelihood[h][o] = P(o ∣ h); a vector over h."""
    P = as_distribution(prior, name="prior")
    L = np.asarray(likelihood, dtype=float)
    if L.ndim != 2 or L.shape[0] != P.size or not 0 <= int(observation) < L.shape[1]:
        raise ValueError(f"likelihood must be indexed [h][o] with {P.size} rows and "
                         f"observation a column index; got shape {L.shape}, {observation}")
    unnormalised = P * L[:, int(observation)]
    if unnormalised.sum() == 0:
        raise ValueError(f"observation {observation} has probability 0")
    return unnormalised / unnormalised.sum()


# --- the continuous uniform U(a, b) -----------------------------------------------------

def _interval(a: float, b: float) -> tuple[float, float]:
    if not a < b:
        raise ValueError(f"U(a, b) needs a < b, got a={a}, b={b}")
    return float(a), float(b)


@solver
def uniform_density(a: float, b: float) -> float:
    """The density 1/(b - a) of U(a, b) on [a, b]."""
    lo, hi = _interval(a, b)
    return 1.0 / (hi - lo)


@solver
def uniform_prob(a: float, b: float, c: float, d: float) -> float:
    """P(c <= x <= d) for x ~ U(a, b): the length of [c, d] ∩ [a, b] over b - a."""
    lo, hi = _interval(a, b)
    if c > d:
        raise ValueError(f"the interval [c, d] needs c <= d, got c={c}, d={d}")
    return max(min(d, hi) - max(c, lo), 0.0) / (hi - lo)


@solver
def uniform_mean(a: float, b: float) -> float:
    """E[x] = (a + b)/2 for x ~ U(a, b)."""
    lo, hi = _interval(a, b)
    return (lo + hi) / 2


@solver
def uniform_variance(a: float, b: float) -> float:
    """Var[x] = (b - a)²/12 for x ~ U(a, b)."""
    lo, hi = _interval(a, b)
    return (hi - lo) ** 2 / 12


# --- spec helpers -----------------------------------------------------------------------

@solver
def not_applicable(reason: str) -> Any:
    """Raise ValueError(reason): a mistake expression's way to say "not in this variant".

    grader.authoring.variant leaves out a mistake whose expression fails, so e.g.
    `f(E[x]) if f != '2x+1' else not_applicable('f is linear')` names that mistake only
    where it differs from the answer.
    """
    raise ValueError(f"not applicable: {reason}")
