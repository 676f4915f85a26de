"""Specs are composed by libyaml when PyYAML has it, by PyYAML's own parser otherwise (and for
any text libyaml refuses). Both must give the same Document: data, every mark, every message."""

from __future__ import annotations

from pathlib import Path

import pytest

import grader
from grader.authoring.spec import yamlload

EDGE = [
    "a: [1, 2", "a: 1\na: 2\n", "<<: {a: 1}\n", "'<<': 1\n", "x: !!python/object:os.system 1\n",
    "a:\n\t- 1\n", "[" * 2000 + "]" * 2000, "[" * 50 + "]" * 50, 's: "\\ud800"\n',
    "k: |\n  text\n\n  more\n\nnext: >-\n  folded\n", "", "# only a comment\n", "- - - - 1\n",
    "a: &x [1]\nb: *x\n", "? [1]\n: 2\n", "yes: no\non: 010\nf: 1e-6\ng: .inf\n",
    "%YAML 1.2\n---\na: 1\n", "a: 1\n---\nb: 2\n", "x: \x07\n", "\ufeffa: 1\n",
    "a: 'it''s'\nb: \"q\\n\"\nc: plain text\n", "1: one\ntrue: t\nnull: n\n",
    "a: &a [*a]\n", "a: {b: [c, {d: e}]}\n",
]


def snapshot(text: str) -> tuple:
    d = yamlload.load_yaml(text, path="spec.yaml")
    return repr(d.data), d.values, d.keys, d.diagnostics


def texts() -> list[tuple[str, str]]:
    root = Path(grader.__file__).parent
    found = sorted(root.rglob("*.yaml"))
    assert len(found) > 50, "the built-in library's specs were not found"
    return [(str(p.relative_to(root)), p.read_text(encoding="utf-8")) for p in found] + \
        [(f"edge {i}", t) for i, t in enumerate(EDGE)]


@pytest.mark.skipif(yamlload._FastLoader is None, reason="this PyYAML was built without libyaml")
def test_libyaml_and_pyyaml_give_the_same_document(monkeypatch):
    fast = {name: snapshot(t) for name, t in texts()}
    monkeypatch.setattr(yamlload, "_FastLoader", None)
    slow = {name: snapshot(t) for name, t in texts()}
    differ = [name for name in fast if fast[name] != slow[name]]
    assert differ == []
    # and the edge texts do reach both outcomes: some parse, some are reported
    assert any(fast[f"edge {i}"][3] for i in range(len(EDGE)))
    assert any(not fast[f"edge {i}"][3] for i in range(len(EDGE)))


@pytest.mark.skipif(yamlload._FastLoader is None, reason="this PyYAML was built without libyaml")
def test_a_text_libyaml_refuses_is_reported_in_pyyaml_words():
    d = yamlload.load_yaml("a: [1, 2\nb: 3\n", path="spec.yaml")
    # libyaml says "did not find expected ',' or ']'"; the message shown is PyYAML's
    assert [(x.line, x.column) for x in d.diagnostics] == [(2, 2)]
    assert d.diagnostics[0].message == ("invalid YAML: expected ',' or ']', but got ':' (while "
                                        "parsing a flow sequence that started at line 1)")
    deep = yamlload.load_yaml("[" * 100_000 + "]" * 100_000, path="spec.yaml")
    assert "too large or nested too deeply" in deep.diagnostics[0].message
