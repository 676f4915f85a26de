"""The instructor commands through the real CLI: happy paths and every kind of bad input.

Bad input must give one clear message, exit status 2 and no traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_SPEC = """\
id: tiny
title: A tiny exercise
topic: probability
params:
  a: {integers: {low: 1, high: 5}}
prompt: "What is $2a$ for $a = {{ a }}$?"
parts:
  - id: double
    kind: scalar
    solution: 2 * a
    mistakes:
      - name: forgot to double
        answer: a
        feedback: Multiply by two.
"""


def grader(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def assert_usage_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr


def write_spec(tmp_path: Path, text: str, name: str = "tiny") -> Path:
    folder = tmp_path / "probability"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_perceptron_worked_example_through_solve() -> None:
    proc = grader("solve", "ml-perceptron", "--param", "X=[[3,3],[4,3],[1,1]]",
                  "--param", "y=[1,1,-1]", "--param", "eta=1", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    answers = doc["answers"]
    assert answers["w"] == [1, 1]
    assert answers["b"] == -3
    assert answers["n_updates"] == 7
    assert [s["point"] for s in answers["updates"]] == [0, 2, 2, 2, 0, 2, 2]
    # The textbook trace (Li Hang, example 2.1): w and b after each update.
    trace = [([3, 3], 1), ([2, 2], 0), ([1, 1], -1), ([0, 0], -2), ([3, 3], -1), ([2, 2], -2),
             ([1, 1], -3)]
    assert [(s["w"], s["b"]) for s in answers["updates"]] == trace
    assert doc["params"] == {"X": [[3, 3], [4, 3], [1, 1]], "y": [1, 1, -1], "eta": 1}


def test_the_sigmoid_gate_of_the_seed_notes_through_solve() -> None:
    # w = [3, 4, 5], x = [6, 7]: dot = 3*6 + 4*7 + 5 = 51, sigma(51) is 1 to double precision.
    proc = grader("solve", "bp-sigmoid-gate", "--param", "w=[3,4,5]", "--param", "x=[6,7]",
                  "--json")
    assert proc.returncode == 0, proc.stderr
    a = json.loads(proc.stdout)["answers"]
    assert a["dot"] == 51
    import math

    s = 1 / (1 + math.exp(-51))
    # The seed derives dσ/dz = e^{-z} / (1 + e^{-z})^2, which keeps its precision where
    # (1 - σ)σ rounds to 0 in double precision.
    d = math.exp(-51) / (1 + math.exp(-51)) ** 2
    assert a["f"] == pytest.approx(s)
    assert a["df_ddot"] == pytest.approx(d, rel=1e-9)
    assert a["df_dx"] == pytest.approx([3 * d, 4 * d], rel=1e-9)
    assert a["df_dw"] == pytest.approx([6 * d, 7 * d, d], rel=1e-9)


def test_add_multiply_example_through_solve() -> None:
    # f = (u + v) w with the seed's u = 1, v = 2, w = -3: q = 3, f = -9,
    # df/du = df/dv = w = -3, df/dw = q = 3.
    proc = grader("solve", "bp-add-multiply", "--param", "u=1", "--param", "v=2",
                  "--param", "w=-3", "--json")
    assert proc.returncode == 0, proc.stderr
    a = json.loads(proc.stdout)["answers"]
    assert (a["q"], a["f"], a["df_du"], a["df_dv"], a["df_dw"]) == (3, -9, -3, -3, 3)


def test_kl_of_binomial_against_uniform_through_solve() -> None:
    # Wikipedia's worked example: P = Binomial(2, 0.4) = (0.36, 0.48, 0.16), Q uniform.
    proc = grader("solve", "info-kl-divergence", "--param",
                  "p=[0.36, 0.48, 0.16]", "--param", "q=[0.3333333333333333, "
                  "0.3333333333333333, 0.3333333333333334]", "--json")
    assert proc.returncode == 0, proc.stderr
    a = json.loads(proc.stdout)["answers"]
    assert a["kl_pq"] == pytest.approx(0.0852996, abs=1e-7)
    assert a["kl_qp"] == pytest.approx(0.097455, abs=1e-6)


def test_list_and_preview_work_from_another_directory(tmp_path: Path) -> None:
    listed = grader("list", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    ids = {row["id"] for row in json.loads(listed.stdout)}
    assert {"info-kl-divergence", "la-eigen-symmetric", "ml-perceptron",
            "opt-gradient-descent", "prob-bayes"} <= ids
    shown = grader("preview", "info-kl-divergence", "--seed", "1", "--html",
                   str(tmp_path / "kl.html"), cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "kl_pq" in shown.stdout and "solution:" in shown.stdout
    assert "<math" in (tmp_path / "kl.html").read_text(encoding="utf-8")


def test_validate_passes_on_a_good_spec(tmp_path: Path) -> None:
    path = write_spec(tmp_path, GOOD_SPEC)
    proc = grader("validate", str(path), "--samples", "20")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 spec checked, 0 with problems" in proc.stdout


@pytest.mark.parametrize("broken, fragment", [
    (GOOD_SPEC.replace("title: A tiny", "title: [A tiny"), "invalid YAML"),
    (GOOD_SPEC.replace("prompt:", "promt:"), "unknown key 'promt'"),
    (GOOD_SPEC.replace("points", "x").replace("  - id: double\n",
                                              "  - id: double\n    points: lots\n"),
     "parts[0].points"),
    (GOOD_SPEC.replace("solution: 2 * a", "solution: doubel(a)"), "unknown function 'doubel'"),
    (GOOD_SPEC.replace("integers:", "integerz:"), "integerz"),
])
def test_validate_reports_broken_specs(tmp_path: Path, broken: str, fragment: str) -> None:
    path = write_spec(tmp_path, broken)
    proc = grader("validate", str(path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert fragment in proc.stdout + proc.stderr
    assert "tiny.yaml:" in proc.stdout + proc.stderr  # the message names the file and line


def test_validate_reports_an_unsatisfiable_constraint(tmp_path: Path) -> None:
    text = GOOD_SPEC.replace("prompt:", "where:\n  - \"a > 10\"\nprompt:")
    path = write_spec(tmp_path, text)
    proc = grader("validate", str(path), "--samples", "3")
    assert proc.returncode == 2
    assert "a > 10" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_unknown_exercise_id() -> None:
    assert_usage_error(grader("preview", "info-kl-divergense"), "unknown exercise id",
                       "info-kl-divergence")


def test_bad_param_values() -> None:
    assert_usage_error(grader("solve", "ml-perceptron", "--param", "X"), "NAME=VALUE")
    assert_usage_error(grader("solve", "ml-perceptron", "--param", "Z=1"),
                       "has no parameter 'Z'")
    assert_usage_error(grader("solve", "ml-perceptron", "--param", "X=[[1,2"), "--param X")


def test_nonexistent_path() -> None:
    assert_usage_error(grader("validate", "no/such/folder"), "no/such/folder")


def test_solve_reads_fractions_and_ignores_constraints_over_given_parameters() -> None:
    # prior = sensitivity = specificity = 0.9 style inputs are avoided by generation (the
    # base-rate mistake would equal the answer) but an instructor may still ask about them:
    # P(+) = 0.5*0.9 + 0.5*0.1 = 0.5 and P(D|+) = 0.45/0.5 = 0.9.
    proc = grader("solve", "prob-bayes", "--param", "prior=1/2", "--param", "sensitivity=0.9",
                  "--param", "specificity=9/10", "--json")
    assert proc.returncode == 0, proc.stderr
    answers = json.loads(proc.stdout)["answers"]
    assert answers["evidence"] == pytest.approx(0.5)
    assert answers["posterior"] == pytest.approx(0.9)
