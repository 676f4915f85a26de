"""`grader demo`, the README's main command: the whole loop in one folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_the_demo_runs_the_whole_loop(tmp_path: Path) -> None:
    out = tmp_path / "course"
    proc = subprocess.run([sys.executable, "-m", "grader", "demo", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "class report" in proc.stdout
    assert "Next, for a course of your own:" in proc.stdout  # and then what (test_docs_demo.py)
    results = out / "results"
    for page in ("index.html", "s001.html", "gradebook.csv", "junit.xml", "gradebook.sqlite"):
        assert (results / page).is_file(), page
    first = json.loads((results / "s001.json").read_text(encoding="utf-8"))
    # s001 hands in the key's own answers and a correct softmax: full marks, on time.
    assert first["status"] == "graded"
    assert first["score"] == first["max_score"] == 42
    absent = json.loads((results / "s012.json").read_text(encoding="utf-8"))
    assert absent["status"] == "missing" and absent["score"] == 0
    late = json.loads((results / "s005.json").read_text(encoding="utf-8"))
    assert late["late"]["days_late"] == 2 and late["late"]["penalty_percent"] == 20
    assert late["score"] == 0.8 * late["raw_score"]
    hanging = json.loads((results / "s007.json").read_text(encoding="utf-8"))
    softmax = next(e for e in hanging["exercises"] if e["id"] == "impl-softmax")
    assert softmax["score"] == 0
    assert any(c["status"] in ("timeout", "not_run") for c in softmax["parts"][0]["cases"])

    # Rerunning the demo gives the same results, byte for byte.
    before = {p.name: p.read_bytes() for p in results.glob("*.json")}
    again = subprocess.run([sys.executable, "-m", "grader", "demo", "--out", str(out)],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert {p.name: p.read_bytes() for p in results.glob("*.json")} == before
