"""The kind is the unit of extension: one registry, and no module outside kinds/ decides by a
kind's name whether a part is answered by code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import grader
from grader.kinds import KINDS, runs_code

PACKAGE = Path(grader.__file__).resolve().parent
KIND_NAMES = set(KINDS)


def _kind_name_tests(tree: ast.AST) -> list[int]:
    """Lines comparing something with the string 'function' (==, !=, in (...))."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for op in operands:
            values = op.elts if isinstance(op, (ast.Tuple, ast.List, ast.Set)) else [op]
            if any(isinstance(v, ast.Constant) and v.value == "function" for v in values):
                lines.append(node.lineno)
    return lines


def test_no_module_outside_kinds_compares_a_kind_with_function() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] in ("kinds", "demo"):  # demo: students' code
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(PACKAGE)}:{n}" for n in _kind_name_tests(tree)]
    for path in sorted((PACKAGE / "templates").rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(PACKAGE)}: {m.group(0)}"
                      for m in re.finditer(r"kind\s*[!=]=\s*['\"]function['\"]", text)]
    assert found == []


def test_the_scan_finds_a_comparison_when_there_is_one() -> None:
    tree = ast.parse('if part.kind == "function":\n    pass\nok = k in ("x", "function")\n')
    assert _kind_name_tests(tree) == [1, 3]


def test_every_kind_answers_the_whole_protocol() -> None:
    for name, kind in KINDS.items():
        assert kind.name == name
        assert isinstance(kind.runs_code, bool)
        for method in ("parse", "normalise_reference", "grade", "differs", "describe",
                       "meta_entry", "meta_ok"):
            assert callable(getattr(kind, method)), (name, method)
    assert [n for n, k in KINDS.items() if k.runs_code] == ["function"]


def test_runs_code_reads_specs_and_grader_json_entries_alike() -> None:
    assert runs_code({"kind": "function"}) and not runs_code({"kind": "vector"})
    assert not runs_code({"kind": "no-such-kind"}) and not runs_code({})
