"""PrairieLearn questions: one folder per exercise with info.json, question.html and server.py.

server.py holds the exercise's pool of variants as data (no grader needed on the PrairieLearn
server): `generate` picks one by PrairieLearn's variant seed; the number and matrix input
elements grade within the part's tolerance; `grade` then names the spec's mistakes in the
feedback of the parts that were wrong. Parts PrairieLearn cannot grade as grader does
(functions, sets, directions, step-by-step sequences, yes/no and choices) are left out.
"""

from __future__ import annotations

import json
import math
import uuid
from pathlib import Path
from typing import Any

from grader.outputs.targets.moodle import _flat, _weights
from grader.outputs.targets.pool import Pool, PoolExercise, PoolVariant, tex_html

# uuid5 namespace of grader's questions: the same exercise id always gets the same uuid
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/dlmath-grader/")
KINDS = ("scalar", "integer", "vector", "matrix")
SERVER = '''"""PrairieLearn server for {id}, written by `grader export --to prairielearn`."""

import json
import math

POOL = json.loads({pool})
PARTS = json.loads({parts})


def _choose(data):
    return POOL[int(data.get("variant_seed", 0)) % len(POOL)]


def generate(data):
    variant = _choose(data)
    data["params"]["prompt"] = variant["prompt"]
    data["params"]["index"] = variant["index"]
    for part in PARTS:
        data["params"]["prompt_" + part["id"]] = variant["part_prompts"][part["id"]]
    data["correct_answers"].update(variant["answers"])


def _value(x):
    if isinstance(x, dict) and "_value" in x:
        x = x["_value"]
    if isinstance(x, (list, tuple)):
        return [v for row in x for v in (_value(row) if isinstance(row, (list, tuple))
                                          else [row])]
    try:
        return [float(x)]
    except (TypeError, ValueError):
        return None


def _close(got, want, rtol, atol):
    return got is not None and len(got) == len(want) and all(
        abs(g - w) <= atol + rtol * abs(w) for g, w in zip(got, want))


def grade(data):
    variant = POOL[int(data["params"]["index"])]
    for part in PARTS:
        for name in part["names"]:
            score = data["partial_scores"].get(name, {{}}).get("score", 0) or 0
            if score >= 1:
                continue
            got = _value(data["submitted_answers"].get(name))
            for mistake in variant["mistakes"].get(name, []):
                if _close(got, _value(mistake["value"]), part["rtol"], part["atol"]):
                    data["partial_scores"].setdefault(name, {{}})["feedback"] = \\
                        mistake["feedback"]
                    data["feedback"][name] = mistake["feedback"]
                    break
    total = sum(p.get("weight", 1) for p in data["partial_scores"].values())
    if total:
        data["score"] = sum((p.get("score") or 0) * p.get("weight", 1)
                            for p in data["partial_scores"].values()) / total
'''


def export(pool: Pool) -> tuple[dict[Path, bytes], tuple[str, ...]]:
    """Files by path (questions/<assignment>/<exercise>/...) and notes on what was left out."""
    files: dict[Path, bytes] = {}
    notes = []
    for pe in pool.exercises:
        parts = [p for p in pe.exercise.parts if _supported(p, pe.variants)]
        left = [p.id for p in pe.exercise.parts if p not in parts]
        if left:
            notes.append(f"{pe.exercise.id}: part(s) {', '.join(left)} are not exported "
                         "(PrairieLearn's input elements cannot grade them as grader does)")
        if not parts:
            continue
        folder = Path("questions") / pool.assignment.id / pe.exercise.id
        files[folder / "info.json"] = _info(pe)
        files[folder / "question.html"] = question_html(pe, parts).encode()
        files[folder / "server.py"] = _server(pe, parts).encode()
    return files, tuple(notes)


def question_uuid(exercise_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, exercise_id))


