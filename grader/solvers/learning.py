"""Learning: the perceptron, maximum likelihood, softmax with cross-entropy, the NLL.

Conventions (CATALOGUE.md):
- logarithms are natural (nats); 0·log 0 = 0;
- the perceptron starts at w = 0, b = 0, sweeps the points in order and updates on
  the first point with y_i (w·x_i + b) <= 0 (w += η y_i x_i, b += η y_i), then starts
  the sweep again from the first point; it stops when a full sweep has no mistake.
  Points are 0-based; each update is recorded as {point, w, b} (w, b after it);
- the Gaussian MLE variance divides by m (the sample variance divides by m - 1);
- class labels are 0-based.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

import numpy as np
import numpy.typing as npt

from grader.solvers.registry import solver
from grader.solvers.information import as_distribution

MAX_PERCEPTRON_UPDATES = 1000  # a reference run longer than this is a bad parameter set

Step = dict[str, Any]


def _points(X: npt.ArrayLike, y: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    A, labels = np.asarray(X), np.asarray(y)
    if A.ndim != 2 or labels.shape != (A.shape[0],):
        raise ValueError(f"X must be n points (n x d) and y n labels; got shapes "
                         f"{A.shape} and {labels.shape}")
    if not np.all(np.isin(labels, (-1, 1))):
        raise ValueError(f"y must hold labels +1 or -1, got {labels.tolist()}")
    return A, labels


def _first_mistake(A: np.ndarray, labels: np.ndarray, w: np.ndarray, b: Any,
                   strict: bool) -> int:
    margins = labels * (A @ w + b)
    wrong = np.flatnonzero(margins < 0 if strict else margins <= 0)
    return int(wrong[0]) if wrong.size else -1


def _update(A: np.ndarray, labels: np.ndarray, eta: Any, i: int, w: np.ndarray, b: Any,
            update_bias: bool) -> tuple[np.ndarray, Any]:
    return w + eta * labels[i] * A[i], (b + eta * labels[i]) if update_bias else b


def _steps(X: npt.ArrayLike, y: npt.ArrayLike, eta: Any, strict: bool,
           update_bias: bool) -> Iterator[Step]:
    """Every update of the run, lazily (a non-separable run never ends)."""
    A, labels = _points(X, y)
    w = np.zeros(A.shape[1], dtype=np.result_type(A, np.asarray(eta)))
    b = 0 * eta
    while (i := _first_mistake(A, labels, w, b, strict)) >= 0:
        w, b = _update(A, labels, eta, i, w, b, update_bias)
        yield {"point": i, "w": w, "b": b}


@solver
def perceptron_trace(X: npt.ArrayLike, y: npt.ArrayLike, eta: float = 1, *,
                     strict: bool = False, update_bias: bool = True,
                     max_updates: int | None = None) -> list[Step]:
    """The perceptron's updates, each {point, w, b} with w, b after the update.

    strict=True tests y(w·x+b) < 0 and update_bias=False never changes b (the two
    classic mistakes). With max_updates given the run is cut there silently; without
    it a run longer than MAX_PERCEPTRON_UPDATES raises (the points are not separable).
    """
    limit = MAX_PERCEPTRON_UPDATES + 1 if max_updates is None else int(max_updates)
    steps = list(islice(_steps(X, y, eta, strict, update_bias), limit))
    if max_updates is None and len(steps) > MAX_PERCEPTRON_UPDATES:
        raise ValueError(f"the perceptron made more than {MAX_PERCEPTRON_UPDATES} updates; "
                         "are the points linearly separable?")
    return steps


@solver
def perceptron_result(X: npt.ArrayLike, y: npt.ArrayLike, eta: float = 1,
                      **options: Any) -> Step:
    """{w, b, n_updates} at the end of perceptron_trace (same options)."""
    steps = perceptron_trace(X, y, eta, **options)
    d = np.asarray(X).shape[1]
    last = steps[-1] if steps else {"w": np.zeros(d, dtype=np.asarray(X).dtype), "b": 0 * eta}
    return {"w": last["w"], "b": last["b"], "n_updates": len(steps)}


@solver
def perceptron_step(X: npt.ArrayLike, y: npt.ArrayLike, eta: float, prev: Mapping[str, Any],
                    *, strict: bool = False, update_bias: bool = True) -> Step:
    """The update that follows state prev = {w, b, ...}: the sweep restarts at point 0.

    If no point is misclassified under prev the run has ended: the result repeats
    prev's w and b with point -1.
    """
    A, labels = _points(X, y)
    w, b = np.asarray(prev["w"]), prev["b"]
    if w.shape != (A.shape[1],):
        raise ValueError(f"prev['w'] must have {A.shape[1]} entries, got shape {w.shape}")
    i = _first_mistake(A, labels, w, b, strict)
    if i < 0:
        return {"point": -1, "w": w, "b": b}
    w, b = _update(A, labels, eta, i, w, b, update_bias)
    return {"point": i, "w": w, "b": b}


@solver
def perceptron(X: npt.ArrayLike, y: npt.ArrayLike, lr: float = 1.0,
               max_epochs: int = 100) -> tuple[np.ndarray, Any, int]:
    """Train a perceptron by the rule above; return (w, b, n_updates).

    One epoch is a sweep from the first point that ends at an update (or at the end,
    when nothing is misclassified), so at most max_epochs updates are made: data that
    is not separable stops there.
    """
    end = perceptron_result(X, y, lr, max_updates=max_epochs)
    return end["w"], end["b"], end["n_updates"]


# --- maximum likelihood ---------------------------------------------------------------

def _data(data: npt.ArrayLike) -> np.ndarray:
    arr = np.asarray(data, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"data must be a non-empty list of numbers, got shape {arr.shape}")
    return arr


@solver
def mle_bernoulli(data: npt.ArrayLike) -> float:
    """The Bernoulli MLE p̂ = (number of ones) / m for 0/1 data."""
    arr = _data(data)
    if not np.all(np.isin(arr, (0, 1))):
        raise ValueError(f"data must hold 0s and 1s, got {arr.tolist()}")
    return float(arr.mean())


@solver
def nll_bernoulli(data: npt.ArrayLike, p: float) -> float:
    """Negative log-likelihood -Σ [x log p + (1-x) log(1-p)] of 0/1 data (a sum, not a mean)."""
    ones = mle_bernoulli(data) * len(_data(data))
    zeros = len(_data(data)) - ones

    def term(count: float, prob: float) -> float:
        if count == 0:
            return 0.0  # 0·log 0 = 0
        return math.inf if prob == 0 else -count * math.log(prob)

    return term(ones, p) + term(zeros, 1 - p)


@solver
def mle_gaussian_mean(data: npt.ArrayLike) -> float:
    """The Gaussian MLE of the mean: the sample mean Σx / m."""
    return float(_data(data).mean())


@solver
def mle_gaussian_var(data: npt.ArrayLike) -> float:
    """The Gaussian MLE of the variance: Σ(x - μ̂)² / m (divides by m, not m - 1)."""
    arr = _data(data)
    return float(np.sum((arr - arr.mean()) ** 2) / arr.size)


@solver
def sample_variance(data: npt.ArrayLike) -> float:
    """The unbiased sample variance Σ(x - x̄)² / (m - 1)."""
    arr = _data(data)
    if arr.size < 2:
        raise ValueError("the sample variance needs at least 2 data points")
    return float(np.sum((arr - arr.mean()) ** 2) / (arr.size - 1))


# --- softmax and the negative log-likelihood ------------------------------------------

@solver
def softmax(z: npt.ArrayLike) -> np.ndarray:
    """softmax(z)_i = exp(z_i) / Σ_j exp(z_j), computed with max(z) subtracted (no overflow)."""
    arr = np.asarray(z, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"z must be a non-empty 1-D list of logits, got shape {arr.shape}")
    shifted = np.exp(arr - arr.max())
    return shifted / shifted.sum()


def _label(z: npt.ArrayLike, label: int) -> int:
    n = np.asarray(z).size
    if not 0 <= int(label) < n:
        raise ValueError(f"label must be a class index in 0..{n - 1}, got {label}")
    return int(label)


@solver
def softmax_loss(z: npt.ArrayLike, label: int) -> float:
    """Cross-entropy loss -log softmax(z)[label] = logsumexp(z) - z[label]."""
    arr, k = np.asarray(z, dtype=float), _label(z, label)
    top = arr.max()
    return float(top + np.log(np.sum(np.exp(arr - top))) - arr[k])


@solver
def softmax_grad(z: npt.ArrayLike, label: int) -> np.ndarray:
    """Gradient of the loss with respect to the logits: softmax(z) - onehot(label)."""
    grad = softmax(z)
    grad[_label(z, label)] -= 1.0
    return grad


@solver
def empirical_distribution(samples: npt.ArrayLike, k: int) -> np.ndarray:
    """p̂(x) = (count of x in samples) / m for x = 0..k-1."""
    arr = np.asarray(samples)
    if arr.ndim != 1 or arr.size == 0 or not np.all((arr >= 0) & (arr < k) & (arr % 1 == 0)):
        raise ValueError(f"samples must be a non-empty list of ints in 0..{k - 1}")
    return np.bincount(arr.astype(int), minlength=int(k)) / arr.size


@solver
def average_nll(samples: npt.ArrayLike, q: npt.ArrayLike) -> float:
    """Mean negative log-likelihood -(1/m) Σ log q(x_i) of the samples under model q."""
    Q = as_distribution(q, name="q")
    p_hat = empirical_distribution(samples, Q.size)
    if np.any(Q[p_hat > 0] == 0):
        return math.inf
    return float(-np.mean(np.log(Q[np.asarray(samples, dtype=int)])))
