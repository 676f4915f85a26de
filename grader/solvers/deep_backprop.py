"""Backpropagation and layer shapes (issue 14): a 2-layer MLP, softmax with cross-entropy,
batch normalisation, convolution output sizes.

Conventions (CATALOGUE.md):
- the MLP is h = act(W1 x + b1), ŷ = W2 h + b2, L = ½‖ŷ − y‖²; act is 'relu' or 'sigmoid';
  ReLU'(0) = 0 (as PyTorch and NumPy-style `z > 0` masks do); gradients have the shape of
  their variable (dW1 is the shape of W1);
- cross-entropy with a target distribution t is L = −Σ tᵢ log softmax(z)ᵢ (natural log);
- batch norm normalises one feature over a batch with the population variance (divide by N):
  x̂ = (x − μ)/√(σ² + ε), y = γx̂ + β; its backward pass takes the upstream gradient dy;
- a convolution (or pooling) layer along one spatial axis of size n, kernel k, stride s,
  padding p on each side and dilation d gives ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 outputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.solvers.arrays import mat as _mat
from grader.solvers.arrays import vec as _vec
from grader.solvers.calculus import sigmoid, sigmoid_derivative
from grader.solvers.learning import softmax
from grader.solvers.registry import solver


# ---------------------------------------------------------------- 2-layer MLP


def _act(z: np.ndarray, activation: str) -> tuple[np.ndarray, np.ndarray]:
    """(act(z), act'(z)) element-wise."""
    if activation == "relu":
        return np.maximum(z, 0.0), (z > 0).astype(float)
    if activation == "sigmoid":
        return np.asarray(sigmoid(z), float), np.asarray(sigmoid_derivative(z), float)
    raise ValueError(f"activation must be 'relu' or 'sigmoid', got {activation!r}")


@solver
def mlp_pass(x: Any, W1: Any, b1: Any, W2: Any, b2: Any, y: Any,
             activation: str = "relu") -> dict[str, Any]:
    """Forward and backward pass of the 2-layer MLP (see the module's conventions).

    Returns z1, h, yhat, loss, dyhat, dW2, db2, dh, dz1, dW1, db1, dx.
    """
    xv, A, B = _vec(x), _mat(W1), _mat(W2)
    z1 = A @ xv + _vec(b1)
    h, dact = _act(z1, activation)
    yhat = B @ h + _vec(b2)
    err = yhat - _vec(y)
    dh = B.T @ err
    dz1 = dh * dact
    return {"z1": z1, "h": h, "yhat": yhat, "loss": float(0.5 * err @ err), "dyhat": err,
            "dW2": np.outer(err, h), "db2": err, "dh": dh, "dz1": dz1,
            "dW1": np.outer(dz1, xv), "db1": dz1, "dx": A.T @ dz1}


# ---------------------------------------------------------------- softmax + cross-entropy


def _target(z: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
    zv, tv = _vec(z), _vec(t)
    if zv.shape != tv.shape or np.any(tv < 0) or abs(tv.sum() - 1) > 1e-9:
        raise ValueError(f"t must be a probability vector with one entry per logit, got {t}")
    return zv, tv


@solver
def soft_cross_entropy(z: Any, t: Any) -> float:
    """L = −Σ tᵢ log softmax(z)ᵢ = logsumexp(z) − tᵀz (natural log)."""
    zv, tv = _target(z, t)
    top = float(zv.max())
    return top + float(np.log(np.sum(np.exp(zv - top)))) - float(tv @ zv)


@solver
def soft_cross_entropy_grad(z: Any, t: Any) -> np.ndarray:
    """∂L/∂z = softmax(z) − t (t sums to 1)."""
    zv, tv = _target(z, t)
    return softmax(zv) - tv


@solver
def soft_cross_entropy_grad_probs(z: Any, t: Any) -> np.ndarray:
    """The mistake: ∂L/∂p = −t/p, the gradient w.r.t. the probabilities, not the logits."""
    zv, tv = _target(z, t)
    return -tv / softmax(zv)


@solver
def soft_cross_entropy_grad_diagonal(z: Any, t: Any) -> np.ndarray:
    """The mistake: −tᵢ(1 − pᵢ), the softmax Jacobian's off-diagonal terms dropped."""
    zv, tv = _target(z, t)
    return -tv * (1 - softmax(zv))


# ---------------------------------------------------------------- batch normalisation


@solver
def batchnorm_pass(x: Any, gamma: float, beta: float, eps: float, dy: Any,
                   ddof: int = 0) -> dict[str, Any]:
    """Batch norm of one feature over the batch x, forward and backward.

    Returns mean, var, xhat, y, dgamma, dbeta, dx; ddof=1 is the mistake (sample variance).
    """
    xv, g = _vec(x), _vec(dy)
    n = xv.size
    mu = float(xv.mean())
    var = float(np.sum((xv - mu) ** 2) / (n - int(ddof)))
    inv = 1 / np.sqrt(var + float(eps))
    xhat = (xv - mu) * inv
    dxhat = float(gamma) * g
    # Through x̂ = (x − μ)·(σ² + ε)^(−1/2) with μ and σ² both functions of every xᵢ.
    dx = inv / n * (n * dxhat - dxhat.sum() - xhat * np.sum(dxhat * xhat))
    return {"mean": mu, "var": var, "xhat": xhat, "y": float(gamma) * xhat + float(beta),
            "dgamma": float(g @ xhat), "dbeta": float(g.sum()), "dx": dx}


@solver
def batchnorm_dx_constant_stats(x: Any, gamma: float, eps: float, dy: Any) -> np.ndarray:
    """The mistake: μ and σ² treated as constants, dx = γ·dy/√(σ² + ε)."""
    xv = _vec(x)
    return float(gamma) * _vec(dy) / np.sqrt(xv.var() + float(eps))


@solver
def batchnorm_dx_mean_only(x: Any, gamma: float, eps: float, dy: Any) -> np.ndarray:
    """The mistake: only the mean's path, γ(dy − mean(dy))/√(σ² + ε) (σ² held constant)."""
    xv, g = _vec(x), _vec(dy)
    return float(gamma) * (g - g.mean()) / np.sqrt(xv.var() + float(eps))


# ---------------------------------------------------------------- convolution shapes


@solver
def conv_output_size(n: int, k: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1) -> int:
    """⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 outputs along an axis (raises when the kernel does
    not fit)."""
    span = int(dilation) * (int(k) - 1) + 1
    room = int(n) + 2 * int(padding) - span
    if room < 0 or int(stride) < 1:
        raise ValueError(f"a kernel spanning {span} does not fit an input of {n} padded by "
                         f"{padding}")
    return room // int(stride) + 1


@solver
def conv_params(c_in: int, c_out: int, k: int, bias: bool = True) -> int:
    """Parameters of a 2-D convolution with k×k kernels: c_out·(c_in·k² + 1) with bias."""
    return int(c_out) * (int(c_in) * int(k) ** 2 + (1 if bias else 0))