def _supported(part: Any, variants: tuple[PoolVariant, ...]) -> bool:
    if part.kind not in KINDS:
        return False
    flats = [_flat(v.variant.answers[part.id]) for v in variants]
    return all(f is not None and all(math.isfinite(x) for x in f) for f in flats)


def _info(pe: PoolExercise) -> bytes:
    ex = pe.exercise
    info = {"uuid": question_uuid(ex.id), "title": ex.title, "topic": ex.topic,
            "tags": list(ex.tags), "type": "v3"}
    return (json.dumps(info, indent=2) + "\n").encode()


def _names(part: Any, answer: Any) -> list[str]:
    """Answer names: one per element of a vector, the part id for scalars and matrices."""
    if part.kind == "vector":
        return [f"{part.id}_{i + 1}" for i in range(len(_flat(answer) or []))]
    return [part.id]


def question_html(pe: PoolExercise, parts: list[Any]) -> str:
    first = pe.variants[0].variant.answers
    per_name = [p.points / len(_names(p, first[p.id])) for p in parts]
    weights = iter(_weights(per_name))
    lines = ["<pl-question-panel>", "{{{params.prompt}}}", "</pl-question-panel>"]
    for part in parts:
        weight = next(weights)
        tol = f'rtol="{part.tolerance.rtol!r}" atol="{part.tolerance.atol!r}"'
        lines.append(f"<p><b>{part.id}</b> ({part.points:g} points)</p>")
        lines.append(f"{{{{{{params.prompt_{part.id}}}}}}}")
        for name in _names(part, first[part.id]):
            if part.kind == "matrix":
                element = f'<pl-matrix-input answers-name="{name}" {tol} weight="{weight}">'
                lines.append(element + "</pl-matrix-input>")
            elif part.kind == "integer":
                lines.append(f'<pl-integer-input answers-name="{name}" label="{name} ="'
                             f' weight="{weight}"></pl-integer-input>')
            else:
                lines.append(f'<pl-number-input answers-name="{name}" label="{name} =" '
                             f'comparison="relabs" {tol} weight="{weight}"></pl-number-input>')
    return "\n".join(lines) + "\n"


def _answers(part: Any, value: Any) -> dict[str, Any]:
    flat = _flat(value) or []
    if part.kind == "vector":
        return {f"{part.id}_{i + 1}": v for i, v in enumerate(flat)}
    if part.kind == "matrix":
        return {part.id: {"_type": "ndarray", "_value": value, "_dtype": "float64"}}
    return {part.id: int(flat[0]) if part.kind == "integer" else flat[0]}


def _variant_data(pv: PoolVariant, parts: list[Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    mistakes: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        value = _plain(pv.variant.answers[part.id])
        answers.update(_answers(part, value))
        for m in pv.mistakes.get(part.id, ()):
            got = _flat(m.value)
            if got is None or len(got) != len(_flat(value) or []) or \
                    not all(math.isfinite(x) for x in got):
                continue
            for name, v in _answers(part, _plain(m.value)).items():
                mistakes.setdefault(name, []).append({"value": v, "feedback": m.feedback})
    return {"index": pv.index - 1, "prompt": tex_html(pv.variant.prompt),
            "part_prompts": {p.id: tex_html(pv.variant.part_prompts.get(p.id) or "")
                             for p in parts},
            "answers": answers, "mistakes": mistakes}


def _plain(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") else value


def _server(pe: PoolExercise, parts: list[Any]) -> str:
    pool = [_variant_data(pv, parts) for pv in pe.variants]
    first = pe.variants[0].variant.answers
    meta = [{"id": p.id, "names": _names(p, first[p.id]), "rtol": p.tolerance.rtol,
             "atol": 0.0 if p.kind == "integer" else p.tolerance.atol} for p in parts]
    return SERVER.format(id=pe.exercise.id, pool=repr(json.dumps(pool, allow_nan=False)),
                         parts=repr(json.dumps(meta)))
