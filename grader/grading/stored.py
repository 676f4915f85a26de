"""Reading a results folder back: every StudentResult that `grader grade` stored in it.

`grader report`, `grader gradebook rebuild` and the exports from stored results read it here.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.core.errors import UserError, display_path
from grader.core.values import from_json
from grader.grading.results import StudentResult

UNKNOWN_DIR = "unknown"  # where grading puts the results of ids not on the roster


def load_results(results_dir: Path) -> list[StudentResult]:
    """Every StudentResult stored in DIR/*.json; other JSON files (exports) are skipped."""
    where = display_path(results_dir)
    if not results_dir.is_dir():
        raise UserError(f"{where}: no such folder. Give the --out folder of `grader grade`.")
    files = [*sorted(results_dir.glob("*.json")),
             *sorted((results_dir / UNKNOWN_DIR).glob("*.json"))]
    results = [r for path in files if (r := _read_result(path))]
    if not results:
        raise UserError(f"{where}: no student results (<student>.json) found. Run `grader "
                        f"grade ASSIGNMENT SUBMISSIONS --out {where}` first.")
    return results


def _read_result(path: Path) -> StudentResult | None:
    try:
        data = from_json(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{display_path(path)}: not valid JSON ({exc}). Regrade to rewrite "
                        "it, or move the file out of the results folder.") from None
    if not (isinstance(data, dict) and "student_id" in data and "schema_version" in data):
        return None  # an export such as Gradescope's results.json
    try:
        return StudentResult.from_dict(data)
    except ValueError as exc:
        raise UserError(f"{display_path(path)}: {exc}. Regrade with this grader to rewrite "
                        "the results.") from None
    except (TypeError, KeyError) as exc:
        raise UserError(f"{display_path(path)}: not a result this grader can read ({exc}). "
                        "Regrade to rewrite it.") from None
