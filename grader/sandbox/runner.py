"""Run one job on a zygote: send the cases, turn each ending into per-case outcomes.

A child runs every remaining case; when it dies mid-case (crash, early exit, per-case time
limit, output cap) that case gets the matching outcome and a fresh child takes the rest,
all under one wall-clock deadline that covers every import and every call. With
`Limits.function_seconds`, each function also has its own clock, kept by the zygote across
children: a function that uses up its budget loses only its own remaining cases.
"""

from __future__ import annotations

import base64
import re
import signal
import time
from collections.abc import Mapping
from typing import Any

from grader.sandbox.channel import Parsed, clean_text, parse_results
from grader.sandbox.client import Zygote
from grader.sandbox.data import CaseOutcome, Job, Limits, SandboxRun

Call = tuple[str, str, list, dict]  # (case_id, function, args, kwargs)
NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
SETUP_FAILED = 97
INTERNAL = ("the sandbox failed (an internal error of the grader, not your code); "
            "please report it")


def run_job(zygote: Zygote, job: Job) -> SandboxRun:
    """Run every case of a job on this zygote; never raises for anything the student did."""
    lim = job.limits
    calls = _flatten(job.calls)
    start = time.monotonic()
    run = _Run(lim)
    files, problem = _encode_files(job.files, lim)
    if problem:
        run.fail_all(calls, "not_run", problem, import_error=True)
    pending = [] if problem else calls
    budgets = _Budgets(lim, calls)
    while pending:
        pending = budgets.drop_spent(pending, run)
        left = lim.wall_seconds - (time.monotonic() - start)
        if pending and left <= 0:
            run.fail_all(pending, "not_run", f"not run: the time limit of "
                         f"{_num(lim.wall_seconds)} s was used up by earlier cases")
            break
        if not pending:
            break
        batch = pending[:1] if job.isolate_cases else pending
        groups = budgets.groups(batch)
        left = min(left, sum(g[1] for g in groups)) if groups else left
        req = {"files": files, "calls": batch, "limits": lim.to_dict(), "deadline": left,
               "per_case_seconds": lim.per_case_seconds, "as_arrays": job.as_arrays,
               "groups": groups}
        reply = zygote.call(req, timeout=left)
        if reply is None or "error" in reply:
            run.stderr.append((reply or {}).get("error", "the sandbox stopped responding"))
            run.fail_all(pending, "crashed", INTERNAL)
            break
        budgets.charge(batch, reply)
        rest = run.settle(batch, reply) + pending[len(batch):]
        if run.import_error is not None:  # every later child would fail the same way
            first = run.outcomes[batch[0][0]]
            run.fail_all(rest, first.status, first.message)
            break
        pending = rest
    return SandboxRun(level=zygote.level, outcomes={c[0]: run.outcomes[c[0]] for c in calls},
                      stdout=run.text(run.stdout), stderr=run.text(run.stderr),
                      import_error=run.import_error, wall_seconds=time.monotonic() - start,
                      out_of_time=dict(budgets.lost))


def _flatten(calls: Mapping[str, Any]) -> list[Call]:
    out: list[Call] = []
    for fname, cases in calls.items():
        if not fname.isidentifier():
            raise ValueError(f"sandbox: function name {fname!r} is not a Python identifier")
        out += [(str(cid), fname, list(args), dict(kwargs)) for cid, args, kwargs in cases]
    ids = [c[0] for c in out]
    if len(set(ids)) != len(ids):
        raise ValueError("sandbox: case ids must be unique across all functions of a job")
    return out


def _encode_files(files: Mapping[str, bytes], lim: Limits) -> tuple[dict[str, str], str]:
    out = {}
    for name, data in files.items():
        if not NAME.fullmatch(name) or name in (".", ".."):
            raise ValueError(f"sandbox: file name {name!r} must be a plain name "
                             "(letters, digits, '_', '.', '-'; no directories)")
        if len(data) > lim.file_size_mb << 20:
            return {}, f"{name} is larger than the {lim.file_size_mb} MB limit for a file"
        out[name] = base64.b64encode(bytes(data)).decode()
    return out, ""


def _num(x: float) -> str:
    return f"{x:g}"


BUDGET_USED = "used up its time budget"


def budget_message(fname: str, seconds: float) -> str:
    """Why a case was not run: its function's own time budget was used up."""
    return (f"not run because {fname}() {BUDGET_USED} of {_num(seconds)} s on earlier "
            "cases that timed out or were slow; each function has its own budget, so your "
            "other functions were not affected")


