"""Inside a Gradescope autograder: the upload to grade, named by the roster when it names no one.

`python -m grader.app.gradescope_upload AUTOGRADER WORK` copies AUTOGRADER/submission to WORK
and prints WORK. When the upload holds no grader.json (and no notebook carrying one), the
uploader's email in AUTOGRADER/submission_metadata.json is looked up in the key's roster and that
student's grader.json (shipped in source/build/<folder>/) is added, so the work is graded as
theirs. An email on no roster changes nothing: grading then reports an unknown student.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from grader.student.notebook import folder_notebook, read_notebook
from grader.student.submission import META


def uploader_emails(autograder: Path) -> list[str]:
    """The emails Gradescope lists for the submission's users (a group has several)."""
    try:
        data = json.loads((autograder / "submission_metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    users = data.get("users") if isinstance(data, dict) else None
    return [u["email"].strip().lower() for u in users if isinstance(u, dict)
            and isinstance(u.get("email"), str)] if isinstance(users, list) else []


def roster_folder(source: Path, emails: list[str]) -> str | None:
    """The roster folder of the first uploader whose email the key's roster lists."""
    try:
        roster = json.loads((source / "build" / "key" / "roster.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    by_email = {str(s.get("email", "")).strip().lower(): s.get("folder") for s in roster
                if isinstance(s, dict) and s.get("email")}
    return next((by_email[e] for e in emails if e in by_email), None)


def names_someone(upload: Path) -> bool:
    if (upload / META).is_file():
        return True
    notebook = folder_notebook(upload)
    return notebook is not None and META in read_notebook(notebook).files


def prepare(autograder: Path, work: Path) -> tuple[Path, str]:
    """Copy the upload to `work`, adding grader.json from the roster; (folder, what was done)."""
    shutil.copytree(autograder / "submission", work, symlinks=True)
    if names_someone(work):
        return work, "the upload's grader.json names the student"
    folder = roster_folder(autograder / "source", uploader_emails(autograder))
    meta = autograder / "source" / "build" / str(folder) / META
    if folder is None or not meta.is_file():
        return work, "no grader.json, and the uploader's email is on no roster"
    shutil.copyfile(meta, work / META)
    return work, f"no grader.json: graded as {folder}, matched by the uploader's email"


def main(argv: list[str]) -> int:
    folder, note = prepare(Path(argv[0]), Path(argv[1]))
    print(note, file=sys.stderr)
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
