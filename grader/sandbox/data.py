"""The sandbox's data: limits going in, per-case outcomes and the run coming out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

CaseStatus = Literal["ok", "exception", "timeout", "memory", "crashed", "exited", "bad_output",
                     "truncated", "not_run"]
Case = tuple[str, list, dict]  # (case_id, positional args, keyword args), plain data


@dataclass(frozen=True)
class Limits:
    """What one submission may use. The wall clock covers the import and every call."""

    wall_seconds: float = 10.0
    memory_mb: int = 512
    cpu_seconds: int = 10
    file_size_mb: int = 8
    open_files: int = 64
    output_kb: int = 64  # each of stdout and stderr
    result_kb: int = 1024
    per_case_seconds: float | None = None  # also bounds the import; None: the wall clock only
    # Each function's own clock: all its cases together (the first also pays the import).
    # A hang in one function then cannot cost another its cases; wall_seconds still caps the
    # whole run. None: one clock (wall_seconds) shared by every case.
    function_seconds: float | None = None

    def __post_init__(self) -> None:
        for name in ("wall_seconds", "memory_mb", "cpu_seconds", "file_size_mb", "open_files",
                     "output_kb", "result_kb"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("per_case_seconds", "function_seconds"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"Limits.{name} must be > 0 or None, got {value!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CaseOutcome:
    """How one call ended: a status, the returned value as plain data, a student-facing message.

    `value` is set only when status is "ok": floats (inf/nan included), ints, bools and
    lists of those; tuples and arrays arrive as lists.
    """

    status: CaseStatus
    value: Any = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SandboxRun:
    """Everything one sandboxed run of a submission produced."""

    level: str  # the layers in force, e.g. "fork+rlimits+uid+netns+pidns+mountns+seccomp"
    outcomes: dict[str, CaseOutcome]
    stdout: str = ""  # capped, control characters stripped
    stderr: str = ""
    import_error: str | None = None
    wall_seconds: float = 0.0
    # function name -> how many of its cases were not run because its time budget ran out
    out_of_time: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Job:
    """One submission to run: its files and, per function name, the cases to call it on."""

    job_id: str
    files: Mapping[str, bytes]
    calls: Mapping[str, Sequence[Case]]
    limits: Limits = field(default_factory=Limits)
    isolate_cases: bool = False
    as_arrays: bool = True
