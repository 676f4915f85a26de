"""Grade the hostile corpus in one run beside honest controls, and check that nothing gave.

A driver process (this file run as a script) plays the grader: with a canary secret in its
environment it grades the controls alone, then every attack with the controls, then the
controls again, and writes the runs as JSON. The test then checks, from outside: the driver
exited normally; every attack earned only what its honest numbers earn, with a clear
message; the controls scored exactly their attack-free scores both times; no file outside
the sandboxes changed; no process is left; the secret appears nowhere; the loopback listener
heard nothing. The reference softmax is scipy's, never the code under test.
"""

from __future__ import annotations

import glob
import hashlib
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.special import softmax as scipy_softmax

from grader.sandbox.client import ZYGOTE_LABEL

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "hostile"
SURVIVOR_MARKS = ("grader-hostile-survivor", "pwned-by")
FULL_LEVEL = "fork+rlimits+uid+netns+pidns+mountns+seccomp"
KEYWORDS = {"timeout": "time limit", "memory": "memory limit", "crashed": "crashed with signal",
            "exited": "exited early", "truncated": "more than", "not_run": "not run",
            "bad_output": "", "exception": ""}


def cases() -> list[tuple[str, list, dict]]:
    rng = np.random.default_rng(5)
    vecs: list[list[float]] = [[1000.0, 999.0, 998.0], [-1000.0, -999.0], [710.0, 0.0, -710.0],
                               [1.0, 2.0, 3.0], [0.5, -0.5], [300.0, 300.5, 299.0]]
    while len(vecs) < 20:
        v = rng.integers(-10, 11, size=int(rng.integers(3, 9))).astype(float)
        if len(set(v)) > 1:
            vecs.append(v.tolist())
    return [(f"c{i:02d}", [v], {}) for i, v in enumerate(vecs, 1)]


def score(outcomes: dict[str, Any]) -> float:
    """The fraction of cases whose returned value matches scipy's softmax."""
    good = 0
    for cid, args, _ in cases():
        got = outcomes[cid]
        expected = scipy_softmax(np.asarray(args[0]))
        if got["status"] != "ok":
            continue
        try:
            value = np.asarray(got["value"], dtype=float)
        except (ValueError, TypeError):  # ragged or not numbers: not a softmax
            continue
        if value.shape == expected.shape and np.allclose(value, expected, rtol=1e-6, atol=1e-9):
            good += 1
    return good / len(cases())


def header(text: str, key: str) -> str:
    m = re.search(rf"^# {key}: (.*)$", text, re.MULTILINE)
    return m.group(1).strip() if m else ""


def tree_digest(folder: Path) -> dict[str, str]:
    files = [folder / "__init__.py"] if folder.name == "grader" else sorted(folder.rglob("*"))
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files if p.is_file() and "__pycache__" not in p.parts}


class Listener:
    """A loopback TCP server that records every connection it gets."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.heard: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    self.heard.append(b"connected:" + conn.recv(4096))
                except OSError:
                    self.heard.append(b"connected")

    def close(self) -> None:
        self.sock.close()


def build_submissions(canary: Path, port: int, out: Path) -> dict[str, Path]:
    import grader

    fill = {"__CANARY__": str(canary), "__PORT__": str(port),
            "__GRADER_DIR__": str(Path(grader.__file__).parent)}
    folders = {}
    for src in sorted(CORPUS.glob("*.py")):
        text = src.read_text()
        for k, v in fill.items():
            text = text.replace(k, v)
        folder = out / src.stem
        folder.mkdir()
        (folder / "solution.py").write_text(text)
        link = header(text, "SYMLINK")
        if link:
            name, target = (s.strip() for s in link.split("->"))
            (folder / name).symlink_to(target)
        folders[src.stem] = folder
    return folders


def drive(spec_path: str) -> None:
    """The grader's side, run in its own process: three runs, results as JSON."""
    from grader.sandbox import Job, Limits, SandboxPool, read_submission

    spec = json.loads(Path(spec_path).read_text())
    limits = Limits(wall_seconds=4, per_case_seconds=2, memory_mb=256)

    def job(name: str) -> Job:
        files, _notes = read_submission(spec["folders"][name])
        return Job(name, files, {"softmax": cases()}, limits=limits)

    controls = [n for n in spec["folders"] if n.startswith("control_")]
    chosen = [n for n in spec["folders"] if n not in spec["skipped"]]
    runs = {}
    with SandboxPool(workers=2) as pool:
        for label, names in (("alone", controls), ("mixed", chosen), ("again", controls)):
            runs[label] = {jid: run.to_dict() for jid, run in pool.run_many(map(job, names))}
    Path(spec["out"]).write_text(json.dumps(runs, allow_nan=True))


