"""A safe YAML loader that remembers where every key and value was written.

Specs are plain data, so only the YAML 1.2 core types are built: mappings,
sequences, strings, integers, floats, booleans and null. Scalars resolve as in
YAML 1.2 (what editors use): `1e-6` is a number, `yes`/`no`/`on`/`off` are
strings, `010` is ten. Any other tag (`!!python/...`, `!!set`, ...) and a key
given twice are reported as diagnostics, with the position of the offending
node, instead of being built.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from grader.core.errors import Diagnostic

Key = str | int
KeyPath = tuple[Key, ...]

_TAG = "tag:yaml.org,2002:"
MAX_NODES = 200_000
MAX_DEPTH = 60
_SURROGATE = re.compile("[\ud800-\udfff]")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class _Invalid:
    """A value already reported as wrong; later checks skip it instead of piling on."""

    def __repr__(self) -> str:
        return "INVALID"

    def __bool__(self) -> bool:
        return False


INVALID: Any = _Invalid()


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema: the scalar types editors and JSON agree on."""


for _tag, _regexp, _first in (
    ("null", _NULL, ["~", "n", "N", ""]),
    ("bool", _BOOL, list("tTfF")),
    ("int", _INT, list("-+0123456789")),
    ("float", _FLOAT, list("-+.0123456789")),
):
    _Resolver.add_implicit_resolver(_TAG + _tag, _regexp, _first)


class SpecLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                 yaml.composer.Composer, yaml.constructor.SafeConstructor, _Resolver):
    """SafeLoader's parts with the core-schema resolver; used only to compose nodes."""

    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)


try:  # libyaml composes the same nodes about five times faster (PyYAML built with it)
    from yaml._yaml import CParser as _CParser

    class _FastLoader(_CParser, _Resolver):  # type: ignore[misc,valid-type]
        """libyaml's parser and composer with the same resolver; used when the text parses
        cleanly. It refuses flow nesting deeper than 1,000 levels (no C stack to exhaust), and
        any text it refuses is composed again by SpecLoader, whose messages are the ones shown.
        """

        def __init__(self, stream: str):
            _CParser.__init__(self, stream)
            _Resolver.__init__(self)
except ImportError:  # pragma: no cover - a PyYAML without libyaml
    _FastLoader = None  # type: ignore[assignment,misc]


@dataclass(frozen=True)
class Mark:
    """Where a node starts (0-based line and column) and how its scalar was written."""

    line: int
    column: int
    end_line: int
    style: str | None = None  # None for plain scalars, "'", '"', "|", ">"


@dataclass
class Document:
    """Plain data plus the position of every value and every mapping key, by key path."""

    path: str
    lines: list[str]
    data: Any = None
    values: dict[KeyPath, Mark] = field(default_factory=dict)
    keys: dict[KeyPath, Mark] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def mark(self, path: KeyPath, *, key: bool = False) -> Mark | None:
        """The position of path's key (or value); the closest ancestor's when unknown."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        if key and path in self.values:
            return self.values[path]
        return self.mark(path[:-1]) if path else None

    def diagnostic(self, path: KeyPath, message: str, *, key: bool = False,
                   line: int | None = None, column: int | None = None) -> Diagnostic:
        """A Diagnostic at path (0-based line/column override it when given)."""
        mark = self.mark(path, key=key)
        if line is None:
            line, column = (mark.line, mark.column) if mark else (0, 0)
        return Diagnostic(path=self.path, line=line + 1, column=(column or 0) + 1,
                          keypath=render_keypath(path), message=message,
                          source_line=self.source(line))

    def source(self, line: int) -> str:
        return self.lines[line] if 0 <= line < len(self.lines) else ""


def render_keypath(path: KeyPath) -> str:
    """('parts', 1, 'tolerance') -> 'parts[1].tolerance'."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def load_yaml(text: str, *, path: str) -> Document:
    """Parse text into a Document; syntax errors and refused nodes become its diagnostics."""
    doc = Document(path=path, lines=text.splitlines())
    try:
        node = _fast_node(text)
        if node is _REFUSED:
            loader = SpecLoader(text)
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
    except yaml.MarkedYAMLError as exc:
        doc.diagnostics.append(_syntax_diagnostic(doc, exc))
        return doc
    except yaml.YAMLError as exc:  # reader errors (bad bytes) carry no mark
        doc.diagnostics.append(Diagnostic(path, 0, 0, "", f"invalid YAML: {exc}"))
        return doc
    except RecursionError:  # PyYAML composes recursively: `[[[[...` thousands deep
        doc.diagnostics.append(_too_large(path))
        return doc
    if node is not None:
        try:
            doc.data = _Builder(doc).build(node, ())
        except _TooLarge:
            doc.data = None
            doc.diagnostics.append(_too_large(path))
    return doc


_REFUSED: Any = object()


