"""The exercise library as instructors see it: listing, lookup and the published schemas."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.errors import UserError

SCHEMA_DIR = Path(__file__).parent / "schema"


def list_exercises(*, topic: str | None = None, extra_dirs: Sequence[Path] = ()) -> list[dict]:
    """One row per exercise: id, topic, title, kinds of its parts, points, difficulty."""
    from grader.spec import library_dir, load_library

    exercises = load_library([library_dir(), *extra_dirs])
    topics = sorted({e.topic for e in exercises})
    if topic is not None and topic not in topics:
        raise UserError(f"unknown topic {topic!r}; the topics are: {', '.join(topics)}")
    rows = [_row(e) for e in exercises if topic is None or e.topic == topic]
    return sorted(rows, key=lambda r: (r["topic"], r["id"]))


def _row(e: Any) -> dict:
    kinds = sorted({p.kind for p in e.parts})
    return {
        "id": e.id,
        "topic": e.topic,
        "title": e.title,
        "kinds": kinds,
        "parts": [p.id for p in e.parts],
        "points": e.points,
        "difficulty": e.difficulty,
        "tags": list(e.tags),
    }


def format_table(rows: list[dict]) -> str:
    """Rows as an aligned text table, grouped by topic."""
    if not rows:
        return "no exercises"
    width = max(len(r["id"]) for r in rows)
    out: list[str] = []
    for topic in sorted({r["topic"] for r in rows}):
        group = [r for r in rows if r["topic"] == topic]
        out.append(f"{topic} ({len(group)})")
        for r in group:
            pts = f"{r['points']:g}"
            out.append(f"  {r['id']:<{width}}  {pts:>3} pts  {','.join(r['kinds']):<22} "
                       f"{r['title']}")
    out.append(f"{len(rows)} exercises")
    return "\n".join(out)


def schema_path(kind: str = "exercise") -> Path:
    """The JSON Schema shipped in the package, for editors' YAML plugins."""
    return SCHEMA_DIR / f"{kind}.schema.json"
