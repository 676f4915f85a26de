"""A submitted Jupyter notebook read as the files grading knows: answers.yaml and solution.py.

Nothing in the notebook is executed here. A tagged answer cell (`grader:answer:EX/PART`) is
parsed with `ast`: its last `name = value` gives the answer, as a literal when it is one
(`0.25`, `[1, 2]`, `True`) or else as the text a student would type into answers.yaml
(`ln(2)/2`; a `np.`/`math.` prefix is dropped), which grading reads with the same safe parser.
Tagged function cells (`grader:function:EX/PART`) and the setup cell (`grader:setup`) are put
together into solution.py in the order grader.json lists the exercises, which only the sandbox
runs. Untagged cells and every output are ignored, so stripping outputs or moving cells
changes nothing.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grader.kinds import runs_code
from grader.core.fsutil import read_regular
from grader.student.submission import ANSWERS, META, SOLUTION, Submission, parse_json, shown

SUFFIX = ".ipynb"
NOTEBOOK = "problems.ipynb"  # the name `grader generate --format notebook` writes
MAX_NOTEBOOK_BYTES = 16 << 20  # outputs (plots) make notebooks larger than answers.yaml
ANSWER_TAG, FUNCTION_TAG, SETUP_TAG, CHECK_TAG = ("grader:answer:", "grader:function:",
                                                  "grader:setup", "grader:check")
_PREFIX = re.compile(r"\b(?:np|numpy|math)\.")
_MAGIC = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)


def answer_tag(exercise_id: str, part_id: str) -> str:
    return f"{ANSWER_TAG}{exercise_id}/{part_id}"


def function_tag(exercise_id: str, part_id: str) -> str:
    return f"{FUNCTION_TAG}{exercise_id}/{part_id}"


@dataclass(frozen=True)
class Converted:
    """The files a notebook stands for, and what the student should know about reading it."""

    files: dict[str, bytes]
    notes: tuple[str, ...] = ()


def is_notebook(path: Path) -> bool:
    return path.suffix.lower() == SUFFIX


def convert(data: bytes, name: str, meta: bytes | None = None) -> Converted:
    """answers.yaml, solution.py and grader.json from a notebook's bytes (never executed).

    `meta` is the folder's grader.json, if any; else the notebook's own `grader` metadata.
    A notebook that cannot be read gives no files and a note saying why.
    """
    nb = _load(data)
    if nb is None:
        return Converted({}, (f"{shown(name)} is not a readable Jupyter notebook; it was not "
                              "graded (save it again from Jupyter and hand it in again).",))
    meta = meta if meta is not None else _meta_bytes(nb)
    cells, notes = _tagged(nb, name)
    order = _order(meta)
    files: dict[str, bytes] = {}
    answers = _answers(cells, order)
    if answers:
        files[ANSWERS] = yaml.safe_dump(answers, sort_keys=False, allow_unicode=True).encode()
    solution = _solution(cells, order)
    if solution is not None:
        files[SOLUTION] = solution.encode()
    if meta is not None:
        files[META] = meta
    return Converted(files, tuple(notes))


def _load(data: bytes) -> dict | None:
    """The notebook as format 4 (older formats converted by nbformat), or None.

    Validation is left out on purpose: a notebook a student edited by hand may break the schema
    in ways that do not matter here (the tags and sources are checked as they are read).
    """
    import nbformat

    try:
        parse_json(data)  # refuses lone surrogates, which no result file could hold
        nb = nbformat.convert(nbformat.reader.reads(data.decode("utf-8")), 4)
    except Exception:  # hostile bytes: whatever nbformat raises, it is no notebook
        return None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None
    return nb


def _meta_bytes(nb: dict) -> bytes | None:
    meta = nb.get("metadata")
    data = meta.get("grader") if isinstance(meta, dict) else None
    if not isinstance(data, dict):
        return None
    return (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def _tags(cell: dict) -> list[str]:
    meta = cell.get("metadata")
    tags = meta.get("tags") if isinstance(meta, dict) else None
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _tagged(nb: dict, name: str) -> tuple[dict[str, str], list[str]]:
    """Source by grader tag (code cells only); a tag on several cells counts for none."""
    seen: dict[str, list[str]] = {}
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        for tag in dict.fromkeys(_tags(cell)):
            if tag.startswith((ANSWER_TAG, FUNCTION_TAG, SETUP_TAG)):
                seen.setdefault(tag, []).append(_source(cell))
    notes = [f"{shown(name)}: {len(srcs)} cells are tagged {shown(tag)}, so none of them was "
             "graded; keep one cell per tag." for tag, srcs in sorted(seen.items())
             if len(srcs) > 1]
    return {t: s[0] for t, s in seen.items() if len(s) == 1}, notes


def _order(meta: bytes | None) -> list[tuple[str, str, str]]:
    """(exercise id, part id, kind) in grader.json's order; [] when it cannot be read."""
    try:
        data = parse_json(meta) if meta else {}
    except (ValueError, RecursionError):
        return []
    exercises = data.get("exercises") if isinstance(data, dict) else None
    out = []
    for ex in exercises if isinstance(exercises, list) else []:
        parts = ex.get("parts") if isinstance(ex, dict) else None
        for p in parts if isinstance(parts, list) else []:
            if isinstance(p, dict) and isinstance(ex.get("id"), str) and \
                    isinstance(p.get("id"), str):
                out.append((ex["id"], p["id"], str(p.get("kind"))))
    return out


