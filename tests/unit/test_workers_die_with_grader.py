"""A forked grading worker dies with the grading process, even when that is SIGKILLed.

A worker that outlived it would keep the results folder's lock (and the gradebook) it
inherited, so the rerun that resumes a killed run would be refused as "being graded by another
grader run". Without `die_with_parent`, such a worker blocks on its task queue for ever.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

PROGRAM = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from grader.grading.parallel import die_with_parent
context = multiprocessing.get_context("fork")
guarded = sys.argv[1] == "guarded"
pool = ProcessPoolExecutor(1, mp_context=context,
                           initializer=die_with_parent if guarded else None,
                           initargs=(os.getpid(),) if guarded else ())
print(pool.submit(os.getpid).result(), flush=True)
time.sleep(120)
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def worker_after_kill(mode: str) -> bool:
    """Start a grader-like process with one forked worker, SIGKILL it: is the worker alive
    two seconds later?"""
    proc = subprocess.Popen([sys.executable, "-c", PROGRAM, mode], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    worker = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 2
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    lingers = alive(worker)
    if lingers:
        os.kill(worker, signal.SIGKILL)
    return lingers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_dies_with_a_killed_grader() -> None:
    assert not worker_after_kill("guarded")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_without_the_guard_a_worker_outlives_it() -> None:
    """The control: what the guard prevents does happen without it."""
    assert worker_after_kill("bare")
