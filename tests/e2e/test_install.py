"""A plain (non-editable) install ships the library, templates and schemas.

Installs the package alone (--no-deps, the test environment provides numpy and friends) into a
temporary folder and runs it from another directory, so nothing can come from the source tree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(ROOT)], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"pip install failed:\n{proc.stdout}\n{proc.stderr}")
    return target


def run_installed(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = "import sys; from grader.cli import main; sys.argv = ['grader', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def test_the_installed_package_carries_its_data(installed: Path) -> None:
    pkg = installed / "grader"
    assert len(list((pkg / "exercises").rglob("*.yaml"))) >= 60
    assert (pkg / "templates" / "base.html").is_file()
    assert (pkg / "schema" / "exercise.schema.json").is_file()
    assert (pkg / "schema" / "assignment.schema.json").is_file()
    assert (pkg / "demo" / "assignment.yaml").is_file()


def test_list_and_preview_from_another_directory(installed: Path, tmp_path: Path) -> None:
    proc = run_installed(installed, tmp_path, "list", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) >= 60
    where = run_installed(installed, tmp_path, "schema")
    assert where.stdout.strip().startswith(str(installed))
    proc = run_installed(installed, tmp_path, "preview", "info-kl-divergence", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    assert "kl_pq" in proc.stdout


def test_the_distribution_is_dlmath_grader_and_the_command_grader(installed: Path,
                                                                 tmp_path: Path) -> None:
    """'grader' on PyPI is an unrelated project: ours installs as dlmath-grader."""
    [info] = installed.glob("*.dist-info")
    metadata = (info / "METADATA").read_text(encoding="utf-8")
    assert "\nName: dlmath-grader\n" in metadata
    assert "grader = grader.cli:main" in (info / "entry_points.txt").read_text(encoding="utf-8")
    version = next(line.split(": ", 1)[1] for line in metadata.splitlines()
                   if line.startswith("Version: "))
    proc = run_installed(installed, tmp_path, "--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"grader, version {version}"
