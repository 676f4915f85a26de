"""Deep-learning layers and models: 2-D cross-correlation, scaled dot-product attention,
logistic regression, and the KL divergence between Gaussians.

Conventions (CATALOGUE.md; exercises dl-conv2d, dl-attention, ml-logistic-gradient,
info-gaussian-kl and their impl-* versions):
- a "convolution" layer computes the cross-correlation Y[i, j] = Σ_{a,b} X[i+a, j+b]·K[a, b]
  (what deep-learning libraries call conv2d); stride 1; padding "valid" (none) or "same"
  (zeros, (k−1)/2 on every side, odd kernels only, output the size of the input);
- attention(Q, K, V) = softmax(QKᵀ/√d_k)V with the softmax over each row (over the keys);
  a causal mask hides key j from query i when j > i;
- logistic regression: p = σ(Xw + b), loss = mean of −[y log p + (1−y) log(1−p)] (nats),
  labels y ∈ {0, 1}; gradients ∂loss/∂w = Xᵀ(p − y)/m, ∂loss/∂b = mean(p − y);
- Gaussians are given by mean and standard deviation σ (not the variance); a diagonal
  Gaussian's KL is the sum of the per-coordinate KLs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.solvers.registry import solver


def _mat(A: Any) -> np.ndarray:
    M = np.asarray(A, dtype=float)
    if M.ndim != 2:
        raise ValueError(f"expected a matrix (list of rows), got an array of shape {M.shape}")
    return M


# ---------------------------------------------------------------- convolution


def _pad(X: np.ndarray, K: np.ndarray, padding: str) -> np.ndarray:
    if padding == "valid":
        return X
    if padding != "same":
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    if K.shape[0] % 2 == 0 or K.shape[1] % 2 == 0:
        raise ValueError(f"'same' padding needs an odd kernel, got shape {K.shape}")
    ph, pw = (K.shape[0] - 1) // 2, (K.shape[1] - 1) // 2
    return np.pad(X, ((ph, ph), (pw, pw)))


@solver
def conv2d(X: Any, K: Any, padding: str = "valid", *, flip: bool = False) -> np.ndarray:
    """The 2-D cross-correlation of X with kernel K, stride 1, padding 'valid' or 'same'.

    flip=True is the mistake of flipping the kernel (the mathematical convolution).
    """
    Xm, Km = _mat(X), _mat(K)
    if flip:
        Km = Km[::-1, ::-1]
    P = _pad(Xm, Km, padding)
    kh, kw = Km.shape
    oh, ow = P.shape[0] - kh + 1, P.shape[1] - kw + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"kernel {Km.shape} is larger than the input {P.shape}")
    out = np.empty((oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[i, j] = float(np.sum(P[i:i + kh, j:j + kw] * Km))
    return out


@solver
def conv2d_shape(X: Any, K: Any, padding: str = "valid") -> tuple[int, int]:
    """The (rows, cols) of conv2d(X, K, padding)."""
    Xm, Km = _mat(X), _mat(K)
    if padding == "same":
        return (int(Xm.shape[0]), int(Xm.shape[1]))
    return (int(Xm.shape[0] - Km.shape[0] + 1), int(Xm.shape[1] - Km.shape[1] + 1))


# ---------------------------------------------------------------- attention


def _row_softmax(S: np.ndarray, axis: int = 1) -> np.ndarray:
    # Subtracting the maximum keeps exp finite; a masked -inf entry becomes exactly 0.
    E = np.exp(S - np.max(S, axis=axis, keepdims=True))
    return E / np.sum(E, axis=axis, keepdims=True)


@solver
def attention_scores(Q: Any, K: Any, causal: bool = False, *, scale: str = "sqrt") -> np.ndarray:
    """QKᵀ/√d_k, with -inf above the diagonal when causal.

    scale="none" (no scaling) and scale="d" (divided by d_k) are mistakes.
    """
    Qm, Km = _mat(Q), _mat(K)
    if Qm.shape[1] != Km.shape[1]:
        raise ValueError(f"queries and keys need the same width d_k: {Qm.shape}, {Km.shape}")
    d = Qm.shape[1]
    S = Qm @ Km.T / {"sqrt": np.sqrt(d), "none": 1.0, "d": float(d)}[scale]
    if causal:
        S = np.where(np.triu(np.ones(S.shape, dtype=bool), k=1), -np.inf, S)
    return S


@solver
def attention_weights(Q: Any, K: Any, causal: bool = False, *, scale: str = "sqrt",
                      axis: int = 1) -> np.ndarray:
    """softmax(QKᵀ/√d_k) over each row (axis=0, over each column, is a mistake)."""
    return _row_softmax(attention_scores(Q, K, causal, scale=scale), axis)


@solver
def attention(Q: Any, K: Any, V: Any, causal: bool = False, *, scale: str = "sqrt",
              axis: int = 1) -> np.ndarray:
    """Scaled dot-product attention softmax(QKᵀ/√d_k)V (Vaswani et al. 2017, eq. 1)."""
    Vm = _mat(V)
    W = attention_weights(Q, K, causal, scale=scale, axis=axis)
    if W.shape[1] != Vm.shape[0]:
        raise ValueError(f"{W.shape[1]} keys but {Vm.shape[0]} values")
    return W @ Vm


# ---------------------------------------------------------------- logistic regression


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -z)  # log σ(z) without overflow for large |z|


@solver
def logistic_regression(X: Any, y: Any, w: Any, b: float, lr: float = 0.0, *,
                        reduce: str = "mean", link: str = "sigmoid") -> dict[str, Any]:
    """Loss, gradients and one gradient step (rate lr) of logistic regression.

    Returns loss, grad_w, grad_b, w_new = w − lr·grad_w, b_new = b − lr·grad_b.
    reduce="sum" (summed, not averaged) and link="identity" (σ forgotten: p = z) are mistakes.
    """
    Xm, yv, wv = _mat(X), np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    z = Xm @ wv + float(b)
    p = np.exp(_log_sigmoid(z)) if link == "sigmoid" else z
    losses = -(yv * _log_sigmoid(z) + (1 - yv) * _log_sigmoid(-z))
    scale = 1.0 if reduce == "sum" else 1.0 / len(yv)
    gw, gb = scale * (Xm.T @ (p - yv)), scale * float(np.sum(p - yv))
    return {"loss": scale * float(np.sum(losses)), "grad_w": gw, "grad_b": gb,
            "w_new": wv - lr * gw, "b_new": float(b) - lr * gb}


@solver
def logistic_newton(X: Any, y: Any, w: Any, *, weighted: bool = True,
                    step: str = "newton") -> dict[str, Any]:
    """Gradient, Hessian and one Newton (IRLS) step of the mean logistic loss, no bias.

    hessian = Xᵀ diag(p(1 − p)) X / m; w_new = w − hessian⁻¹·grad. weighted=False is the
    mistake XᵀX/m (the p(1 − p) weights forgotten); step="gradient" (w − grad) and
    step="times" (w − hessian·grad, not inverted) are mistakes of the step.
    """
    Xm, wv = _mat(X), np.asarray(w, dtype=float)
    r = logistic_regression(Xm, y, wv, 0.0)
    p = np.exp(_log_sigmoid(Xm @ wv))
    weights = p * (1 - p) if weighted else np.ones_like(p)
    H = Xm.T @ (weights[:, None] * Xm) / len(p)
    g = r["grad_w"]
    move = {"newton": lambda: np.linalg.solve(H, g), "gradient": lambda: g,
            "times": lambda: H @ g}[step]()
    return {"grad": g, "hessian": H, "w_new": wv - move}


@solver
def min_pairwise_gap(candidates: Any) -> float:
    """The smallest max-abs distance between two of the given arrays (for constraints that keep
    an exercise's mistakes apart from each other, not only from the answer)."""
    arrs = [np.asarray(c, dtype=float) for c in candidates]
    gaps = [float(np.max(np.abs(a - b))) for i, a in enumerate(arrs) for b in arrs[i + 1:]]
    return min(gaps) if gaps else float("inf")


@solver
def impl_logistic_gradient(X: Any, y: Any, w: Any, b: float) -> tuple[float, np.ndarray, float]:
    """(loss, grad_w, grad_b) of the mean logistic loss at (w, b)."""
    r = logistic_regression(X, y, w, b)
    return r["loss"], r["grad_w"], r["grad_b"]


# ---------------------------------------------------------------- Gaussian KL


@solver
def gaussian_kl(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any, *,
                var_in_log: bool = False) -> float:
    """KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) in nats, summed over coordinates for diagonal Gaussians.

    Per coordinate: ln(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½. var_in_log=True is the
    mistake ln(σ₂²/σ₁²) (variances where the log takes standard deviations).
    """
    m1, s1 = np.asarray(mu1, dtype=float), np.asarray(sigma1, dtype=float)
    m2, s2 = np.asarray(mu2, dtype=float), np.asarray(sigma2, dtype=float)
    if np.any(s1 <= 0) or np.any(s2 <= 0):
        raise ValueError("standard deviations must be positive")
    log_ratio = np.log(s2 / s1) * (2.0 if var_in_log else 1.0)
    terms = log_ratio + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5
    return float(np.sum(terms))


@solver
def impl_gaussian_kl(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any) -> float:
    """KL between two diagonal Gaussians given by means and standard deviations."""
    return gaussian_kl(mu1, sigma1, mu2, sigma2)


@solver
def impl_conv2d(X: Any, K: Any, padding: str = "valid") -> np.ndarray:
    """The cross-correlation conv2d(X, K, padding) for the function exercise."""
    return conv2d(X, K, padding)


@solver
def impl_attention(Q: Any, K: Any, V: Any, causal: bool = False) -> np.ndarray:
    """Scaled dot-product attention for the function exercise."""
    return attention(Q, K, V, causal)
