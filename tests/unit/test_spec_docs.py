"""docs/spec.md lists every built-in solver name (a plugin solver of the same name is refused),
generated from the registry; GRADER_UPDATE_DOCS=1 rewrites the block after a solver is added."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"
START, END = "<!-- solvers:start -->", "<!-- solvers:end -->"


def solver_block() -> str:
    from grader.solvers import SOLVERS

    by_topic: dict[str, list[str]] = defaultdict(list)
    for name, fn in SOLVERS.items():
        if fn.__module__.startswith("grader.solvers."):  # not a test's or a course's plugin
            by_topic[fn.__module__.rsplit(".", 1)[1]].append(name)
    rows = [f"| `{topic}` | {', '.join(f'`{n}`' for n in sorted(names))} |"
            for topic, names in sorted(by_topic.items())]
    return "\n".join([START, "| module | solver names |", "| --- | --- |", *rows, END])


def test_the_built_in_solver_names_are_listed_in_the_spec_docs() -> None:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(re.escape(START) + ".*?" + re.escape(END), text, re.S)
    assert found, f"docs/spec.md has no {START} ... {END} block"
    want = solver_block()
    if os.environ.get("GRADER_UPDATE_DOCS") == "1":
        DOC.write_text(text.replace(found.group(0), want), encoding="utf-8")
        return
    assert found.group(0) == want, "run GRADER_UPDATE_DOCS=1 pytest tests/unit/test_spec_docs.py"


def test_every_listed_name_is_a_registered_solver() -> None:
    # the other direction, independent of the generator above: no stale name in the docs
    from grader.solvers import SOLVERS

    text = DOC.read_text(encoding="utf-8")
    block = text[text.index(START):text.index(END)]
    rows = block.split("| --- | --- |", 1)[1].strip().splitlines()
    names = [n for row in rows if row.startswith("|")
             for n in re.findall(r"`([a-z_0-9]+)`", row.split("|")[2])]  # the names' column
    assert names and all(n in SOLVERS for n in names)
    assert {"softmax", "kl_divergence", "impl_softmax"} <= set(names)
