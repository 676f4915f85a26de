"""One Jinja environment for every page: autoescape, StrictUndefined, shared filters."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jinja2

from grader import __version__
from grader.core.fsutil import atomic_write_text
from grader.core.values import encode_json

TEMPLATES = Path(__file__).parent.parent / "templates"


def _markdown(text: str) -> Any:
    from markupsafe import Markup

    from grader.core.markup import render_markdown

    return Markup(render_markdown(text))  # render_markdown escapes raw HTML in its input


def _plain(value: Any) -> str:
    """A value as compact JSON-ish text for tables (inf as inf)."""
    from grader.core.markup import num

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return num(value)
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return json.dumps(encode_json(value), ensure_ascii=False)


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared environment; templates extend base.html."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "xml"], default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = _markdown
    env.filters["plain"] = _plain
    env.globals["grader_version"] = __version__
    return env


def render(template: str, **context: Any) -> str:
    """Render a template by name with context."""
    return environment().get_template(template).render(**context)


def write_page(path: Path, template: str, **context: Any) -> None:
    """Render and write atomically."""
    atomic_write_text(path, render(template, **context))


def write_preview_html(exercise: Any, var: Any, path: Path, *, seed: int) -> None:
    """One variant with its solution as a self-contained page."""
    write_page(Path(path), "preview.html", exercise=exercise, variant=var, seed=seed,
               title=f"{exercise.id} (seed {seed})")
