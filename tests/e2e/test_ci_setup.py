"""The course workflow of docs/ci.md, run here: its shell steps against a generated course.

GitHub is not reachable from the tests, so the `uses:` steps are played by hand (a checkout
is a copy, an artifact is a folder) and the `run:` steps are executed as they are written in
examples/ci/course-grade.yml, with bash as GitHub runs them. Student repositories are bare
repositories served over git's smart HTTP (`git http-backend`) by a server that records the
Authorization header each request carries: `GITHUB_SERVER_URL` points at it.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "ci" / "course-grade.yml"
SECRET = "ci-setup-test-secret-7a6b5c4d3e2f1a0b"
STUDENTS = ["ana", "ben", "cleo"]
ASSIGNMENT = """\
id: week3
title: Week 3
secret: {env: GRADER_SECRET}
exercises:
  - info-kl-divergence
  - impl-softmax
reveal: never
due: 2099-01-01T00:00:00+00:00
late: {policy: per_day, penalty_per_day: 10, max_days: 3, time_source: received}
sandbox: {time_limit: 10, memory_mb: 512}
"""
STABLE = """\
import numpy as np

def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def script(job: str, name: str) -> str:
    return next(s["run"] for s in workflow()["jobs"][job]["steps"] if s.get("name") == name)


def run_step(job: str, name: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """A `run:` step as GitHub runs it: `bash --noprofile --norc -eo pipefail`, job env."""
    path = cwd / f".step-{job}.sh"
    path.write_text(script(job, name), encoding="utf-8")
    full = {**os.environ, **workflow()["env"], "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_OUTPUT": str(cwd / ".output"), "GITHUB_STEP_SUMMARY": str(cwd / ".summary"),
            "GITHUB_RUN_ID": "1", **env}
    full["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{full['PATH']}"  # grader's venv
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
                          cwd=cwd, env=full, capture_output=True, text=True, timeout=600)


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org",
                    "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True,
                   capture_output=True)


def make_course(course: Path) -> dict[str, dict]:
    """The course repository as docs/ci.md lays it out; returns each student's key."""
    env = workflow()["env"]
    course.mkdir(parents=True)
    (course / env["ASSIGNMENT"]).write_text(ASSIGNMENT, encoding="utf-8")
    rows = "".join(f"{s},{s.title()},{s}@example.org\n" for s in STUDENTS)
    (course / "roster.csv").write_text("id,name,email\n" + rows, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "grader", "generate", env["ASSIGNMENT"],
                           "--roster", "roster.csv", "--out", "build"], cwd=course,
                          env={**os.environ, "GRADER_SECRET": SECRET}, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (course / env["KEY"]).is_dir()
    # A student's repository starts as their problem-set folder.
    lines = ["folder,repo"] + [f"{s},org/{s}-week3" for s in STUDENTS]
    (course / env["STUDENTS"]).write_text("\r\n".join(lines), encoding="utf-8")  # no last EOL
    return {s: json.loads((course / env["KEY"] / f"{s}.json").read_text()) for s in STUDENTS}


class GitServer(http.server.ThreadingHTTPServer):
    """git's smart HTTP over ROOT (`git http-backend` as CGI); remembers every Authorization."""

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), GitHandler)
        self.root, self.seen = root, []  # type: list[str | None]


