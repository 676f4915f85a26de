"""`grader export ASSIGNMENT --to gradescope`: the autograder zip, run as Gradescope would.

The zip is unpacked into a folder laid out like /autograder (AUTOGRADER points run_autograder
at it, GRADER_BIN at this venv in place of the /opt/grader that setup.sh would make), with an
upload that has no grader.json and a submission_metadata.json naming the uploader's email.
Expected answers come from numpy here (KL divergence from the key's P and Q; softmax).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from grader.app.fabricate import Course
from grader.cli import cli

SECRET_ENV = "GRADER_GS_SECRET"
ASSIGNMENT = f"""\
id: gsweek
title: Gradescope week
secret: {{env: {SECRET_ENV}}}
exercises: [info-kl-divergence, impl-softmax]
sandbox: {{time_limit: 4, memory_mb: 512}}
"""
ROSTER = "id,name,email\nana,Ana,Ana@Example.org\nbo,Bo,bo@example.org\n"
SOFTMAX = ("import numpy as np\n\ndef softmax(z):\n    z = np.asarray(z, dtype=float)\n"
           "    e = np.exp(z - z.max())\n    return e / e.sum()\n")


def _kl(params: dict) -> dict:
    P, Q = np.asarray(params["p"], dtype=float), np.asarray(params["q"], dtype=float)
    return {"kl_pq": float(np.sum(P * np.log(P / Q))), "kl_qp": float(np.sum(Q * np.log(Q / P)))}


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("gs")
    os.environ[SECRET_ENV] = "9d1e7c3b5a2f4860" * 4
    course = Course.create(root, ASSIGNMENT, ROSTER)
    res = CliRunner().invoke(cli, ["export", str(course.assignment), "--to", "gradescope",
                                   "--key", str(course.build), "--out", str(root / "gs")])
    assert res.exit_code == 0, res.output
    return {"course": course, "zip": root / "gs" / "autograder.zip", "root": root}


def _run(ctx: dict, name: str, email: str, answers: dict | None,
         notebook: bytes | None = None) -> dict:
    ag = ctx["root"] / name
    with zipfile.ZipFile(ctx["zip"]) as zf:
        zf.extractall(ag / "source")
    (ag / "submission").mkdir()
    if notebook is not None:
        (ag / "submission" / "problems.ipynb").write_bytes(notebook)
    else:
        (ag / "submission" / "answers.yaml").write_text(yaml.safe_dump(answers), "utf-8")
        (ag / "submission" / "solution.py").write_text(SOFTMAX, encoding="utf-8")
    (ag / "submission_metadata.json").write_text(json.dumps(
        {"id": 1, "users": [{"email": email, "name": "x"}]}), encoding="utf-8")
    (ag / "results").mkdir()
    env = {**os.environ, "AUTOGRADER": str(ag), "GRADER_BIN": str(Path(sys.executable).parent)}
    env.pop(SECRET_ENV)  # the autograder image holds no secret
    proc = subprocess.run(["bash", str(ag / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads((ag / "results" / "results.json").read_text(encoding="utf-8"))


def test_zip_holds_what_gradescope_needs(autograder: dict) -> None:
    with zipfile.ZipFile(autograder["zip"]) as zf:
        names = set(zf.namelist())
        mode = zf.getinfo("run_autograder").external_attr >> 16
        setup = zf.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", "assignment.yaml", "build/key/roster.json",
            "build/key/ana.json", "build/ana/grader.json"} <= names
    assert mode & 0o111 and "pip install" in setup
    assert not any(n.endswith(("answers.yaml", "problems.html")) for n in names)


def test_upload_without_grader_json_is_matched_by_email(autograder: dict) -> None:
    course = autograder["course"]
    params = course.exercise("ana", "info-kl-divergence").params
    results = _run(autograder, "ag-ana", "ana@example.ORG",
                   {"info-kl-divergence": _kl(params)})
    assert results["extra_data"]["student_id"] == "ana"
    assert results["score"] == results["max_score"] == 14, json.dumps(results, indent=1)


def test_unknown_email_scores_nothing(autograder: dict) -> None:
    params = autograder["course"].exercise("bo", "info-kl-divergence").params
    results = _run(autograder, "ag-x", "stranger@example.org",
                   {"info-kl-divergence": _kl(params)})
    assert results["score"] == 0


def test_notebook_upload_without_identity_is_matched_by_email(autograder: dict) -> None:
    import nbformat

    from grader.course.generate import generate

    course, root = autograder["course"], autograder["root"]
    generate(course.assignment, root / "roster.csv", root / "nb", form="notebook")
    nb = nbformat.read(root / "nb" / course.folder("bo") / "problems.ipynb", as_version=4)
    del nb.metadata["grader"]  # saved by a Jupyter that dropped unknown metadata
    kl = _kl(course.exercise("bo", "info-kl-divergence").params)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        for part, value in kl.items():
            if f"grader:answer:info-kl-divergence/{part}" in tags:
                cell.source = f"{part} = {value!r}"
        if "grader:function:impl-softmax/softmax" in tags:
            cell.source = SOFTMAX
    results = _run(autograder, "ag-bo", "bo@example.org", None,
                   nbformat.writes(nb).encode())
    assert results["extra_data"]["student_id"] == "bo"
    assert results["score"] == results["max_score"] == 14, json.dumps(results, indent=1)
