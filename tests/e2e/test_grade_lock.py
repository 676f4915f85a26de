"""One grader run at a time per results folder, across real processes; a dead holder never blocks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.app.demo import run_demo

HOLD = textwrap.dedent("""\
    import sys, time
    from pathlib import Path
    from grader.grading.runlock import results_lock
    with results_lock(Path(sys.argv[1]), command="grade"):
        print("locked", flush=True)
        time.sleep(120)
""")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("lock") / "c", grade=False)


def grader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def hold(out: Path) -> subprocess.Popen:
    """Another process holding the results folder's lock, as a grading run in progress does."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_run_is_refused_while_one_runs_and_a_dead_one_never_blocks(course, tmp_path):
    root = course.root
    out = tmp_path / "results"
    grade = ["grade", "assignment.yaml", "submissions", "--out", str(out), "--key",
             "problem-sets/key", "--jobs", "1"]
    holder = hold(out)
    try:
        refused = grader(*grade, cwd=root)
        assert refused.returncode == 2, refused.stderr
        assert f"is being graded by another grader run (pid {holder.pid}, started at " \
            in refused.stderr
        assert "wait for it to finish, or give this run another --out folder" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert not (out / "gradebook.sqlite").exists()  # nothing was touched
        report = grader("report", str(out), cwd=root)
        assert report.returncode == 2 and f"pid {holder.pid}" in report.stderr
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # dies holding the lock: the kernel releases it
        holder.wait()
    done = grader(*grade, cwd=root)
    assert done.returncode == 0, done.stderr
    assert (out / "gradebook.sqlite").exists() and (out / "s001.json").exists()
    assert (out / ".grader.lock").exists()  # kept for the next run; it holds no lock now
    again = grader(*grade, cwd=root)  # a finished run leaves nothing that blocks
    assert again.returncode == 0 and "unchanged" in again.stdout


def test_two_grading_runs_started_together_never_interleave(course, tmp_path):
    """Whichever run wins, the other is refused or runs after it: never both at once."""
    out = tmp_path / "results"
    grade = [sys.executable, "-m", "grader", "grade", "assignment.yaml", "submissions",
             "--out", str(out), "--key", "problem-sets/key", "--jobs", "1"]
    runs = [subprocess.Popen(grade, cwd=course.root, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in runs]  # read while waiting: no pipe stall
    outcomes = [(p.returncode, err) for p, (_, err) in zip(runs, outs)]
    codes = sorted(code for code, _ in outcomes)
    assert codes in ([0, 0], [0, 2]), outcomes
    if codes == [0, 2]:
        assert any("is being graded by another grader run" in err for _, err in outcomes)
    else:  # both ran: one after the other, so the later one found the earlier's results
        assert sum("graded 0, unchanged " in out for out, _ in outs) == 1, outs