def _fast_node(text: str) -> Any:
    """The document's root node composed by libyaml; _REFUSED when libyaml is absent or finds
    anything wrong (SpecLoader then reports it in its own words)."""
    if _FastLoader is None:
        return _REFUSED
    loader = _FastLoader(text)
    try:
        return loader.get_single_node()
    except (yaml.YAMLError, RecursionError, ValueError):
        return _REFUSED
    finally:
        loader.dispose()


def _too_large(path: str) -> Diagnostic:
    return Diagnostic(path, 1, 1, "", f"the document is too large or nested too deeply "
                      f"(at most {MAX_NODES} values, {MAX_DEPTH} levels; check recursive aliases)")


def _syntax_diagnostic(doc: Document, exc: yaml.MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    message = f"invalid YAML: {exc.problem or exc.context}"
    if exc.problem and exc.context:
        since = exc.context_mark
        started = f" that started at line {since.line + 1}" if since else ""
        message += f" ({exc.context}{started})"
    if exc.problem and "'\\t'" in exc.problem:
        message += "; indent with spaces, not tabs"
    line, column = (mark.line, mark.column) if mark else (0, 0)
    return Diagnostic(doc.path, line + 1, column + 1, "", message, doc.source(line))


class _TooLarge(Exception):
    pass


def display_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


class _Builder:
    """Turns composed nodes into plain data, recording marks and refusing unsafe tags."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.budget = MAX_NODES

    def build(self, node: Node, path: KeyPath) -> Any:
        # Aliases can make a tiny file expand exponentially, or refer to themselves.
        self.budget -= 1
        if self.budget < 0 or len(path) > MAX_DEPTH:
            raise _TooLarge
        self.doc.values[path] = _mark(node)
        if isinstance(node, MappingNode):
            return self._mapping(node, path) if self._tag_ok(node, "map", path) else INVALID
        if isinstance(node, SequenceNode):
            if not self._tag_ok(node, "seq", path):
                return INVALID
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _tag_ok(self, node: Node, expected: str, path: KeyPath) -> bool:
        if node.tag == _TAG + expected:
            return True
        self.doc.diagnostics.append(self.doc.diagnostic(
            path, f"tag '{display_tag(node.tag)}' is not allowed: a spec holds only plain "
                  "data (strings, numbers, booleans, lists, mappings)"))
        return False

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.value == "<<" and not getattr(key_node, "style", None):
                self.doc.diagnostics.append(self.doc.diagnostic(
                    path, "merge keys ('<<') are not supported; write the keys out",
                    line=key_node.start_mark.line, column=key_node.start_mark.column))
                continue
            key = self._key(key_node, path)
            if key is None:
                continue
            if key in out:
                self._duplicate(key, key_node, path, first_line[key])
                continue
            first_line[key] = key_node.start_mark.line + 1
            self.doc.keys[path + (key,)] = _mark(key_node)
            out[key] = self.build(value_node, path + (key,))
        return out

    def _key(self, node: Node, path: KeyPath) -> str | None:
        key = self._scalar(node, path) if isinstance(node, ScalarNode) else None
        if key is INVALID:
            return None
        if key is None:
            self.doc.diagnostics.append(self.doc.diagnostic(
                path, "a key must be a plain string, not empty, a list or a mapping",
                line=node.start_mark.line, column=node.start_mark.column))
            return None
        # Keys name things (parameters, fields), so `1:` and `true:` are read as names.
        return str(key).lower() if isinstance(key, bool) else str(key)

    def _duplicate(self, key: Any, node: Node, path: KeyPath, first: int) -> None:
        self.doc.diagnostics.append(self.doc.diagnostic(
            path + (key,), f"duplicate key '{key}' (first given at line {first})",
            line=node.start_mark.line, column=node.start_mark.column))

    def _scalar(self, node: Node, path: KeyPath) -> Any:
        value, tag = node.value, node.tag
        kind = tag[len(_TAG):] if tag.startswith(_TAG) else ""
        if _SURROGATE.search(value):
            # A "\ud800" escape decodes to half a UTF-16 pair: not a character, and nothing
            # that stores or prints text as UTF-8 can take it.
            self.doc.diagnostics.append(self.doc.diagnostic(
                path, "a '\\u' escape here gives half of a UTF-16 pair (U+D800 to U+DFFF), "
                      "which is not a character; write the character itself",
                line=node.start_mark.line, column=node.start_mark.column))
            return INVALID
        try:
            if kind == "str":
                return value
            if kind == "null":
                return None
            if kind == "bool":
                return value.lower() == "true"
            if kind == "int":
                return int(value)
            if kind == "float":
                return _float(value)
        except ValueError:
            self.doc.diagnostics.append(self.doc.diagnostic(
                path, f"'{value}' is not a valid {kind}"))
            return INVALID
        self._tag_ok(node, "str", path)
        return INVALID


def _float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)


def _mark(node: Node) -> Mark:
    # plain: None from PyYAML's composer, "" from libyaml's
    style = (getattr(node, "style", None) or None) if isinstance(node, ScalarNode) else None
    return Mark(node.start_mark.line, node.start_mark.column, node.end_mark.line, style)
