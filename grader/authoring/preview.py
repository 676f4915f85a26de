"""`grader preview` and `grader solve`: one variant with its solution, for instructors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from grader.core.errors import UserError
from grader.core.timelimit import TooSlow, time_limit
from grader.core.values import encode_json
from grader.kinds import runs_code

SOLVE_SECONDS = 20.0  # what `grader solve` may take before it stops and says why


def parse_param_options(options: Sequence[str], exercise: Any) -> dict[str, Any]:
    """Turn ["NAME=VALUE", ...] (values as YAML/JSON literals) into a parameter mapping."""
    known = [n for n in exercise.params]
    out: dict[str, Any] = {}
    for opt in options:
        name, sep, raw = opt.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UserError(f"--param {opt!r}: expected NAME=VALUE, e.g. --param 'p=[0.5, 0.5]'")
        if name not in known:
            raise UserError(f"--param {name}: {exercise.id} has no parameter {name!r}; "
                            f"its parameters are: {', '.join(_public(known)) or '(none)'}")
        try:
            out[name] = _numbers(yaml.safe_load(raw))
        except yaml.YAMLError as exc:
            first = str(exc).splitlines()[0]
            raise UserError(f"--param {name}: {raw!r} is not a YAML/JSON value ({first})") from None
    return out


def _numbers(value: Any) -> Any:
    """Read arithmetic in strings ('1/3', 'sqrt(2)/2') as numbers; other strings stay text."""
    from grader.core.expr import ExprError, parse_student_value

    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, str):
        try:
            return parse_student_value(value)
        except ExprError:
            return value
    return value


def _public(names: Sequence[str]) -> list[str]:
    return [n for n in names if not n.startswith("_")]


def solve_command(exercise_id: str, params: Sequence[str], *, seed: int = 0,
                  as_json: bool = False, extra_dirs: Sequence[Path] = ()) -> str:
    """Reference answers for the given parameters (others drawn from seed)."""
    from grader.authoring import variant as V
    from grader.core.seeding import make_rng
    from grader.authoring.spec import find_exercise

    exercise = find_exercise(exercise_id, extra_dirs=extra_dirs)
    given = parse_param_options(params, exercise)
    try:
        with time_limit(SOLVE_SECONDS):
            drawn = V.draw_params(exercise, make_rng(seed), given=given, check_given=False)
            answers = V.solve(exercise, drawn)
    except (ValueError, ArithmeticError, TypeError) as exc:
        raise UserError(f"{exercise_id}: cannot solve with these parameters: {exc}") from None
    except TooSlow:
        raise UserError(f"{exercise_id}: solving with these parameters took longer than "
                        f"{SOLVE_SECONDS:g} s and was stopped; a parameter far beyond what the "
                        f"spec draws (e.g. a huge step count or size) makes the solver run that "
                        f"long; see `grader preview {exercise_id}` for typical values") from None
    public = {k: v for k, v in drawn.items() if not k.startswith("_")}
    doc = {"exercise": exercise.id, "params": encode_json(public), "answers": encode_json(answers)}
    if as_json:
        return json.dumps(doc, indent=2, ensure_ascii=False)
    lines = [f"{exercise.id}: {exercise.title}", "params:"]
    lines += [f"  {k} = {json.dumps(v)}" for k, v in doc["params"].items()]
    lines.append("answers:")
    lines += [f"  {k} = {json.dumps(v)}" for k, v in doc["answers"].items()]
    return "\n".join(lines)


def preview(exercise_id: str, *, seed: int = 0, html: Path | None = None,
            extra_dirs: Sequence[Path] = ()) -> str:
    """One variant as text (and optionally an HTML page) with its solution and mistakes."""
    from grader.authoring import variant as V
    from grader.core.seeding import make_rng
    from grader.authoring.spec import find_exercise

    exercise = find_exercise(exercise_id, extra_dirs=extra_dirs)
    var = V.make_variant(exercise, make_rng(seed))
    if html is not None:
        from grader.core.render import write_preview_html

        write_preview_html(exercise, var, html, seed=seed)
    return format_variant(exercise, var, seed=seed)


def format_variant(exercise: Any, var: Any, *, seed: int) -> str:
    lines = [f"# {exercise.id} — {exercise.title}  (seed {seed})", ""]
    lines += ["## Parameters"] + [f"- {k} = {json.dumps(encode_json(v))}"
                                  for k, v in var.params.items() if not k.startswith("_")]
    lines += ["", "## Prompt", var.prompt.strip(), "", "## Parts"]
    for part in exercise.parts:
        lines.append(f"### {part.id} ({part.kind}, {part.points:g} pts)")
        if var.part_prompts.get(part.id):
            lines.append(var.part_prompts[part.id].strip())
        if runs_code(part):
            fn = part.function
            lines.append(f"function: {fn.signature}  (reference: {fn.reference}; "
                         f"{len(fn.public)} public, {len(fn.hidden)} hidden, "
                         f"{fn.random_count} random cases)")
            continue
        lines.append(f"solution: {json.dumps(encode_json(var.answers[part.id]))}")
        for m in var.mistakes.get(part.id, ()):
            lines.append(f"mistake {m.name!r}: {json.dumps(encode_json(m.value))}")
        lines.append("")
    return "\n".join(lines)
