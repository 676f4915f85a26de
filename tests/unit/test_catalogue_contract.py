"""The library against CATALOGUE.md: ids, parameter names and part ids are a public contract.

The table below is transcribed by hand from the catalogue, so a spec that renames a parameter
or a part fails here rather than in a course's scripts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.authoring.spec import library_dir, load_library

CONTRACT: dict[str, tuple[str, str]] = {
    # id: (public parameters, part ids)
    "la-broadcast-add": ("A b", "C"),
    "la-matmul": ("A B", "shape C"),
    "la-hadamard": ("A B", "C"),
    "la-dot-angle": ("x y", "dot angle"),
    "la-norms": ("x", "l1 l2 linf l2_squared"),
    "la-frobenius": ("A", "fro"),
    "la-inverse": ("A", "inv"),
    "la-solve": ("A b", "x"),
    "la-diag-inverse": ("v x", "inv product"),
    "la-orthogonal": ("Q", "is_orthogonal QtQ"),
    "la-eigen-symmetric": ("A", "eigenvalues eigenvectors"),
    "la-eigenvalues": ("A", "eigenvalues"),
    "la-definiteness": ("A", "eigenvalues definiteness"),
    "la-svd": ("A", "singular_values rank rank1_error"),
    "la-rank": ("A", "rank"),
    "la-power-iteration": ("A v0 k", "iterates eigenvalue_estimate"),
    "la-low-rank": ("A k", "approx error"),
    "tensor-sum-shape": ("shape axis keepdims", "shape"),
    "prob-marginal": ("joint", "px py"),
    "prob-conditional": ("joint i", "p_y_given_x"),
    "prob-chain-rule": ("pc pb_c pa_bc a b c", "joint"),
    "prob-independence": ("joint", "independent product"),
    "prob-expectation": ("values pmf f", "mean expectation_f variance std"),
    "prob-covariance": ("xs ys joint", "cov corr"),
    "prob-bayes": ("prior sensitivity specificity", "evidence posterior"),
    "prob-uniform": ("a b c d", "density prob mean variance"),
    "prob-zero-covariance": ("xs joint", "cov independent"),
    "info-self-information": ("p unit", "info"),
    "info-entropy": ("p unit", "entropy"),
    "info-binary-entropy": ("p", "entropy_nats entropy_bits"),
    "info-kl-divergence": ("p q", "kl_pq kl_qp"),
    "info-cross-entropy": ("p q", "cross_entropy entropy kl"),
    "info-js-divergence": ("p q", "mixture js"),
    "info-joint-conditional-entropy": ("joint", "h_xy h_x h_y h_x_given_y h_y_given_x"),
    "info-mutual-information": ("joint", "mi"),
    "calc-derivative": ("coeffs a", "value derivative"),
    "calc-partial-derivatives": ("coeffs point", "df_dx df_dy gradient"),
    "calc-gradient-quadratic": ("A b x", "gradient"),
    "calc-sigmoid-derivative": ("z", "sigma dsigma"),
    "opt-gradient-descent": ("A b x0 eps k", "iterates final_value"),
    "bp-add-multiply": ("u v w", "q f df_du df_dv df_dw"),
    "bp-sigmoid-gate": ("w x", "dot f df_ddot df_dw df_dx"),
    "bp-matmul-grad": ("W X dD", "dW dX"),
    "ml-perceptron": ("X y eta", "updates w b n_updates"),
    "ml-mle-bernoulli": ("data", "p_hat nll"),
    "ml-mle-gaussian": ("data", "mu_hat var_hat"),
    "ml-softmax-cross-entropy": ("z label", "probs loss grad"),
    "ml-nll-cross-entropy": ("samples q", "p_hat avg_nll kl entropy"),
    # issue 14
    "la-pca": ("X", "mean covariance direction explained_variance_ratio"),
    "la-least-squares": ("A b", "AtA Atb x residual_norm"),
    "la-condition-number": ("A", "norm inv_norm kappa"),
    "calc-softmax-jacobian": ("z", "probs jacobian"),
    "calc-jacobian-chain": ("W x", "u Jg J"),
    "calc-hessian-convexity": ("coeffs z", "hessian curvature lse_hessian"),
    "bp-mlp-2layer": ("x W1 b1 w2 b2 y activation", "h yhat loss dw2 db2 dW1 db1"),
    "bp-softmax-cross-entropy": ("z t", "probs loss grad"),
    "bp-batchnorm": ("x eps gamma beta dy", "mean var y dgamma dbeta dx"),
    "dl-conv-output-shape": ("n k stride padding dilation c_in c_out",
                             "out_size pooled_size n_params"),
    # issue 14, exercises 12-22
    "dl-conv2d": ("padding X K", "shape Y"),
    "dl-attention": ("Q K V causal", "scores weights output"),
    "opt-momentum": ("A b x0 eps beta k", "iterates final_value"),
    "opt-adam": ("A b x0 lr beta1 beta2 eps k", "iterates final_x"),
    "ml-logistic-gradient": ("X y w b eta", "loss grad_w grad_b w_new b_new"),
    "info-gaussian-kl": ("mu1 sigma1 mu2 sigma2 m s", "kl_pq kl_qp kl_vae"),
    "opt-newton": ("coeffs x0 k", "derivatives iterates"),
    "ml-logistic-newton": ("X y w", "grad hessian w_new"),
    "opt-lagrange": ("A b a c", "x lam value"),
    "prob-mvn": ("mu Sigma x v", "mahalanobis density cond_mean cond_var"),
    "prob-bias-variance": ("n mu sigma2 c", "bias variance mse better"),
}

FUNCTIONS = {
    "impl-softmax": "softmax", "impl-entropy": "entropy", "impl-kl-divergence": "kl_divergence",
    "impl-cross-entropy": "cross_entropy", "impl-js-divergence": "js_divergence",
    "impl-mutual-information": "mutual_information", "impl-lp-norm": "lp_norm",
    "impl-power-iteration": "power_iteration", "impl-gradient-descent": "gradient_descent",
    "impl-perceptron": "perceptron", "impl-sigmoid-backward": "sigmoid_backward",
    "impl-matmul-backward": "matmul_backward",
    "impl-covariance-matrix": "covariance_matrix", "impl-bayes-posterior": "bayes_posterior",
    # issue 14
    "impl-least-squares": "least_squares", "impl-softmax-jacobian": "softmax_jacobian",
    "impl-softmax-cross-entropy": "softmax_cross_entropy", "impl-mlp-backward": "mlp_backward",
    # issue 14, exercises 12-22
    "impl-conv2d": "conv2d", "impl-attention": "attention", "impl-adam": "adam",
    "impl-logistic-gradient": "logistic_gradient", "impl-gaussian-kl": "gaussian_kl",
}

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def library() -> dict:
    return {e.id: e for e in load_library([library_dir()])}


def test_every_catalogue_entry_exists_and_nothing_else(library: dict) -> None:
    assert set(library) == set(CONTRACT) | set(FUNCTIONS)


@pytest.mark.parametrize("exercise_id", sorted(CONTRACT))
def test_parameter_names_and_part_ids(library: dict, exercise_id: str) -> None:
    params, parts = CONTRACT[exercise_id]
    exercise = library[exercise_id]
    assert sorted(p for p in exercise.params if not p.startswith("_")) == sorted(params.split())
    assert sorted(p.id for p in exercise.parts) == sorted(parts.split())


@pytest.mark.parametrize("exercise_id", sorted(FUNCTIONS))
def test_function_names(library: dict, exercise_id: str) -> None:
    exercise = library[exercise_id]
    assert exercise.topic == "implement"
    assert [p.function.name for p in exercise.parts if p.function] == [FUNCTIONS[exercise_id]]


def test_folder_is_topic(library: dict) -> None:
    for exercise in library.values():
        assert exercise.path.parent.name == exercise.topic
        assert exercise.path.stem == exercise.id


def test_docs_exercises_md_is_current() -> None:
    proc = subprocess.run([sys.executable, "-m", "grader", "list", "--markdown"],
                          capture_output=True, text=True, check=True)
    current = (ROOT / "docs" / "exercises.md").read_text(encoding="utf-8")
    assert proc.stdout == current, (
        "docs/exercises.md is out of date: run `grader list --markdown > docs/exercises.md`")


def test_readme_counts_the_library(library: dict) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"(the {len(library)} shipped exercises)" in readme
