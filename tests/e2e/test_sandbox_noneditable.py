"""Issue 16 with a normal (non-editable) install: grader then sits in the very site-packages
the zygote imports numpy from. At every level, student code must neither import grader nor
read its files, and must import the standard modules and numpy.

The venv is /tmp/venv-ne (or $GRADER_TEST_VENV_NE); it is created when missing (slow: pip
builds grader), and grader is reinstalled into it from this tree (--no-deps) each run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.sandbox._landlock import abi_version

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("GRADER_TEST_VENV_NE", "/tmp/venv-ne"))
ATTACK = r'''
import importlib, json, os, sys
import queue, heapq, fractions, statistics, decimal, csv, datetime
import numpy.polynomial, numpy.linalg
def f(site):
    sys.path[:0] = [site]
    out = []
    try:
        from grader.solvers.implement import SOLVERS  # noqa
        out.append(1)
    except Exception:
        out.append(0)
    for path in (site + "/grader/__init__.py", site + "/grader/solvers/implement.py"):
        try:
            out.append(len(open(path).read()) and 1)
        except OSError:
            out.append(0)
    out.append(float(numpy.linalg.det(numpy.eye(2))) + queue.Queue().qsize())
    return out
'''
DRIVER = r'''
import json, sys, sysconfig
from grader.sandbox import run_cases, sandbox_level
site = sysconfig.get_paths()["purelib"]
r = run_cases({"solution.py": sys.argv[1].encode()}, "f", [("c", [site], {})])
out = r.outcomes["c"]
print(json.dumps({"level": r.level, "status": out.status, "value": out.value,
                  "message": out.message, "probe": sandbox_level()}))
'''


@pytest.fixture(scope="module")
def venv_python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(ROOT)], check=True,
                       timeout=900)
    else:  # this tree's grader, not whatever was installed last time
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps",
                        "--force-reinstall", str(ROOT)], check=True, timeout=600,
                       capture_output=True)
    return python


def levels() -> list[str]:
    out = ["bwrap", "bwrap,uid"] if abi_version() else []
    return out + ([""] if shutil.which("bwrap") else [])


@pytest.mark.slow
@pytest.mark.parametrize("disable", levels())
def test_a_non_editable_install_is_neither_importable_nor_readable(venv_python: Path,
                                                                   disable: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["GRADER_SANDBOX_DISABLE"] = disable
    done = subprocess.run([str(venv_python), "-c", DRIVER, ATTACK], capture_output=True,
                          text=True, env=env, cwd="/", timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["status"] == "ok", got
    assert got["value"] == [0, 0, 0, 1.0], got
    layers = got["level"].split("+")
    assert "mountns" in layers or "landlock" in layers, got
