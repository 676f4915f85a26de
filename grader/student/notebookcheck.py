"""`grader check` on a Jupyter notebook: check the files its tagged cells stand for.

The notebook is converted (never run) into answers.yaml, solution.py and grader.json in a
private temporary folder, which the ordinary check reads; the report then names the notebook.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from grader.core.errors import UserError, display_path
from grader.student.notebook import folder_notebook, is_notebook, read_notebook
from grader.student.documents import DocumentProblem, StudentMeta
from grader.student.submission import ANSWERS, META, CheckReport, Submission, parse_json


def notebook_to_check(path: Path) -> Path | None:
    """The notebook `grader check PATH` means, or None when PATH is a plain problem set."""
    if path.is_file() and is_notebook(path):
        return path
    return folder_notebook(path) if path.is_dir() else None


def _read(path: Path) -> Submission:
    beside = path.parent / META
    meta = beside.read_bytes() if beside.is_file() else None
    sub = read_notebook(path, meta)
    where = display_path(path)
    if sub.problems and not sub.files:
        raise UserError(f"{where}: {sub.problems[0]}")
    if META not in sub.files:
        raise UserError(f"{where}: this notebook does not say which problem set it is (its "
                        f"`grader` metadata is gone and there is no {META} beside it); copy "
                        f"{META} from your problem set into {display_path(path.parent) or '.'}.")
    return sub


def notebook_files(path: Path) -> tuple[dict[str, bytes], StudentMeta]:
    """What `grader submit` packs for a notebook: the files grading reads, and grader.json."""
    sub = _read(path)
    try:
        meta = StudentMeta.from_dict(parse_json(sub.files[META]), source=display_path(path))
    except (ValueError, RecursionError, DocumentProblem) as exc:
        raise UserError(f"{display_path(path)}: its grader metadata is damaged ({exc}); copy "
                        f"{META} from your problem set beside it") from None
    return dict(sub.files), meta


def check_notebook(path: Path, check: Callable[..., CheckReport], *,
                   run_code: bool = True) -> CheckReport:
    """Check the notebook at `path` with `check` (grader.student.check.check)."""
    sub = _read(path)
    with tempfile.TemporaryDirectory(prefix="grader-check-") as tmp:
        for name, data in sub.files.items():
            (Path(tmp) / name).write_bytes(data)
        if ANSWERS not in sub.files:  # no answer cell tagged: every typed part is missing
            (Path(tmp) / ANSWERS).write_text("{}\n", encoding="utf-8")
        report = check(Path(tmp), run_code=run_code)
    report.folder = path
    report.lines[:0] = [f"  (read from the tagged cells of {path.name}; the notebook was not "
                        "run, and untagged cells are not graded)", *sub.problems]
    return report


def notebook_wording(line: str, name: str) -> str:
    """A line of check's summary, with the file names of a folder turned into the notebook's
    cells (the advice is the same; where to write it differs)."""
    return (line.replace("replace the nulls in answers.yaml",
                         f"replace the None values in the tagged cells of {name}")
            .replace("write your functions in solution.py",
                     "write your functions in their tagged cells"))