class _Budgets:
    """Each function's time left (Limits.function_seconds), charged with what the zygote saw."""

    SPENT = 0.02  # less than this left: used up (a child would only be started to be killed)

    def __init__(self, lim: Limits, calls: list[Call]) -> None:
        self.seconds = lim.function_seconds
        self.left = {c[1]: self.seconds for c in calls} if self.seconds else {}
        self.lost: dict[str, int] = {}

    def groups(self, batch: list[Call]) -> list[list[Any]]:
        """[cases, seconds left] for each run of consecutive calls of one function."""
        out: list[list[Any]] = []
        if not self.left:
            return out
        for i, c in enumerate(batch):
            if i and batch[i - 1][1] == c[1]:
                out[-1][0] += 1
            else:
                out.append([1, self.left[c[1]]])
        return out

    def charge(self, batch: list[Call], reply: dict[str, Any]) -> None:
        names = [c[1] for i, c in enumerate(batch) if not i or batch[i - 1][1] != c[1]]
        spent = reply.get("spent") or []
        for name, seconds in zip(names, spent):
            self.left[name] = self.left[name] - float(seconds)
        if reply.get("reason") == "budget" and len(spent) <= len(names):
            running = [n for n, sec in zip(names, spent) if sec > 0]
            if running:
                self.left[running[-1]] = 0.0

    def drop_spent(self, pending: list[Call], run: _Run) -> list[Call]:
        """Mark the cases of functions out of time as not run; return the others."""
        if not self.left:
            return pending
        keep = []
        for c in pending:
            if self.left[c[1]] >= self.SPENT:
                keep.append(c)
                continue
            assert self.seconds is not None
            run.fail_all([c], "not_run", budget_message(c[1], self.seconds))
            self.lost[c[1]] = self.lost.get(c[1], 0) + 1
        return keep


class _Run:
    """Outcomes and output gathered over the children of one job."""

    def __init__(self, lim: Limits) -> None:
        self.lim = lim
        self.outcomes: dict[str, CaseOutcome] = {}
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.import_error: str | None = None

    def text(self, parts: list[str]) -> str:
        return clean_text("".join(parts), limit=self.lim.output_kb << 10)

    def fail_all(self, calls: list[Call], status: Any, message: str, *,
                 import_error: bool = False) -> None:
        for c in calls:
            self.outcomes[c[0]] = CaseOutcome(status, None, message)
        if import_error:
            self.import_error = message

    def settle(self, batch: list[Call], reply: dict[str, Any]) -> list[Call]:
        """Record this child's outcomes; return the cases a fresh child should still run."""
        self.stdout.append(clean_text(base64.b64decode(reply["stdout"])))
        self.stderr.append(clean_text(base64.b64decode(reply["stderr"])))
        parsed = parse_results(base64.b64decode(reply["result"]), {c[0] for c in batch})
        if "imported" not in parsed.events:
            self._import_failed(batch, parsed, reply)
            return []
        for i, c in enumerate(batch):
            got = parsed.cases.get(c[0])
            if c[0] in parsed.duplicates:
                got = ("bad_output", None, "the result channel reported this case twice")
            if got is not None:
                self.outcomes[c[0]] = self._outcome(*got)
            elif "done" in parsed.events:
                self.outcomes[c[0]] = CaseOutcome("bad_output", None, "no result came back")
            else:
                status, message = self._ending(reply, c[1])
                self.outcomes[c[0]] = CaseOutcome(status, None, message)  # type: ignore[arg-type]
                return batch[i + 1:]
        return []

    def _outcome(self, status: str, value: Any, message: str) -> CaseOutcome:
        if status == "memory":
            message = f"memory limit of {self.lim.memory_mb} MB exceeded ({message})"
        return CaseOutcome(status, value, message)  # type: ignore[arg-type]

    def _import_failed(self, batch: list[Call], parsed: Parsed, reply: dict[str, Any]) -> None:
        if "ready" not in parsed.events and reply.get("exit") == SETUP_FAILED:
            self.stderr.append(INTERNAL)
            status, message = "crashed", INTERNAL
        elif parsed.import_error is not None:
            status, message = parsed.import_error
            message = self._outcome(status, None, message).message
        else:
            status, message = self._ending(reply)
        self.fail_all(batch, status, f"importing solution.py failed: {message}",
                      import_error=True)

    def _ending(self, reply: dict[str, Any], fname: str = "") -> tuple[str, str]:
        """The status and message for a child that ended before answering a case."""
        lim, reason, sig = self.lim, reply.get("reason"), reply.get("signal")
        if reason == "deadline":
            return "timeout", f"time limit of {_num(lim.wall_seconds)} s exceeded"
        if reason == "budget":
            budget = _num(lim.function_seconds or 0)
            if not fname:
                return "timeout", f"time limit of {budget} s exceeded"
            return "timeout", f"{fname}()'s time budget of {budget} s ran out during this case"
        if reason == "case_deadline":
            return "timeout", f"time limit of {_num(lim.per_case_seconds or 0)} s per case exceeded"
        if reason == "output":
            return "truncated", (f"printed more than {lim.output_kb} KB; output is capped, "
                                 "so the run was stopped")
        if reason == "result":
            return "truncated", f"sent back more than {lim.result_kb} KB of results"
        if sig == signal.SIGXCPU:
            return "timeout", f"CPU time limit of {lim.cpu_seconds} s exceeded"
        if sig:
            return "crashed", f"crashed with signal {_signame(sig)}"
        return "exited", f"the process exited early (status {reply.get('exit')}) before returning"


def _signame(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return str(sig)
