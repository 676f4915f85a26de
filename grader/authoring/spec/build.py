"""The top level of a spec: check every key, then build the Exercise (only if all is well)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.core.model import Exercise
from grader.authoring.spec.checker import (
    INVALID,
    Checker,
    boolean,
    describe,
    int_between,
    string_list,
    suggest,
    text,
)
from grader.authoring.spec.exprcheck import check_template
from grader.authoring.spec.params import check_params, check_where
from grader.authoring.spec.parts import check_parts
from grader.authoring.spec.tables import (
    DEFAULT_DIFFICULTY,
    DEFAULT_MAX_RESAMPLE,
    EXERCISE_ID,
    TOP_OPTIONAL,
    TOP_REQUIRED,
    TOPICS,
)
from grader.authoring.spec.yamlload import Document


def build_exercise(doc: Document, *, file: Path, source_hash: str) -> Exercise | None:
    """The Exercise a parsed document describes; None when doc.diagnostics holds errors."""
    ck = Checker(doc)
    if doc.data is None:
        if not doc.diagnostics:
            ck.error((), "the file is empty; a spec needs at least: " + ", ".join(TOP_REQUIRED))
        return None
    data = ck.mapping(doc.data, (), what="a mapping of keys (id, title, topic, prompt, parts, "
                                         "...) at the top of the file")
    if data is None:
        return None
    ck.keys(data, (), required=TOP_REQUIRED, optional=TOP_OPTIONAL)
    fields = _header(ck, data, file)
    params = check_params(ck, data.get("params"), ("params",))
    # Later checks see every name written, so one bad parameter does not cascade.
    raw_params = data.get("params")
    names = [str(n) for n in raw_params] if isinstance(raw_params, dict) else []
    where = check_where(ck, data.get("where"), ("where",), names=names)
    prompt = ck.field(data, (), "prompt", text)
    if prompt is not INVALID:
        check_template(ck, ("prompt",), prompt, names=names)
    parts = check_parts(ck, data["parts"], ("parts",), names=names) if "parts" in data else INVALID
    if ck.failed or INVALID in (*fields.values(), params, where, parts):
        return None
    return Exercise(**fields, params=params, where=where, prompt=prompt, parts=parts,
                    path=file, source_hash=source_hash)


def _header(ck: Checker, data: dict, file: Path) -> dict[str, Any]:
    ex_id = ck.field(data, (), "id", _exercise_id)
    if ex_id is not INVALID and ex_id != file.stem:
        ck.error(("id",), f"'{ex_id}' does not match the file name '{file.name}'; "
                          "rename the file or change the id")
    return {
        "id": ex_id,
        "title": ck.field(data, (), "title", text),
        "topic": _topic(ck, data, file),
        "tags": _tags(ck, data),
        "difficulty": ck.field(data, (), "difficulty", int_between(1, 5), DEFAULT_DIFFICULTY),
        "by_hand": ck.field(data, (), "by_hand", boolean, True),
        "max_resample": ck.field(data, (), "max_resample", int_between(1, 100_000),
                                 DEFAULT_MAX_RESAMPLE),
    }


def _exercise_id(v: Any) -> str | None:
    ok = isinstance(v, str) and EXERCISE_ID.match(v)
    return None if ok else "an id of lowercase letters, digits and '-' (like 'info-entropy')"


def _topic(ck: Checker, data: dict, file: Path) -> Any:
    topic = data.get("topic", INVALID)
    if topic is INVALID:
        return INVALID
    if topic not in TOPICS:
        hint = suggest(topic, TOPICS) if isinstance(topic, str) else ""
        ck.error(("topic",), f"expected one of {', '.join(TOPICS)}, got {describe(topic)}{hint}")
        return INVALID
    folder = file.parent.name
    if folder in TOPICS and folder != topic:
        ck.error(("topic",), f"'{topic}' does not match the folder '{folder}' the file "
                             "is in; move the file or change the topic")
    return topic


def _tags(ck: Checker, data: dict) -> Any:
    tags = ck.field(data, (), "tags", string_list, [])
    return INVALID if tags is INVALID else tuple(tags)
