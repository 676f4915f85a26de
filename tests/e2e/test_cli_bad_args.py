"""Bad arguments to the newer commands (merge, serve, export --to, login, submit --to, status,
grade --shard/--executor, gradebook compact): each exits 2 with a message naming the file or
option, never a traceback or exit 3.

Paths that do not exist, a file where a folder is expected and the reverse, an output folder
under a file (unwritable even for root) or read-only (skipped as root, who ignores
permissions), malformed URLs, bad shard strings, inf and nan for numbers. `grader serve` runs
in-process with uvicorn's Server.run replaced by a failure: none of these may start a server.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.app.fabricate import Course
from grader.cli import cli

SECRET_ENV = "GRADER_BAD_ARGS_SECRET"
SECRET = "bad-args-secret-0c9d8b7a6c5d4e3f2a1b"
ASSIGNMENT = f"""\
id: bad-args
title: Bad arguments
secret: {{env: {SECRET_ENV}}}
exercises:
  - info-kl-divergence
  - la-eigen-symmetric
"""
ROSTER = "id,name,email\ns001,Ada,ada@example.edu\ns002,Alan,alan@example.edu\n"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ROOT_SKIP = pytest.mark.skipif(AS_ROOT, reason="root writes into read-only folders, so a "
                               "read-only output folder is no error for root (the cases with "
                               "a folder under a file cover root)")
TARGETS = ["moodle", "canvas", "prairielearn", "gradescope", "jupyter"]
NEEDS = {"gradescope": ["--key", "build"], "jupyter": ["--roster", "roster.csv"]}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A generated class, both students' work handed in, graded as shards 1/2 and 2/2; a plain
    file `afile`, an empty folder `adir` and a read-only folder `ro` beside them."""
    root = tmp_path_factory.mktemp("badargs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, SECRET)
        c = Course.create(root, ASSIGNMENT, ROSTER)
        for sid in ("s001", "s002"):
            c.folder_submission(sid, c.right(sid), None)
        for k in (1, 2):
            done = invoke(["grade", "assignment.yaml", "subs", "--key", "build", "--out",
                           f"shard{k}", "--shard", f"{k}/2"], root)
            assert done.exit_code == 0, done.output
    (root / "afile").write_text("a file, not a folder\n", encoding="utf-8")
    (root / "adir").mkdir()
    (root / "ro").mkdir(mode=0o500)
    yield root
    (root / "ro").chmod(0o700)


@pytest.fixture(autouse=True)
def _no_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Reaching uvicorn's Server.run is a test failure (a server that should not start); the
    student's saved tokens go to a fresh config folder."""
    import uvicorn

    def started(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("grader serve started a server on bad arguments")

    monkeypatch.setattr(uvicorn.Server, "run", started)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("GRADER_TOKEN", raising=False)


def invoke(args: list[str], cwd: Path, env: dict[str, str] | None = None):
    old = Path.cwd()
    os.chdir(cwd)  # messages name files as the user typed them
    try:
        return CliRunner(env={SECRET_ENV: SECRET, **(env or {})}).invoke(
            cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def assert_refused(args: list[str], cwd: Path, names: str, env: dict[str, str] | None = None
                   ) -> None:
    """Exit 2, no traceback, and the message names the bad file or option."""
    result = invoke(args, cwd, env)
    shown = f"grader {' '.join(args)} -> exit {result.exit_code}:\n{result.output}"
    assert result.exit_code == 2, shown
    assert "Traceback" not in result.output and "internal error" not in result.output, shown
    assert names in result.stderr, shown


def assert_read_only_refused(args: list[str], cwd: Path) -> None:
    """Refused, naming the read-only folder `ro` or the path in it that could not be made."""
    result = invoke(args, cwd)
    shown = f"grader {' '.join(args)} -> exit {result.exit_code}:\n{result.output}"
    assert result.exit_code == 2 and "Traceback" not in result.output, shown
    assert re.search(r"(^|\s)ro[/:]", result.stderr), shown


def unreachable() -> str:
    """The address of a port on 127.0.0.1 where nothing listens (taken, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


# ---------------------------------------------------------------- merge

SHARDS = ["shard1", "shard2"]


@pytest.mark.parametrize("args,names", [
    (["nope", "--out", "m"], "nope"),
    (["afile", "--out", "m"], "afile"),
    (["adir", "--out", "m"], "adir"),  # a folder, but no shard's results
    (["shard1", "--out", "m"], "shard 2/2"),  # a shard missing
    ([*SHARDS, "--out", "afile"], "afile"),
    ([*SHARDS, "--out", "afile/merged"], "afile"),
    ([*SHARDS, "--out", "m", "--csv", "adir"], "adir"),
    ([*SHARDS, "--out", "m", "--csv", "afile/grades.csv"], "afile"),
    ([*SHARDS, "--out", "m", "--fail-under", "nan"], "--fail-under"),
    ([*SHARDS, "--out", "m", "--fail-under", "inf"], "--fail-under"),
])
def test_merge_refuses(course: Path, args: list[str], names: str) -> None:
    assert_refused(["merge", *args], course, names)
    merged = (course / "m").exists()
    shutil.rmtree(course / "m", ignore_errors=True)  # the next case starts without it
    assert not merged  # refused before anything was merged


@ROOT_SKIP
def test_merge_into_a_read_only_folder(course: Path) -> None:
    assert_read_only_refused(["merge", *SHARDS, "--out", "ro/merged"], course)


# ---------------------------------------------------------------- serve

SERVE = ["serve", "assignment.yaml", "--key", "build"]


@pytest.mark.parametrize("args,names", [
    (["serve", "nope.yaml", "--key", "build"], "nope.yaml"),
    (["serve", "build", "--key", "build"], "build"),
    (["serve", "assignment.yaml", "--key", "nope"], "nope"),
    (["serve", "assignment.yaml", "--key", "afile"], "afile"),
    ([*SERVE, "--state", "afile"], "afile"),
    ([*SERVE, "--state", "afile/state"], "afile"),
    ([*SERVE, "--database", "not-a-url"], "--database"),
    ([*SERVE, "--port", "-1"], "--port"),
    ([*SERVE, "--port", "65536"], "--port"),
    ([*SERVE, "--port", "nan"], "--port"),
    ([*SERVE, "--port", "inf"], "--port"),
    ([*SERVE, "--jobs", "0"], "--jobs"),
    ([*SERVE, "--jobs", "nan"], "--jobs"),
    ([*SERVE, "--host", "no such host!"], "--host no such host!"),
    ([*SERVE, "--host", "192.0.2.1"], "--host 192.0.2.1"),  # TEST-NET: not this machine's
    ([*SERVE, "--tokens", "--url", "not-a-url"], "not-a-url"),
    ([*SERVE, "--tokens", "--url", "http://[::1"], "http://[::1"),
    ([*SERVE, "--tokens", "--csv", "adir"], "adir"),
    ([*SERVE, "--tokens", "--csv", "afile/tokens.csv"], "afile"),
])
def test_serve_refuses_before_listening(course: Path, args: list[str], names: str) -> None:
    assert_refused(args, course, names)


def test_serve_refuses_a_port_in_use(course: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert_refused([*SERVE, "--port", port], course, f"--port {port}")


@ROOT_SKIP
def test_serve_refuses_a_read_only_state_folder(course: Path) -> None:
    assert_read_only_refused([*SERVE, "--state", "ro/state"], course)


# ---------------------------------------------------------------- export --to


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("source,out,names", [
    ("nope.yaml", "x", "nope.yaml"),
    ("build", "x", "build"),
    ("assignment.yaml", "afile", "afile"),
    ("assignment.yaml", "afile/sub", "afile"),
])
def test_export_to_refuses(course: Path, target: str, source: str, out: str,
                           names: str) -> None:
    assert_refused(["export", source, "--to", target, "--out", out, *NEEDS.get(target, [])],
                   course, names)


@pytest.mark.parametrize("args,names", [
    (["--to", "gradescope", "--out", "x"], "--key"),
    (["--to", "gradescope", "--out", "x", "--key", "nope"], "nope"),
    (["--to", "gradescope", "--out", "x", "--key", "afile"], "afile"),
    (["--to", "jupyter", "--out", "x"], "--roster"),
    (["--to", "jupyter", "--out", "x", "--roster", "nope.csv"], "nope.csv"),
    (["--to", "jupyter", "--out", "x", "--roster", "adir"], "adir"),
    (["--to", "moodle", "--out", "x", "--pool", "0"], "--pool"),
    (["--to", "moodle", "--out", "x", "--pool", "nan"], "--pool"),
    (["--to", "canvas", "--out", "x", "--pool", "inf"], "--pool"),
])
def test_export_to_refuses_options(course: Path, args: list[str], names: str) -> None:
    assert_refused(["export", "assignment.yaml", *args], course, names)


@ROOT_SKIP
@pytest.mark.parametrize("target", TARGETS)
def test_export_to_a_read_only_folder(course: Path, target: str) -> None:
    assert_read_only_refused(["export", "assignment.yaml", "--to", target, "--out", "ro/x",
                              *NEEDS.get(target, [])], course)


# ---------------------------------------------------------------- login, submit --to, status

BAD_URLS = ["not-a-url", "ftp://course.example", "http://", "http:///path", "http://[::1",
            "http://127.0.0.1:99999", "http://127.0.0.1:0", "http://127.0.0.1:port"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_login_refuses_a_bad_url(course: Path, url: str) -> None:
    assert_refused(["login", url, "--token", "t"], course, url.rstrip("/"))


@pytest.mark.parametrize("url", BAD_URLS)
def test_submit_to_refuses_a_bad_url(course: Path, url: str) -> None:
    assert_refused(["submit", "subs/s001", "--to", url], course, url.rstrip("/"))


@pytest.mark.parametrize("url", BAD_URLS)
def test_status_refuses_a_bad_url(course: Path, url: str) -> None:
    assert_refused(["status", "--to", url], course, url.rstrip("/"))


def test_login_to_a_server_that_is_not_there(course: Path, tmp_path: Path) -> None:
    url = unreachable()
    assert_refused(["login", url, "--token", "t"], course, url)
    assert not (tmp_path / "config" / "grader" / "servers.json").exists()  # nothing saved


def test_status_without_a_server_or_token(course: Path) -> None:
    assert_refused(["status"], course, "--to")
    url = unreachable()
    assert_refused(["status", "--to", url], course, f"grader login {url}")  # no token
    assert_refused(["status", "--to", url], course, url, env={"GRADER_TOKEN": "t"})
    assert_refused(["status", "nan", "--to", url], course, "ATTEMPT")


@pytest.mark.parametrize("args,names", [
    (["nope"], "nope"),
    (["afile"], "afile"),
    (["subs/s001", "--wait", "nan"], "--wait"),
    (["subs/s001", "--wait", "inf"], "--wait"),
    (["subs/s001", "--wait", "-1"], "--wait"),
    (["subs/s001", "--out", "afile/work.zip"], "afile"),
])
def test_submit_to_refuses(course: Path, args: list[str], names: str) -> None:
    assert_refused(["submit", *args, "--to", unreachable()], course, names,
                   env={"GRADER_TOKEN": "t"})


def test_submit_to_a_server_that_is_not_there_keeps_the_archive(course: Path) -> None:
    url = unreachable()
    assert_refused(["submit", "subs/s002", "--out", "adir", "--to", url], course,
                   f"{url}: cannot reach the server", env={"GRADER_TOKEN": "t"})
    assert [p.suffix for p in (course / "adir").iterdir()] == [".zip"]


# ---------------------------------------------------------------- grade --shard, --executor

GRADE = ["grade", "assignment.yaml", "subs", "--key", "build"]


@pytest.mark.parametrize("shard", ["0/4", "5/4", "a/b", "1/0", "", "1/", "/4", "-1/4",
                                   "1/4/4", "nan/4", "1/inf", "1.5/4", "1/10001"])
def test_grade_refuses_a_bad_shard(course: Path, shard: str) -> None:
    assert_refused([*GRADE, "--out", "never", "--shard", shard], course, "--shard")
    assert not (course / "never").exists()


@pytest.mark.parametrize("executor", ["not-a-url", "ftp://x", "", "local://", "dask://",
                                      "dask://host", "dask://:8786", "dask://host:0",
                                      "dask://host:65536", "dask://host:port",
                                      "dask://host:nan"])
def test_grade_refuses_a_bad_executor(course: Path, executor: str) -> None:
    assert_refused([*GRADE, "--out", "never", "--executor", executor], course, "--executor")
    assert not (course / "never").exists()


@pytest.mark.parametrize("out,names", [("afile", "afile"), ("afile/results", "afile")])
def test_grade_shard_refuses_an_output_under_a_file(course: Path, out: str,
                                                    names: str) -> None:
    assert_refused([*GRADE, "--out", out, "--shard", "1/2"], course, names)


@pytest.mark.parametrize("option", ["--csv", "--junit"])
def test_grade_refuses_an_export_under_a_file_before_grading(course: Path, option: str) -> None:
    assert_refused([*GRADE, "--out", "never", "--shard", "1/2", option, "afile/export"],
                   course, f"{option} afile/export: afile: is a file")
    assert not (course / "never").exists()


@ROOT_SKIP
def test_grade_shard_into_a_read_only_folder(course: Path) -> None:
    assert_read_only_refused([*GRADE, "--out", "ro/results", "--shard", "1/2"], course)


@pytest.mark.parametrize("args, names", [
    (["nowhere"], "nowhere: no such folder"),
    (["afile"], "afile: not a folder"),
    (["adir"], "adir/gradebook.sqlite: no gradebook here"),
    (["shard1", "--keep-runs", "0"], "shard1/gradebook.sqlite: --keep-runs 0 would drop"),
    (["shard1", "--keep-runs", "-3"], "shard1/gradebook.sqlite: --keep-runs -3 would drop"),
    (["shard1", "--keep-runs", "two"], "--keep-runs"),
    (["notabook"], "notabook/gradebook.sqlite: the gradebook is damaged"),
])
def test_gradebook_compact_refuses(course: Path, args: list[str], names: str) -> None:
    (course / "notabook").mkdir(exist_ok=True)
    (course / "notabook" / "gradebook.sqlite").write_bytes(b"not SQLite at all " * 300)
    books = {p: p.read_bytes() for p in course.glob("*/gradebook.sqlite")}
    assert_refused(["gradebook", "compact", *args], course, names)
    assert {p: p.read_bytes() for p in course.glob("*/gradebook.sqlite")} == books  # untouched
    assert not (course / "nowhere").exists()