def _answers(cells: Mapping[str, str], order: Iterable[tuple[str, str, str]]) -> dict:
    answers: dict[str, dict[str, Any]] = {}
    for eid, pid, kind in order:
        src = cells.get(answer_tag(eid, pid))
        if not runs_code(kind) and src is not None:
            answers.setdefault(eid, {})[pid] = answer_value(src)
    return answers


def answer_value(source: str) -> Any:
    """The value of a cell's last top-level `name = value`, read without running anything.

    None (unanswered) when the cell holds no such line; the cell's text as written when it is
    not Python at all, so that grading names it as an unreadable answer.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source.strip() or None
    assigns = [n for n in tree.body if isinstance(n, ast.Assign) and len(n.targets) == 1
               and isinstance(n.targets[0], ast.Name)]
    if not assigns:
        return None
    node = assigns[-1].value
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return _as_typed(ast.get_source_segment(source, node) or "")
    return _plain(value)


def _as_typed(text: str) -> Any:
    """Text that is not a Python literal, read as the same text in answers.yaml would be:
    `ln(2)/2` stays a formula, `{point: 0, w: [1, 2]}` becomes a mapping."""
    text = _PREFIX.sub("", " ".join(text.split()))
    try:
        return _plain(yaml.safe_load(text))
    except (yaml.YAMLError, RecursionError, ValueError):
        return text


def _plain(value: Any) -> Any:
    """Tuples as lists; anything YAML cannot hold as a student's answer as its text."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)  # complex, bytes, sets, dates: not an answer grading accepts


def _solution(cells: Mapping[str, str], order: Iterable[tuple[str, str, str]]) -> str | None:
    """solution.py: the setup cell, then each function cell in grader.json's order."""
    chunks = [cells[t] for t in [SETUP_TAG] if t in cells]
    chunks += [cells[function_tag(e, p)] for e, p, kind in order
               if runs_code(kind) and function_tag(e, p) in cells]
    if not any(function_tag(e, p) in cells for e, p, _ in order):
        return None
    # IPython's `%magic` and `!shell` lines are no Python: kept as comments, never run.
    return "\n\n".join(_MAGIC.sub(r"\1# \2", c.rstrip()) for c in chunks) + "\n"


def read_notebook(path: Path, meta: bytes | None = None) -> Submission:
    """A notebook handed in on its own (or the one in a folder) as a submission."""
    got = read_regular(path, max_bytes=MAX_NOTEBOOK_BYTES)
    if not isinstance(got, tuple):
        why = "larger than 16 MiB" if got == "too large" else "not a regular file"
        return Submission(path, {}, problems=(f"{shown(path.name)} is {why} (ignored)",))
    conv = convert(got[0], path.name, meta)
    return Submission(path, conv.files, problems=conv.notes, mtime=got[1])


def folder_notebook(folder: Path) -> Path | None:
    """The one notebook of a folder that holds neither answers.yaml nor solution.py.

    Several notebooks: the one `generate` named, else none (which one was meant is unknown).
    """
    if any((folder / n).exists() for n in (ANSWERS, SOLUTION)):
        return None
    try:
        found = sorted(p for p in folder.iterdir() if is_notebook(p) and p.is_file()
                       and not p.is_symlink() and not p.name.startswith("."))
    except OSError:
        return None
    if len(found) == 1:
        return found[0]
    return folder / NOTEBOOK if (folder / NOTEBOOK) in found else None


def with_notebook(sub: Submission, folder: Path) -> Submission:
    """A folder's submission, read from its notebook when it has no answers.yaml/solution.py."""
    if ANSWERS in sub.files or SOLUTION in sub.files:  # read, so present: no notebook wanted
        return sub
    path = folder_notebook(folder)
    if path is None:
        return sub
    nb = read_notebook(path, sub.files.get(META))
    return Submission(sub.source, nb.files, sub.manifest, sub.problems + nb.problems,
                      nb.mtime or sub.mtime)
