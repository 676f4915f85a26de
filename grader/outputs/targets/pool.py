"""A pool of variants per exercise for platforms that draw one at random (Moodle, Canvas).

Variant i of exercise E is seeded from (secret, assignment, "#pool-i", E): the same secret gives
the same pool, and no student's own variant (seeded from their id) is handed out this way.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POOL_PREFIX = "#pool-"  # in place of a student id; roster ids never start with '#'


@dataclass(frozen=True)
class PoolVariant:
    index: int
    variant: Any  # grader.authoring.variant.Variant
    mistakes: dict[str, tuple[Any, ...]]  # part id -> MistakeValue evaluated for this variant


@dataclass(frozen=True)
class PoolExercise:
    exercise: Any
    points: float
    variants: tuple[PoolVariant, ...]


@dataclass(frozen=True)
class Pool:
    assignment: Any
    exercises: tuple[PoolExercise, ...]


def build_pool(assignment_path: Path, size: int) -> Pool:
    """`size` variants of every exercise of the assignment (its picks drawn once, for the pool)."""
    from grader.authoring.variant import evaluate_mistakes, make_variant
    from grader.core.seeding import make_rng, variant_seed
    from grader.course.assignment import check_entries, load_assignment, resolve_exercises
    from grader.course.generate import load_library_for

    assignment = load_assignment(assignment_path)
    secret = assignment.secret()
    library = load_library_for(assignment)
    check_entries(assignment, library)
    out = []
    for ex, points in resolve_exercises(assignment, POOL_PREFIX, secret, library):
        variants = []
        for i in range(1, size + 1):
            seed = variant_seed(secret, assignment.id, f"{POOL_PREFIX}{i}", ex.id)
            var = make_variant(ex, make_rng(seed))
            variants.append(PoolVariant(i, var, evaluate_mistakes(ex, var.params)))
        out.append(PoolExercise(ex, points, tuple(variants)))
    return Pool(assignment, tuple(out))


def tex_html(markdown: str) -> str:
    """Markdown as HTML with math left as TeX between \\( \\) and \\[ \\] (what MathJax filters
    of Moodle and Canvas render; both strip MathML). Raw HTML is escaped, never passed on."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False}).use(dollarmath_plugin, double_inline=True)
    for name, (left, right) in _DELIMITERS.items():
        md.add_render_rule(name, _math_rule(left, right))
    return md.render(markdown)


_DELIMITERS = {"math_inline": ("\\(", "\\)"), "math_inline_double": ("\\[", "\\]"),
               "math_block": ("<p>\\[", "\\]</p>\n"),
               "math_block_label": ("<p>\\[", "\\]</p>\n")}


def _math_rule(left: str, right: str) -> Any:
    def rule(_self: Any, tokens: Any, idx: int, _options: Any, _env: Any) -> str:
        return f"{left}{html.escape(tokens[idx].content.strip())}{right}"
    return rule
