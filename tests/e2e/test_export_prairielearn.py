"""`grader export ASSIGNMENT --to prairielearn`: question folders, run as PrairieLearn would.

The generated server.py is imported and its generate/grade run on dicts shaped like
PrairieLearn's `data` (the input elements' own grading is played by this test: a part scores 1
within its tolerance); question.html is rendered with chevron, a Mustache renderer. Expected
answers are computed here with numpy from the parameters the prompt shows.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import uuid
from fractions import Fraction
from pathlib import Path

import chevron
import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from grader.authoring.spec import library_dir
from grader.cli import cli

ASSIGNMENT = """\
id: plweek
title: PL week
secret: {env: GRADER_PL_SECRET}
exercises: [info-kl-divergence, la-eigen-symmetric, impl-softmax]
"""
POOL = 5


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pl")
    (root / "a.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    env = {"GRADER_PL_SECRET": "7a3e9b1c5d0f2846" * 4}
    res = CliRunner().invoke(cli, ["export", str(root / "a.yaml"), "--to", "prairielearn",
                                   "--out", str(root / "pl"), "--pool", str(POOL)], env=env)
    assert res.exit_code == 0, res.output
    assert "impl-softmax" in res.output  # a function part is said to be left out
    return root / "pl" / "questions" / "plweek"


def _server(folder: Path):
    spec = importlib.util.spec_from_file_location(f"server_{folder.name}", folder / "server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generated(server, seed: int) -> dict:
    data = {"params": {}, "correct_answers": {}, "variant_seed": seed, "options": {}}
    server.generate(data)
    return data


def _distribution(text: str, name: str) -> np.ndarray:
    seg = re.search(rf"{name} = \\left\((.*?)\\right\)", text).group(1)
    return np.array([float(Fraction(int(a), int(b)))
                     for a, b in re.findall(r"\\frac\{(\d+)\}\{(\d+)\}", seg)])


def _mistake_feedback(part: str) -> dict[str, str]:
    doc = yaml.safe_load((library_dir() / "information-theory" /
                          "info-kl-divergence.yaml").read_text(encoding="utf-8"))
    entry = next(p for p in doc["parts"] if p["id"] == part)
    return {m["name"]: m["feedback"] for m in entry["mistakes"]}


def _element_scores(data: dict, submitted: dict, tol: dict) -> dict:
    """What pl-number-input does before server.grade: 1 within rtol/atol, else 0."""
    scores = {}
    for name, got in submitted.items():
        want = data["correct_answers"][name]
        ok = abs(got - want) <= tol["atol"] + tol["rtol"] * abs(want)
        scores[name] = {"score": 1.0 if ok else 0.0, "weight": 1}
    return scores


def test_info_json_has_a_stable_uuid(exported: Path) -> None:
    assert sorted(p.name for p in exported.iterdir()) == ["info-kl-divergence",
                                                         "la-eigen-symmetric"]
    info = json.loads((exported / "info-kl-divergence" / "info.json").read_text())
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/dlmath-grader/")
    assert info["uuid"] == str(uuid.uuid5(namespace, "info-kl-divergence"))
    assert info["type"] == "v3" and info["title"] and info["topic"] == "information-theory"


def test_generate_and_grade_kl(exported: Path) -> None:
    server = _server(exported / "info-kl-divergence")
    tol = {"rtol": 0.02, "atol": 5.0e-4}  # the spec's tolerance
    doc = yaml.safe_load((library_dir() / "information-theory" /
                          "info-kl-divergence.yaml").read_text(encoding="utf-8"))
    assert all(p["tolerance"] == tol for p in doc["parts"])
    seen = set()
    for seed in range(12):
        data = _generated(server, seed)
        prompt = html.unescape(data["params"]["prompt"])
        P, Q = _distribution(prompt, "P"), _distribution(prompt, "Q")
        seen.add(tuple(P))
        kl_pq, kl_qp = np.sum(P * np.log(P / Q)), np.sum(Q * np.log(Q / P))
        assert data["correct_answers"]["kl_pq"] == pytest.approx(kl_pq, rel=1e-12)
        assert data["correct_answers"]["kl_qp"] == pytest.approx(kl_qp, rel=1e-12)
        # right kl_qp, kl_pq swapped for kl_qp's value: half credit and the spec's feedback
        submitted = {"kl_pq": float(kl_qp), "kl_qp": float(kl_qp)}
        data.update(submitted_answers=submitted, feedback={},
                    partial_scores=_element_scores(data, submitted, tol))
        server.grade(data)
        assert data["score"] == pytest.approx(0.5)
        assert data["feedback"]["kl_pq"] in _mistake_feedback("kl_pq").values()
        assert "kl_qp" not in data["feedback"]
        # a value no mistake explains gets no named feedback
        submitted = {"kl_pq": float(kl_pq) + 10, "kl_qp": float(kl_qp)}
        data.update(submitted_answers=submitted, feedback={},
                    partial_scores=_element_scores(data, submitted, tol))
        server.grade(data)
        assert data["feedback"] == {} and data["score"] == pytest.approx(0.5)
    assert len(seen) > 1  # variants come from a pool


def test_question_html_renders_with_mustache(exported: Path) -> None:
    server = _server(exported / "la-eigen-symmetric")
    data = _generated(server, 3)
    page = chevron.render((exported / "la-eigen-symmetric" / "question.html").read_text(),
                          {"params": data["params"]})
    assert "{{" not in page and "Give the eigenvalues" in page
    names = re.findall(r'<pl-number-input answers-name="([^"]+)"[^>]*rtol="0.01"', page)
    assert names == ["eigenvalues_1", "eigenvalues_2"]
    text = html.unescape(page)
    rows = re.search(r"\\begin\{[pb]?matrix\}(.*?)\\end\{[pb]?matrix\}", text, re.S).group(1)
    A = np.array([[float(Fraction(c.strip())) for c in r.split("&")]
                  for r in rows.split("\\\\") if r.strip()])
    want = sorted(np.linalg.eigvalsh(A), reverse=True)
    got = [data["correct_answers"][n] for n in names]
    assert got == pytest.approx(want, abs=1e-9)
