"""Where sandbox jobs run: this machine's pool (the default) or a Dask distributed cluster.

An executor takes sandbox jobs and yields (job_id, SandboxRun) as each finishes; grading
judges each run in this process, as before. `--executor dask://HOST:PORT` sends the jobs to a
Dask scheduler (`pip install 'dlmath-grader[dask]'`). What crosses the network is plain data
both ways: a job (the submission's files, the function names and case inputs, the limits;
never an expected answer, a key or the course secret) and its outcomes. Each Dask worker runs
grader's own sandbox pool (its warm zygotes), so a worker must be able to start processes and
have grader installed. A worker that dies mid-run loses only its running jobs, which the Dask
scheduler gives to another worker; a job's outcome does not depend on where it ran.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol

from grader.core.errors import UserError
from grader.sandbox import Job, Limits, SandboxPool, SandboxRun
from grader.sandbox.data import CaseOutcome

LOCAL = "local"
DASK_SCHEME = "dask://"
CONNECT_SECONDS = 20


class Executor(Protocol):
    """Runs sandbox jobs; yields (job_id, run) as each finishes. A context manager."""

    def run_many(self, jobs: Iterable[Job]) -> Iterator[tuple[str, SandboxRun]]: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


def check_executor(spec: str | None) -> str | None:
    """The executor spec as given, if well formed: None or 'local' or 'dask://HOST:PORT'."""
    if spec is None or spec == LOCAL:
        return spec
    if spec.startswith(DASK_SCHEME) and _host_and_port(spec[len(DASK_SCHEME):]):
        return spec
    raise UserError(f"--executor {spec!r}: expected 'local' or 'dask://HOST:PORT' (a Dask "
                    "scheduler, e.g. dask://127.0.0.1:8786; PORT from 1 to 65535)")


def _host_and_port(address: str) -> bool:
    """Whether `address` is HOST:PORT with a host and a port a socket can have."""
    host, _, port = address.rpartition(":")
    return bool(host.strip("[]")) and port.isascii() and port.isdigit() \
        and 1 <= int(port) <= 65535


def open_executor(spec: str | None, *, workers: int) -> AbstractContextManager[Any]:
    """The executor a spec names; the local pool of `workers` zygotes when it names none."""
    if check_executor(spec) in (None, LOCAL):
        return SandboxPool(workers=workers)
    assert spec is not None
    return DaskExecutor("tcp://" + spec[len(DASK_SCHEME):])


class DaskExecutor:
    """Sandbox jobs on a Dask distributed cluster, a bounded window of them in flight."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UserError("--executor dask://... needs Dask: pip install "
                            "'dlmath-grader[dask]' (or 'dask[distributed]')") from None
        try:
            self.client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except OSError as exc:
            raise UserError(f"--executor: cannot reach the Dask scheduler at {address} "
                            f"({exc}); start one (`dask scheduler`) or check the address") \
                from None
        self.window = max(8, 4 * sum(self.client.nthreads().values()))

    def run_many(self, jobs: Iterable[Job]) -> Iterator[tuple[str, SandboxRun]]:
        from distributed import as_completed

        pending = iter(jobs)
        running = as_completed(loop=self.client.loop)
        for job in pending:
            running.add(self._submit(job))
            if running.count() >= self.window:
                break
        for future in running:
            job_id, data = self._outcome(future)
            yield job_id, run_from_dict(data)
            following = next(pending, None)
            if following is not None:
                running.add(self._submit(following))

    @staticmethod
    def _outcome(future: Any) -> tuple[str, dict[str, Any]]:
        """A job's outcome; a job the cluster could not run stops the run (exit 2).

        Not a graded "crashed": a broken cluster is no student's fault, and a recorded result
        would not be regraded. Students recorded so far are kept; a rerun grades the rest.
        """
        try:
            return tuple(future.result())  # type: ignore[return-value]
        except Exception as exc:  # KilledWorker, a lost scheduler, a worker without grader
            raise UserError(f"--executor: the Dask cluster could not run a sandbox job "
                            f"({type(exc).__name__}: {exc}). The students graded so far are "
                            "recorded; check the workers (grader installed, same version, "
                            "alive) and run again to grade the rest.") from None

    def _submit(self, job: Job) -> Any:
        # pure=False: two students handing in the same bytes still get a run each
        return self.client.submit(run_on_worker, job_to_dict(job), pure=False)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------- on the worker

_pool: SandboxPool | None = None
_pool_lock = threading.Lock()


def run_on_worker(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Run one job (as plain data) in this worker's own sandbox pool; the outcome as data."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = SandboxPool(workers=_worker_threads())
    job = job_from_dict(data)
    return job.job_id, _pool.run(job).to_dict()


def _worker_threads() -> int:
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


# ---------------------------------------------------------------- plain data both ways


def job_to_dict(job: Job) -> dict[str, Any]:
    return {"job_id": job.job_id, "files": {k: bytes(v) for k, v in job.files.items()},
            "calls": {k: [list(c) for c in v] for k, v in job.calls.items()},
            "limits": job.limits.to_dict(), "isolate_cases": job.isolate_cases,
            "as_arrays": job.as_arrays}


def job_from_dict(d: dict[str, Any]) -> Job:
    return Job(d["job_id"], dict(d["files"]),
               {k: [tuple(c) for c in v] for k, v in d["calls"].items()},
               limits=Limits(**d["limits"]), isolate_cases=d["isolate_cases"],
               as_arrays=d["as_arrays"])


def run_from_dict(d: dict[str, Any]) -> SandboxRun:
    return SandboxRun(**{**d, "outcomes": {k: CaseOutcome(**o)
                                           for k, o in d["outcomes"].items()}})
