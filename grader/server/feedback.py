"""A graded attempt as the student's terminal shows it: the score, then each part's feedback.

Made from the stored result (what the student's report page shows), so it reveals expected
answers exactly when the report does.
"""

from __future__ import annotations

import json

from grader.grading.results import num


def feedback_text(result_json: str) -> str:
    """Plain text: score line, each part's status and feedback, the notes for the student."""
    r = json.loads(result_json)
    lines = [f"Score: {num(r['score'])}/{num(r['max_score'])} ({r['status']})"]
    late = r.get("late") or {}
    if late.get("note"):
        lines.append(late["note"])
    for e in r.get("exercises", []):
        lines.append(f"{e['number']}. {e['title']} ({e['id']}): "
                     f"{num(e['score'])}/{num(e['max_score'])}")
        for p in e["parts"]:
            lines.append(f"   {p['part_id']}: {num(p['score'])}/{num(p['max_score'])} "
                         f"{p['status']}: {p['feedback']}")
            if p.get("expected") is not None:
                lines.append(f"      expected: {json.dumps(p['expected'])}")
    lines += list(r.get("messages", []))
    return "\n".join(lines)
