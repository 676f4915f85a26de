"""A ready Gradescope autograder zip: setup.sh, run_autograder, the assignment, specs and key.

Gradescope grades each student's own variant, so this target needs the folder `grader generate`
wrote (its key, and each student's grader.json, which holds no answer). run_autograder grades
the upload with `grader grade ... --gradescope`; an upload without grader.json is matched to
the student by the email in Gradescope's submission_metadata.json (grader.app.gradescope_upload).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from grader import __version__
from grader.core.errors import UserError, display_path

FILENAME = "autograder.zip"
ASSIGNMENT = "assignment.yaml"
_STAMP = (2020, 1, 1, 0, 0, 0)  # fixed member times: same inputs, same bytes

SETUP = f"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image from this zip
# (unpacked into /autograder/source). A grader wheel put beside it is installed in place of
# dlmath-grader {__version__} from PyPI.
set -euo pipefail
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 python3-venv bubblewrap
# A venv outside /root, readable by every user: the sandbox runs student code as another uid.
python3 -m venv /opt/grader
wheel=$(ls /autograder/source/*.whl 2>/dev/null | head -n 1 || true)
/opt/grader/bin/pip install --quiet "${{wheel:-dlmath-grader=={__version__}}}"
# The key, root's only: student code runs as another uid and cannot read it.
chmod -R go-rwx /autograder/source
"""

RUN = f"""#!/usr/bin/env bash
# Gradescope runs this, as root, for every submission. AUTOGRADER (default /autograder) and
# GRADER_BIN (default /opt/grader/bin) are set only by tests.
set -euo pipefail
A=${{AUTOGRADER:-/autograder}}
export PATH="${{GRADER_BIN:-/opt/grader/bin}}:$PATH"
cd "$A/source"
work=$(mktemp -d)
# The upload, with grader.json added from the roster when it has none (email match).
upload=$(python -m grader.app.gradescope_upload "$A" "$work/upload")
grader grade {ASSIGNMENT} "$upload" --key build --out "$work/results" \\
    --gradescope "$A/results/results.json"
"""


def build_zip(assignment_path: Path, build: Path) -> bytes:
    """The autograder zip for an assignment generated into `build`."""
    from grader.course.assignment import load_assignment

    assignment = load_assignment(assignment_path)
    if not (build / "key" / "roster.json").is_file():
        raise UserError(f"{display_path(build)}: no key/roster.json; give --key the folder "
                        "`grader generate` wrote for this assignment")
    files: dict[str, bytes] = {"setup.sh": SETUP.encode(), "run_autograder": RUN.encode(),
                               ASSIGNMENT: assignment_path.read_bytes()}
    for path in sorted((build / "key").glob("*.json")):
        files[f"build/key/{path.name}"] = path.read_bytes()
    for meta in sorted(build.glob("*/grader.json")):
        if meta.parent.name != "key":
            files[f"build/{meta.parent.name}/grader.json"] = meta.read_bytes()
    for folder in assignment.library:
        files.update(_library_files(assignment_path.parent, Path(folder)))
    return _zip(files)


def _library_files(base: Path, folder: Path) -> dict[str, bytes]:
    try:
        rel = folder.resolve().relative_to(base.resolve())
    except ValueError:
        raise UserError(f"{display_path(folder)}: a library folder outside the assignment's "
                        "folder cannot be put into the autograder zip; move it beside the "
                        "assignment") from None
    return {f"{rel.as_posix()}/{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix in (".yaml", ".py")}


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, _STAMP)
            info.external_attr = (0o755 if name in ("setup.sh", "run_autograder") else 0o644) << 16
            zf.writestr(info, files[name])
    return buf.getvalue()