def processes_with(marks: tuple[str, ...]) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if any(m in cmd for m in marks) and int(pid) != os.getpid():
            found.append(f"{pid}: {cmd[:100]}")
    return found


def left_behind(marks: tuple[str, ...], *, within: float = 10.0) -> list[str]:
    """The marked processes still alive `within` seconds after the driver exited. The kernel
    takes a moment to end a sandbox: the driver kills the zygote's outer bwrap, and the inner
    one (in its own session and PID namespace) dies of --die-with-parent just after, so a look
    at the very instant the driver exits may still see it; a real survivor stays."""
    deadline = time.monotonic() + within
    while (found := processes_with(marks)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def full_level() -> bool:
    from grader.sandbox import sandbox_level

    return sandbox_level() == FULL_LEVEL


def unprotected_attacks() -> list[str]:
    """Attacks whose blocking layers are all missing here: running them would do real harm
    (kill(-1), a fork bomb, filling the disk), so they are left out and reported instead."""
    from grader.sandbox import sandbox_level

    layers = set(sandbox_level().split("+"))
    if os.environ.get("GRADER_HOSTILE_RUN_ALL") == "1":  # only on a throwaway machine or user
        return []
    return sorted(p.stem for p in CORPUS.glob("*.py")
                  if header(p.read_text(), "NEEDS")
                  and not layers & set(header(p.read_text(), "NEEDS").split("|")))


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    canary = Path(tempfile.mkdtemp(prefix="grader-canary-"))
    try:
        yield grade_corpus(canary, tmp_path_factory.mktemp("hostile"))
    finally:
        shutil.rmtree(canary, ignore_errors=True)


def grade_corpus(canary: Path, work: Path) -> dict[str, Any]:
    """Plant the canaries, run the driver, and collect what the checks need."""
    (canary / "students" / "bob").mkdir(parents=True)
    key = {repr(list(map(float, a[0]))): scipy_softmax(a[0]).tolist() for _, a, _ in cases()}
    (canary / "answer_key.json").write_text(json.dumps(key))
    shutil.copy(CORPUS / "control_correct.py", canary / "students" / "bob" / "solution.py")
    shutil.copy(CORPUS / "control_correct.py", canary / "grader_plugins.py")  # the instructor's
    # Course folders are usually readable by everyone: the uid layer alone does not hide them.
    for p in (canary, *canary.rglob("*")):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    listener = Listener()
    folders = build_submissions(canary, listener.port, work)
    import grader

    # Other files of the package may be edited while tests run; these are the ones attacked.
    package = Path(grader.__file__).parent
    guarded = {"canary": canary, "sandbox": package / "sandbox", "init": package}
    before = {k: tree_digest(p) for k, p in guarded.items()}
    secret = "canary-secret-" + os.urandom(8).hex()
    skipped = unprotected_attacks()
    spec = {"folders": {k: str(v) for k, v in folders.items()}, "out": str(work / "runs.json"),
            "skipped": skipped}
    (work / "spec.json").write_text(json.dumps(spec))
    env = dict(os.environ, GRADER_TEST_CANARY=secret, PYTHONPATH=str(ROOT))
    driver = subprocess.Popen([sys.executable, __file__, str(work / "spec.json")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = driver.communicate(timeout=240)
    listener.close()
    after = {k: tree_digest(p) for k, p in guarded.items()}
    return {"done": subprocess.CompletedProcess(driver.args, driver.returncode, out, err),
            "runs": json.loads((work / "runs.json").read_text()) if driver.returncode == 0
            else {}, "secret": secret, "heard": listener.heard,
            "changed": {k for k in guarded if before[k] != after[k]},
            "leftover": left_behind((*SURVIVOR_MARKS, f"{ZYGOTE_LABEL}{driver.pid}")),
            "texts": {p.stem: p.read_text() for p in CORPUS.glob("*.py") if p.stem not in skipped},
            "skipped": skipped}


def test_the_grader_exits_normally(corpus_run: dict[str, Any]) -> None:
    done = corpus_run["done"]
    assert done.returncode == 0, done.stderr.decode()[-3000:]


def test_every_attack_earns_only_its_honest_score(corpus_run: dict[str, Any]) -> None:
    mixed = corpus_run["runs"]["mixed"]
    attacks = [n for n in corpus_run["texts"] if not n.startswith("control_")]
    assert len(attacks) + len(corpus_run["skipped"]) >= 30
    for name in attacks:
        text, run = corpus_run["texts"][name], mixed[name]
        want = float(header(text, "SCORE") or 0)
        assert score(run["outcomes"]) == want, (name, run["outcomes"])
        expect = header(text, "EXPECT").split(",")
        allowed = set(expect) | {"not_run"}
        statuses = [o["status"] for o in run["outcomes"].values()]
        # The statuses are those at the full level: without seccomp, say, a fork succeeds
        # and the attack fails later and differently (still scoring only its honest numbers).
        if full_level():
            assert expect[0] in statuses, (name, statuses)  # the first listed is the point
        for cid, out in run["outcomes"].items():
            assert out["status"] in allowed or not full_level(), (name, cid, out)
            if out["status"] != "ok":
                assert out["message"] and KEYWORDS[out["status"]] in out["message"], (name, out)
                assert "Traceback" not in out["message"] and len(out["message"]) < 2500


def test_controls_score_their_attack_free_scores_in_this_run_and_the_next(
        corpus_run: dict[str, Any]) -> None:
    runs = corpus_run["runs"]
    correct = {"control_correct": 1.0, "control_wrong": 17 / 20}  # three logits overflow
    for name, want in correct.items():
        scores = [score(runs[label][name]["outcomes"]) for label in ("alone", "mixed", "again")]
        assert scores == [want] * 3, (name, scores)
    assert "computing softmax" in runs["mixed"]["control_correct"]["stdout"]


def test_nothing_outside_the_sandbox_changed(corpus_run: dict[str, Any]) -> None:
    assert corpus_run["changed"] == set()
    for path in ("/tmp/pwned-by-student.txt", "/tmp/pwned-by-shell", "/tmp/pwned-by-tty",
                 os.path.expanduser("~/pwned.txt")):
        assert not os.path.exists(path), path
    assert glob.glob("/tmp/pwned-by-tempfile-*") == []  # each run's temp files went with it


def test_no_process_is_left_behind(corpus_run: dict[str, Any]) -> None:
    assert corpus_run["leftover"] == []


def test_the_secret_appears_nowhere_and_the_listener_heard_nothing(
        corpus_run: dict[str, Any]) -> None:
    secret, runs = corpus_run["secret"], corpus_run["runs"]
    assert corpus_run["heard"] == []
    for run in runs["mixed"].values():
        assert secret not in json.dumps(run)
        for out in run["outcomes"].values():
            codes = out["value"] if isinstance(out["value"], list) else []
            text = "".join(chr(int(c)) for c in codes
                           if isinstance(c, (int, float)) and 0 <= c < 0x110000 and c == int(c))
            assert secret not in text


def test_every_run_reports_its_sandbox_level(corpus_run: dict[str, Any]) -> None:
    from grader.sandbox import sandbox_level, sandbox_notes

    levels = {run["level"] for run in corpus_run["runs"]["mixed"].values()}
    assert levels == {sandbox_level()}
    print("hostile corpus graded at sandbox level:", sandbox_level(), *sandbox_notes(),
          "skipped (no layer here blocks them):", corpus_run["skipped"] or "none", sep="\n  ")


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("bwrap")
                    or bool(os.environ.get("GRADER_SANDBOX_DISABLE")),
                    reason="the full level needs root and bubblewrap (as in CI), no layer disabled")
def test_as_root_with_bubblewrap_every_layer_is_in_force(corpus_run: dict[str, Any]) -> None:
    from grader.sandbox import sandbox_level

    seccomp = "+seccomp" if importlib.util.find_spec("pyseccomp") else ""  # the seccomp extra
    assert sandbox_level() == "fork+rlimits+uid+netns+pidns+mountns" + seccomp
    assert corpus_run["skipped"] == []


if __name__ == "__main__":
    drive(sys.argv[1])
