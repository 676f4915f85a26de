"""docs/scale.md's examples: the YAML parses, and each engine's index becomes the right shard.

The commands are taken from the doc itself and run by a shell with `grader` replaced by a
function that prints its arguments, under the variables each engine sets.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

DOC = Path(__file__).resolve().parents[2] / "docs" / "scale.md"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def run(script: str, env: dict[str, str]) -> str:
    fake = 'grader() { printf "%s " grader "$@"; echo; }\n'
    out = subprocess.run(["bash", "-c", fake + script], env={"PATH": "/usr/bin:/bin", **env},
                         capture_output=True, text=True, check=True, timeout=20)
    return out.stdout


def test_every_yaml_example_parses() -> None:
    docs = [d for b in blocks("yaml") for d in yaml.safe_load_all(b)]
    kinds = {d.get("kind") for d in docs if isinstance(d, dict)}
    assert {"Job"} <= kinds
    assert any("jobs" in d for d in docs if isinstance(d, dict))


def test_the_kubernetes_index_counts_shards_from_one() -> None:
    job = next(d for b in blocks("yaml") for d in yaml.safe_load_all(b)
               if isinstance(d, dict) and d.get("spec", {}).get("completionMode") == "Indexed")
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["sh", "-c"]
    seen = [run(container["args"][0], {"JOB_COMPLETION_INDEX": str(i)}) for i in range(4)]
    assert [re.search(r"--shard (\S+)", s).group(1) for s in seen] == ["1/4", "2/4", "3/4",
                                                                       "4/4"]
    assert "--out /course/shards/4 " in seen[3]
    assert job["spec"]["completions"] == 4


def test_the_slurm_array_task_is_the_shard() -> None:
    script = next(b for b in blocks("sh") if "#SBATCH --array=1-4" in b)
    out = run(script, {"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4",
                       "SLURM_CPUS_PER_TASK": "8"})
    assert "--out shards/3 --shard 3/4 --jobs 8" in out
