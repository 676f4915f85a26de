"""The top level of a spec: check every key, then build the Exercise (only if all is well)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.core.model import Exercise
from grader.authoring.spec.checker import INVALID, Checker, describe
from grader.authoring.spec.declared import TOP, TOPIC
from grader.authoring.spec.exprcheck import check_template
from grader.authoring.spec.params import check_params, check_where
from grader.authoring.spec.parts import check_parts
from grader.authoring.spec.yamlload import Document


def build_exercise(doc: Document, *, file: Path, source_hash: str) -> Exercise | None:
    """The Exercise a parsed document describes; None when doc.diagnostics holds errors."""
    ck = Checker(doc)
    if doc.data is None:
        if not doc.diagnostics:
            ck.error((), "the file is empty; a spec needs at least: " + ", ".join(TOP.required))
        return None
    data = ck.mapping(doc.data, (), TOP)
    if data is None:
        return None
    ck.keys(data, (), TOP)
    fields = _header(ck, data, file)
    params = check_params(ck, data.get("params"), ("params",))
    # Later checks see every name written, so one bad parameter does not cascade.
    raw_params = data.get("params")
    names = [str(n) for n in raw_params] if isinstance(raw_params, dict) else []
    where = check_where(ck, data.get("where"), ("where",), names=names)
    prompt = ck.get(data, (), TOP, "prompt")
    if prompt is not INVALID:
        check_template(ck, ("prompt",), prompt, names=names)
    parts = check_parts(ck, data["parts"], ("parts",), names=names) if "parts" in data else INVALID
    if ck.failed or INVALID in (*fields.values(), params, where, parts):
        return None
    return Exercise(**fields, params=params, where=where, prompt=prompt, parts=parts,
                    path=file, source_hash=source_hash)


def _header(ck: Checker, data: dict, file: Path) -> dict[str, Any]:
    ex_id = ck.get(data, (), TOP, "id")
    if ex_id is not INVALID and ex_id != file.stem:
        ck.error(("id",), f"'{ex_id}' does not match the file name '{file.name}'; "
                          "rename the file or change the id")
    tags = ck.get(data, (), TOP, "tags")
    return {
        "id": ex_id,
        "title": ck.get(data, (), TOP, "title"),
        "topic": _topic(ck, data, file),
        "tags": INVALID if tags is INVALID else tuple(tags),
        **{key: ck.get(data, (), TOP, key) for key in ("difficulty", "by_hand", "max_resample")},
    }


def _topic(ck: Checker, data: dict, file: Path) -> Any:
    topic = data.get("topic", INVALID)
    if topic is INVALID:
        return INVALID
    if not TOPIC.fits(topic):
        ck.error(("topic",), f"expected {TOPIC.wanted}, got {describe(topic)}{TOPIC.hint(topic)}")
        return INVALID
    folder = file.parent.name
    if TOPIC.fits(folder) and folder != topic:
        ck.error(("topic",), f"'{topic}' does not match the folder '{folder}' the file "
                             "is in; move the file or change the topic")
    return topic
