"""--executor dask://: student code runs on a real Dask cluster (a LocalCluster on 127.0.0.1
with 2 worker processes, started here), and a worker killed mid-run changes nothing.

Skipped, with the reason, when the optional extra is not installed.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.app.fabricate import Course
from grader.app.grade import grade_assignment
from grader.cli import cli
from grader.grading.executor import job_from_dict, job_to_dict
from grader.sandbox import Job, Limits

distributed = pytest.importorskip(
    "distributed", reason="Dask is an optional extra: pip install '.[dask]' to run these tests")

SECRET_ENV = "GRADER_DASK_SECRET"
ASSIGNMENT = f"""\
id: dask1
title: Dask run
secret: {{env: {SECRET_ENV}}}
exercises: [info-kl-divergence, impl-softmax]
reveal: always
sandbox: {{time_limit: 6, memory_mb: 512}}
"""
SLOW = """\
import time
import numpy as np

time.sleep(0.4)  # long enough for a worker to die while it holds jobs

def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()
"""
WRONG = SLOW.replace("return e / e.sum()", "return e")
STUDENTS = [f"d{i:02d}" for i in range(12)]


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, "dask-secret-0123456789abcdef")
        mp.delenv("GITHUB_STEP_SUMMARY", raising=False)
        rows = "".join(f"{s},{s.upper()},{s}@example.org\n" for s in STUDENTS)
        k = Course.create(tmp_path_factory.mktemp("dask"), ASSIGNMENT,
                          "id,name,email\n" + rows)
        when = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
        for i, sid in enumerate(STUDENTS):
            answers = k.right(sid)
            if i % 3 == 2:
                answers["info-kl-divergence"]["kl_pq"] = 0.5
            k.archive(sid, answers, WRONG if i % 4 == 1 else SLOW, when)
        local = k.root / "local"
        grade_assignment(k.assignment, k.subs, local, key_dir=k.build, jobs=2)
        yield k, mp


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=50) as c:
        yield c


def _results(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))}


@pytest.mark.timeout(180)
def test_a_dask_run_gives_the_local_runs_results(course, cluster):
    k, _ = course
    url = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
    out = k.root / "on-dask"
    with pytest.MonkeyPatch.context() as mp:  # the level printed is the workers', not ours
        mp.setattr("grader.app.grade._sandbox_level", lambda: "this machine's level")
        summary = grade_assignment(k.assignment, k.subs, out, key_dir=k.build, executor=url)
    assert summary.graded == len(STUDENTS)
    assert summary.sandbox_level == summary.results[0].sandbox_level
    assert summary.sandbox_level.startswith("fork+rlimits")
    assert _results(out) == _results(k.root / "local")
    assert {r.score for r in summary.results} != {summary.results[0].score}  # not all equal


@pytest.mark.timeout(180)
def test_a_worker_killed_mid_run_has_its_work_rerun_elsewhere(course, cluster):
    k, _ = course
    url = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
    with distributed.Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)
        victim = sorted(pids.values())[0]
        killed: list[int] = []

        def progress(done: int, total: int, _line: str) -> None:
            if done == 2 and not killed:
                os.kill(victim, signal.SIGKILL)
                killed.append(done)

        out = k.root / "killed"
        summary = grade_assignment(k.assignment, k.subs, out, key_dir=k.build, executor=url,
                                   progress=progress)
        assert killed == [2], "the worker was not killed during the run"
        assert summary.graded == len(STUDENTS)
        assert _results(out) == _results(k.root / "local")
        client.wait_for_workers(2, timeout=60)  # the nanny restarted it: a new process
        assert victim not in client.run(os.getpid).values()


def test_jobs_cross_the_network_as_plain_data_only():
    job = Job("3:s1", {"solution.py": b"def f(x):\n    return x\n"},
              {"f": [("c1", [[1.0, 2.0]], {}), ("c2", [float("inf")], {"k": True})]},
              limits=Limits(wall_seconds=2.0))
    data = job_to_dict(job)

    def plain(x: object) -> bool:
        if isinstance(x, dict):
            return all(isinstance(k, str) and plain(v) for k, v in x.items())
        if isinstance(x, list):
            return all(plain(v) for v in x)
        return x is None or isinstance(x, (str, bytes, int, float, bool))

    assert plain(data)
    assert job_from_dict(data) == job


def test_an_executor_that_is_not_one_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(cli, ["grade", "a.yaml", str(tmp_path), "--out", str(tmp_path / "o"),
                                   "--executor", "spark://x"])
    assert res.exit_code == 2 and "dask://HOST:PORT" in res.output


@pytest.mark.timeout(60)
def test_a_job_the_cluster_cannot_run_stops_the_run_with_a_message(cluster):
    from grader.core.errors import UserError
    from grader.grading.executor import DaskExecutor

    with DaskExecutor(cluster.scheduler_address) as ex:
        failed = ex.client.submit(lambda: 1 / 0, pure=False)
        with pytest.raises(UserError, match=r"could not run a sandbox job \(ZeroDivisionError"):
            DaskExecutor._outcome(failed)
