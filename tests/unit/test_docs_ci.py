"""The CI set-up in docs/ci.md: the student cannot reach the key, the token or the gate.

These read the shipped workflow files (examples/ci/) as YAML and check what a reviewer would:
the student's workflow holds no secret and touches no course repository; the course's
workflow asks for the least it needs, installs a pinned grader, lets bubblewrap create
namespaces, and keeps the `--fail-under` gate to itself. tests/e2e/test_ci_setup.py runs the
course workflow's shell steps.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "examples" / "ci"
COURSE = CI / "course-grade.yml"
STUDENT = CI / "student-check.yml"


def load(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as true
    return doc


def steps(doc: dict, job: str | None = None) -> list[dict]:
    jobs = [doc["jobs"][job]] if job else list(doc["jobs"].values())
    return [s for j in jobs for s in j["steps"]]


def checkouts(doc: dict, job: str | None = None) -> list[dict]:
    return [s.get("with", {}) for s in steps(doc, job)
            if s.get("uses", "").startswith("actions/checkout@")]


def runs(doc: dict, job: str | None = None) -> str:
    return "\n".join(s.get("run", "") for s in steps(doc, job))


def jobs_running(doc: dict, command: str) -> list[str]:
    return [name for name in doc["jobs"] if command in runs(doc, name)]


def step(doc: dict, job: str, name: str) -> dict:
    return next(s for s in steps(doc, job) if s.get("name") == name)


def version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version = "([^"]+)"$', text, flags=re.M).group(1)


# -- the student's side ---------------------------------------------------------------------

def test_the_student_workflow_holds_no_secret_and_no_course() -> None:
    text = STUDENT.read_text(encoding="utf-8")
    doc = load(STUDENT)
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for needle in ("secrets.", "ssh-key", "deploy", "token", "GRADER_SECRET", "key/"):
        assert needle not in body, needle
    for options in checkouts(doc):
        assert "repository" not in options and "ssh-key" not in options
        assert "token" not in options
        assert options.get("persist-credentials") is False
    assert doc["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in doc["jobs"].values())


def test_the_student_workflow_does_not_grade_or_gate() -> None:
    text = runs(load(STUDENT))
    assert "grader check" in text
    assert "grader grade" not in text and "--fail-under" not in text
    assert "repository_dispatch" not in text and "dispatches" not in text


def test_the_student_workflow_installs_a_pinned_grader_by_its_own_name() -> None:
    text = runs(load(STUDENT))
    install = next(line for line in text.splitlines() if "pip install" in line)
    assert "dlmath-grader @ git+https://" in install
    assert re.search(r"@(v\d[\w.]*|[0-9a-f]{40})\"", install), install


# -- the course's side ----------------------------------------------------------------------

def test_the_course_workflow_runs_on_a_schedule_and_by_hand_only() -> None:
    on = load(COURSE)["on"]
    assert set(on) == {"schedule", "workflow_dispatch"}
    assert load(COURSE)["concurrency"]["cancel-in-progress"] is False


def test_permissions_are_minimal_and_only_record_writes() -> None:
    doc = load(COURSE)
    assert doc["permissions"] == {"contents": "read"}
    for name, job in doc["jobs"].items():
        if name == "record":
            assert job["permissions"] == {"contents": "write"}
            # the writing job runs no student code: it installs and runs no grader
            assert not re.search(r"pip install|grader (grade|check)", runs(doc, name))
        else:
            assert "permissions" not in job, name


def test_the_student_token_is_read_by_the_fetch_job_only_and_never_persisted() -> None:
    doc = load(COURSE)
    text = COURSE.read_text(encoding="utf-8")
    assert text.count("secrets.") == 1
    fetch = doc["jobs"]["fetch"]
    assert "STUDENT_REPOS_READ_TOKEN" in str(step(doc, "fetch", "Fetch the student repositories"))
    assert "grader " not in runs(doc, "fetch")  # the job holding the token runs no grader
    script = runs(doc, "fetch")
    assert "GIT_CONFIG_VALUE_0" in script and "clone" in script
    assert "$STUDENT_TOKEN" not in script.split("git clone")[1]  # never on a command line
    assert fetch["steps"][0]["with"]["persist-credentials"] is False


def test_checkouts_in_jobs_that_do_not_push_keep_no_credentials() -> None:
    doc = load(COURSE)
    for name in doc["jobs"]:
        if name == "record":
            continue
        for options in checkouts(doc, name):
            assert options.get("persist-credentials") is False, (name, options)


def test_bubblewrap_is_installed_after_apt_get_update_with_namespaces_allowed() -> None:
    doc = load(COURSE)
    [job] = jobs_running(doc, "grader grade")
    script = runs(doc, job)
    update, install = script.find("apt-get update"), script.find("apt-get install")
    assert 0 <= update < install and "bubblewrap" in script[install:].splitlines()[0]
    sysctl = "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"
    assert install < script.find(sysctl) < script.find("grader grade")
    assert doc["jobs"][job]["runs-on"] == "ubuntu-24.04"  # the image the AppArmor step is for
    check = step(doc, job, "Check the sandbox")["run"]
    assert "netns" in check and "mountns" in check and "sys.exit(1)" in check
    names = [s.get("name") for s in steps(doc, job)]
    assert names.index("Check the sandbox") < names.index("Grade")


def test_the_grader_install_is_pinned_to_the_release_this_repo_builds() -> None:
    doc = load(COURSE)
    wheel = doc["env"]["GRADER_WHEEL"]
    assert Path(wheel).name == f"dlmath_grader-{version()}-py3-none-any.whl"
    assert 'pip install --quiet "course/$GRADER_WHEEL"' in runs(doc, "grade")
    assert "pip install grader" not in COURSE.read_text(encoding="utf-8")


def test_the_gate_is_in_the_course_workflow_only() -> None:
    doc = load(COURSE)
    assert jobs_running(doc, "--fail-under") == ["grade"]
    grade = step(doc, "grade", "Grade")["run"]
    assert '--fail-under "$FAIL_UNDER"' in grade and float(doc["env"]["FAIL_UNDER"]) > 0
    # the results are published even when the gate fails
    upload = steps(doc, "grade")[-1]
    assert upload["uses"].startswith("actions/upload-artifact@") and "!cancelled()" in upload["if"]
    assert "!cancelled()" in doc["jobs"]["record"]["if"]


def test_the_gradebook_lives_on_a_branch_only_the_course_writes() -> None:
    doc = load(COURSE)
    restore = [c for c in checkouts(doc, "grade") if c.get("path") == "results"]
    assert restore and restore[0]["ref"] == "grades"
    record = runs(doc, "record")
    assert "git push --quiet origin HEAD:grades" in record
    assert not any("repository" in c for c in checkouts(doc))  # nothing but the course repo


# -- the docs quote the files ---------------------------------------------------------------

GRADESCOPE = ROOT / "examples" / "gradescope"


@pytest.mark.parametrize(("path", "lang"), [(COURSE, "yaml"), (STUDENT, "yaml"),
                                            (GRADESCOPE / "setup.sh", "bash"),
                                            (GRADESCOPE / "run_autograder", "bash")],
                         ids=lambda p: getattr(p, "name", p))
def test_docs_ci_quotes_the_shipped_files_verbatim(path: Path, lang: str) -> None:
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(rf"```{lang}\n(.*?)```", doc, flags=re.S)
    assert path.read_text(encoding="utf-8") in blocks, f"docs/ci.md no longer quotes {path.name}"


def test_gradescope_setup_installs_the_pinned_wheel_and_hides_the_key() -> None:
    text = (GRADESCOPE / "setup.sh").read_text(encoding="utf-8")
    assert 0 <= text.find("apt-get update") < text.find("apt-get install")
    assert f"/dlmath_grader-{version()}-py3-none-any.whl" in text
    assert "chmod -R go-rwx /autograder/source" in text
    run = (GRADESCOPE / "run_autograder").read_text(encoding="utf-8")
    assert '--gradescope "$A/results/results.json"' in run and "--fail-under" not in run


def test_no_doc_installs_the_stranger_on_pypi() -> None:
    """`pip install grader` appears only where a doc says never to run it."""
    pattern = re.compile(r"pip install (-[-\w]+ )*['\"]?grader\b(?![-_/.\w])")
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
                 *sorted(CI.glob("*")), *sorted(GRADESCOPE.glob("*"))]:
        text = path.read_text(encoding="utf-8")
        for hit in pattern.finditer(text):
            before = text[max(0, hit.start() - 40):hit.start()].lower()
            assert "never" in before, f"{path.name}: ...{text[hit.start() - 40:hit.end()]}"


def test_every_wheel_and_tag_named_in_the_docs_is_this_release() -> None:
    """A version bump must carry the docs' wheel names and pinned tags along."""
    v = version()
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
                 *sorted(CI.glob("*")), *sorted(GRADESCOPE.glob("*"))]:
        text = path.read_text(encoding="utf-8")
        for found in re.findall(r"dlmath_grader-([\w.]+?)-py3-none-any\.whl", text):
            assert found == v, f"{path.name}: a wheel of {found}, the release is {v}"
        for found in re.findall(r"grader@v([\w.]+)", text):
            assert found == v, f"{path.name}: pinned to v{found}, the release is {v}"