class GitHandler(http.server.BaseHTTPRequestHandler):
    server: GitServer

    def do_GET(self) -> None:
        self.backend()

    def do_POST(self) -> None:
        self.backend()

    def backend(self) -> None:
        self.server.seen.append(self.headers.get("Authorization"))
        path, _, query = self.path.partition("?")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        env = {"PATH": os.environ["PATH"], "GIT_PROJECT_ROOT": str(self.server.root),
               "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": path, "QUERY_STRING": query,
               "REQUEST_METHOD": self.command, "CONTENT_LENGTH": str(len(body)),
               "CONTENT_TYPE": self.headers.get("Content-Type", ""),
               "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", "")}
        out = subprocess.run(["git", "http-backend"], input=body, env=env,
                             capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(": ")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def github(tmp_path: Path) -> Iterator[GitServer]:
    server = GitServer(tmp_path / "github")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url(server: GitServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def push(server: GitServer, course: Path, student: str, answers: dict, solution: str,
         grader_json_of: str | None = None) -> None:
    """Commit a student's work and push it to their repository (created on first push)."""
    work = server.root.parent / "laptops" / student
    bare = server.root / "org" / f"{student}-week3.git"  # as GitHub serves it
    if not bare.exists():
        shutil.copytree(course / "build" / student, work)
        git("init", "-q", cwd=work)
        bare.parent.mkdir(parents=True, exist_ok=True)
        git("init", "-q", "--bare", str(bare), cwd=work)
    (work / "answers.yaml").write_text(yaml.safe_dump(answers), encoding="utf-8")
    (work / "solution.py").write_text(solution, encoding="utf-8")
    if grader_json_of:  # claims to be someone else
        shutil.copy(course / "build" / grader_json_of / "grader.json", work / "grader.json")
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "work", cwd=work)
    git("push", "-q", str(bare), "HEAD:main", cwd=work)


def right(key: dict) -> dict:
    return {e["id"]: dict(e["answers"]) for e in key["exercises"] if e["answers"]}


TOKEN = "not-a-real-token"
HIDDEN = shutil.ignore_patterns(".*")  # upload-artifact@v4 leaves hidden files out


def fetch_and_grade(runner: Path, server: GitServer,
                    course_repo: Path) -> subprocess.CompletedProcess:
    """fetch (checkout, the script, the artifact), then grade (checkouts, artifact, Grade),
    then record (the results artifact becomes the grades branch)."""
    fetch_dir, grade_dir, branch = runner / "fetch", runner / "grade", runner / "grades-branch"
    for d in (fetch_dir, grade_dir):
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(course_repo, d / "course")
    proc = run_step("fetch", "Fetch the student repositories", fetch_dir,
                    GITHUB_SERVER_URL=url(server), STUDENT_TOKEN=TOKEN)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    shutil.copytree(fetch_dir / "submissions", grade_dir / "submissions", ignore=HIDDEN)
    shutil.copytree(branch, grade_dir / "results")                     # ref: grades
    graded = run_step("grade", "Grade", grade_dir)
    for entry in branch.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(grade_dir / "results", branch, ignore=HIDDEN, dirs_exist_ok=True)
    graded.stdout = proc.stdout + proc.stderr + graded.stdout
    return graded


def result(runner: Path, student: str) -> dict:
    return json.loads((runner / "grades-branch" / f"{student}.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_course_workflow_fetches_and_grades_the_class(tmp_path: Path,
                                                         github: GitServer) -> None:
    course, server, runner = tmp_path / "course-repo", github, tmp_path / "runner"
    keys = make_course(course)
    (runner / "grades-branch").mkdir(parents=True)
    git("init", "-q", cwd=runner / "grades-branch")  # created once, as docs/ci.md says

    push(server, course, "ana", right(keys["ana"]), STABLE)
    wrong = right(keys["ben"])
    wrong["info-kl-divergence"] = {k: 0.0 for k in wrong["info-kl-divergence"]}
    # ben's work claims to be ana's: the folder the course fetched it into decides.
    push(server, course, "ben", wrong, "def softmax(z):\n    return z\n", grader_json_of="ana")
    # cleo never creates her repository

    first = fetch_and_grade(runner, server, course)
    assert first.returncode == 1, first.stdout + first.stderr  # ben is under FAIL_UNDER
    assert "could not fetch org/cleo-week3; graded as missing" in first.stdout
    assert TOKEN not in first.stdout + first.stderr
    # every request to the server carried the token, as actions/checkout would send it
    auth = "basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert github.seen and set(github.seen) == {auth}
    ana, ben, cleo = (result(runner, s) for s in STUDENTS)
    assert ana["status"] == "graded" and ana["score"] == ana["max_score"] > 0
    assert ana["late"]["time_source"] == "received" and ana["late"]["days_late"] == 0
    assert ben["status"] == "graded" and ben["score"] < ben["max_score"] / 2
    assert cleo["status"] == "missing"
    assert (runner / "grades-branch" / "gradebook.sqlite").is_file()
    assert (runner / "grades-branch" / "junit.xml").is_file()
    assert (runner / "grades-branch" / "summary.md").is_file()
    assert not list((runner / "fetch" / "submissions").glob("*/.git"))
    assert (runner / "grade" / ".summary").read_text(encoding="utf-8").strip()

    # An hour later: ana pushes nothing new, ben fixes his work. ana keeps her first-seen time.
    push(server, course, "ben", right(keys["ben"]), STABLE)
    second = fetch_and_grade(runner, server, course)
    assert second.returncode == 0, second.stdout + second.stderr
    assert result(runner, "ana")["late"]["submitted_at"] == ana["late"]["submitted_at"]
    again = result(runner, "ben")
    assert again["score"] == again["max_score"]
    assert again["late"]["submitted_at"] >= ben["late"]["submitted_at"]


def test_the_sandbox_check_refuses_to_grade_without_namespaces(tmp_path: Path) -> None:
    proc = run_step("grade", "Check the sandbox", tmp_path, GRADER_SANDBOX_DISABLE="bwrap")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "refusing to grade without netns, mountns" in proc.stderr
    assert "namespaces:" in proc.stderr  # the sandbox's own note says why


def test_the_record_step_commits_and_pushes_the_results(tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", str(origin), cwd=tmp_path)
    seed = tmp_path / "seed"
    seed.mkdir()
    git("init", "-q", cwd=seed)
    (seed / "old.json").write_text("{}")
    git("add", "-A", cwd=seed)
    git("commit", "-q", "-m", "grades", cwd=seed)
    git("push", "-q", str(origin), "HEAD:grades", cwd=seed)
    git("clone", "-q", "--branch", "grades", str(origin), "grades", cwd=tmp_path)
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "gradebook.csv").write_text("Student\r\n")
    proc = run_step("record", "Commit the results to the grades branch", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listing = subprocess.run(["git", "ls-tree", "--name-only", "grades"], cwd=origin,
                             capture_output=True, text=True, check=True).stdout.split()
    assert listing == ["gradebook.csv"]  # the branch holds exactly the latest results
    again = run_step("record", "Commit the results to the grades branch", tmp_path)
    assert again.returncode == 0 and "no result changed" in again.stdout


PEEK = STABLE + """
import os


def _peek(folder):
    try:
        return any(open(os.path.join(folder, n)).read() for n in os.listdir(folder))
    except OSError:
        return False


def softmax(z, _stable=softmax):
    # Tries to read the key: a wrong answer if it can.
    return [0.0 for _ in z] if _peek(KEY) else _stable(z)
"""


@pytest.mark.slow
def test_gradescope_run_autograder_grades_one_upload(tmp_path: Path) -> None:
    """examples/gradescope/run_autograder, run as written on a Gradescope-like folder."""
    autograder = tmp_path / "autograder"
    source = autograder / "source"
    keys = make_course(source)
    text = ASSIGNMENT.replace("time_source: received", "time_source: manifest")
    (source / "week3.yaml").write_text(text.replace("policy: per_day", "policy: none"))
    os.chmod(source / "build" / "key", 0o700)  # setup.sh: chmod -R go-rwx /autograder/source
    upload = autograder / "submission"
    shutil.copytree(source / "build" / "ana", upload)  # the whole folder, grader.json included
    (upload / "answers.yaml").write_text(yaml.safe_dump(right(keys["ana"])), encoding="utf-8")
    (upload / "solution.py").write_text(
        PEEK.replace("KEY", repr(str(source / "build" / "key"))), encoding="utf-8")
    (autograder / "results").mkdir()
    env = {**os.environ, "AUTOGRADER": str(autograder),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(["bash", str(ROOT / "examples" / "gradescope" / "run_autograder")],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((autograder / "results" / "results.json").read_text())
    assert results["extra_data"]["student_id"] == "ana"
    assert results["score"] == results["max_score"] > 0, json.dumps(results["tests"], indent=1)
