"""Instructors' own solvers beside their specs, and installed exercise packs (entry points).

Each case runs in a fresh interpreter so that the solvers it registers do not leak into other
tests' registry.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SPEC = """\
id: my-triple
title: Triple it
topic: calculus
params:
  a: {integers: {low: 1, high: 9}}
prompt: "Triple $a = {{ a }}$."
parts:
  - id: t
    kind: scalar
    solution: triple(a)
"""

PLUGIN = """\
from grader.solvers import solver


@solver
def triple(x):
    return 3 * x
"""


def grader(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120, env={**os.environ, **(env or {})})


def library(tmp_path: Path, plugin: str = PLUGIN) -> Path:
    root = tmp_path / "my-specs"
    (root / "calculus").mkdir(parents=True)
    (root / "calculus" / "my-triple.yaml").write_text(SPEC, encoding="utf-8")
    (root / "grader_plugins.py").write_text(plugin, encoding="utf-8")
    return root


def test_a_solver_beside_the_specs_is_usable_in_them(tmp_path: Path) -> None:
    root = library(tmp_path)
    proc = grader("solve", "my-triple", "--library", str(root), "--param", "a=4", "--json",
                  cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["answers"] == {"t": 12}
    proc = grader("validate", str(root), "--samples", "5", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = grader("validate", str(root / "calculus" / "my-triple.yaml"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_without_the_plugin_the_solver_is_unknown(tmp_path: Path) -> None:
    root = library(tmp_path)
    (root / "grader_plugins.py").unlink()
    proc = grader("validate", str(root), cwd=tmp_path)
    assert proc.returncode == 2
    assert "unknown function 'triple'" in proc.stdout + proc.stderr


def test_a_broken_plugin_is_named_with_its_line(tmp_path: Path) -> None:
    root = library(tmp_path, plugin="import math\n\nraise RuntimeError('oops')\n")
    proc = grader("validate", str(root), cwd=tmp_path)
    assert proc.returncode == 2
    assert "grader_plugins.py:3: importing it failed: RuntimeError: oops" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_installed_pack_offers_its_specs(tmp_path: Path) -> None:
    root = library(tmp_path)
    site = tmp_path / "site"
    pkg = site / "mypack"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        PLUGIN + f"\n\ndef specs():\n    return {str(root / 'calculus')!r}\n", encoding="utf-8")
    (root / "grader_plugins.py").unlink()  # the pack registers the solver itself
    dist = site / "mypack-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mypack\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[grader.packs]\nmypack = mypack:specs\n")
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    proc = grader("list", "--json", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "my-triple" in {row["id"] for row in json.loads(proc.stdout)}
    proc = grader("solve", "my-triple", "--param", "a=2", "--json", cwd=tmp_path, env=env)
    assert json.loads(proc.stdout)["answers"] == {"t": 6}
