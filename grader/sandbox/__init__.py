"""Run student code against hostile submissions: isolated, limited, and fast.

Public API (see docs/sandbox.md):
  run_cases(files, function, cases, *, limits, isolate_cases, as_arrays) -> SandboxRun
  run_calls(files, calls, *, limits, isolate_cases, as_arrays) -> SandboxRun
  SandboxPool(workers=None).run(job) / .run_many(jobs);  run_many(jobs, workers=None)
  sandbox_level() -> str;  sandbox_notes() -> tuple[str, ...]
  level_sentence(level) -> str: the level, its consequence and the fix, for every report
  read_submission(folder) -> (files, notes)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from grader.sandbox.client import SandboxError
from grader.sandbox.data import Case, CaseOutcome, CaseStatus, Job, Limits, SandboxRun
from grader.sandbox.files import read_submission
from grader.sandbox.platform import level_gaps, level_sentence, sandbox_level, sandbox_notes
from grader.sandbox.pool import SandboxPool, run_many, shared_pool

DEFAULT_LIMITS = Limits()

__all__ = ["Case", "CaseOutcome", "CaseStatus", "Job", "Limits", "SandboxError", "SandboxPool",
           "SandboxRun", "level_gaps", "level_sentence", "read_submission", "run_calls",
           "run_cases", "run_many", "sandbox_level", "sandbox_notes"]


def run_cases(files: Mapping[str, bytes], function: str, cases: Sequence[Case], *,
              limits: Limits = DEFAULT_LIMITS, isolate_cases: bool = False,
              as_arrays: bool = True) -> SandboxRun:
    """Import solution.py from `files` in a sandbox and call `function` on every case."""
    return run_calls(files, {function: cases}, limits=limits, isolate_cases=isolate_cases,
                     as_arrays=as_arrays)


def run_calls(files: Mapping[str, bytes], calls: Mapping[str, Sequence[Case]], *,
              limits: Limits = DEFAULT_LIMITS, isolate_cases: bool = False,
              as_arrays: bool = True) -> SandboxRun:
    """Like run_cases, for several functions of one submission in one sandbox."""
    job = Job("run", files, calls, limits=limits, isolate_cases=isolate_cases,
              as_arrays=as_arrays)
    return shared_pool().run(job)
