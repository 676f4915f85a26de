"""The package's floor plan holds: no import cycles, and no stage imports a later one.

Every `import` counts, at module level or inside a function (a lazy import hides a cycle from
Python, not from a reader). The stages are listed in docs/architecture.md in the same order.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "grader"

# Lowest first: a module may import its own stage and earlier ones, never a later one.
STAGES = ("core", "solvers", "kinds", "authoring", "sandbox", "student", "course", "grading",
          "outputs", "app", "server", "cli")


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if "demo" in parts[1:2] or parts[1:2] == ("exercises",):
            continue  # data: the demo's solutions are student code, not grader's
        found[".".join(parts)] = path
    return found


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The grader modules `name` imports (a `from pkg import mod` names the module)."""
    out = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            subs = {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known}
            out |= subs
            if len(subs) < len(node.names):  # some name is the package's own (a function, say)
                out.add(base)
    return {m for m in out if m in known and m != name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(path, name, set(mods)) for name, path in mods.items()}


def stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out = []
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(g[nxt]))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    m = stack.pop()
                    on.discard(m)
                    comp.append(m)
                    if m == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_the_analysis_sees_imports_and_cycles() -> None:
    # the checker itself: a known edge is seen, and a made-up cycle is found
    g = graph()
    assert "grader.core.errors" in g["grader.authoring.spec.checker"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_no_stage_imports_a_later_stage() -> None:
    upward = sorted(f"{a} -> {b}" for a, deps in graph().items() for b in deps
                    if stage(a) is not None and stage(b) is not None and stage(b) > stage(a))
    assert upward == []


def test_every_module_lives_in_a_stage() -> None:
    loose = sorted(m for m in modules() if stage(m) is None
                   and m not in ("grader", "grader.__main__"))
    assert loose == []


def test_architecture_lists_the_stages_in_order() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| \d+ \| `(\w+)/` \|", text, flags=re.M)
    assert tuple(listed) == STAGES
