"""run_cases / run_calls end to end on the real sandbox: statuses, messages, limits, restarts."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from grader.sandbox import (
    Job,
    Limits,
    SandboxPool,
    read_submission,
    run_calls,
    run_cases,
    sandbox_level,
)

FAST = Limits(wall_seconds=2, memory_mb=256)


def run(src: str, cases: list | None = None, **kw):  # type: ignore[no-untyped-def]
    cases = cases if cases is not None else [("c1", [[1.0, 2.0]], {})]
    return run_cases({"solution.py": src.encode()}, "f", cases, limits=kw.pop("limits", FAST), **kw)


def test_values_come_back_as_plain_data_with_inputs_as_arrays() -> None:
    src = ("import numpy as np\n"
           "def f(z, scale=1):\n"
           "    assert isinstance(z, np.ndarray) and z.dtype == float\n"
           "    return (np.float32(1.5) * scale, np.int64(3), True, z * 2, [math.inf], math.nan)\n"
           "import math\n")
    got = run(src, [("c1", [[1, 2]], {"scale": 2})])
    out = got.outcomes["c1"]
    assert out.status == "ok", out.message
    assert out.value[:4] == [3.0, 3, True, [2.0, 4.0]] and out.value[4] == [math.inf]
    assert math.isnan(out.value[5])
    assert got.level == sandbox_level() and got.import_error is None


def test_inf_and_nan_inputs_arrive_as_floats_and_lists_stay_lists_when_asked() -> None:
    src = "def f(x):\n    return [type(x).__name__ == 'list', x[0] == float('inf'), x[1] != x[1]]\n"
    got = run(src, [("c1", [["inf", "nan"]], {})], as_arrays=False)
    assert got.outcomes["c1"].value == [True, True, True]


def test_an_exception_names_the_students_own_line() -> None:
    src = ("import numpy as np\n\n\ndef f(z):\n"
           "    y = z.sum()\n    return y / 0 if False else 1 // 0\n")
    out = run(src).outcomes["c1"]
    assert out.status == "exception"
    assert out.message == ("ZeroDivisionError: integer division or modulo by zero "
                           "(solution.py, line 6, in f)")


def test_import_failure_fails_every_case_and_is_reported_once() -> None:
    got = run("def f(z):\n    return 1\nraise ImportError('no module named torch')\n",
              [("a", [1], {}), ("b", [2], {})])
    assert got.import_error == ("importing solution.py failed: ImportError: no module named "
                                "torch (solution.py, line 3, in <module>)")
    assert {o.status for o in got.outcomes.values()} == {"exception"}


def test_missing_function_and_missing_file_are_clear() -> None:
    assert run("def g(z):\n    return 1\n").outcomes["c1"].message == (
        "solution.py does not define a function f()")
    got = run_cases({"helper.py": b"x = 1\n"}, "f", [("c1", [1], {})], limits=FAST)
    assert "no solution.py in the submission" in (got.import_error or "")


@pytest.mark.parametrize("src, status, message", [
    ("def f(z):\n    return 'abc'\n", "bad_output", "returned a str, expected numbers"),
    ("def f(z):\n    pass\n", "bad_output", "returned None, expected numbers"),
    ("def f(z):\n    return {'a': 1}\n", "bad_output", "returned a dict, expected numbers"),
    ("import os\ndef f(z):\n    os._exit(3)\n", "exited",
     "the process exited early (status 3) before returning"),
    ("import sys\ndef f(z):\n    sys.exit()\n", "exited",
     "the process exited early (status 0) before returning"),
    ("import os, signal\ndef f(z):\n    os.kill(os.getpid(), signal.SIGSEGV)\n", "crashed",
     "crashed with signal SIGSEGV"),
    ("def f(z):\n    return bytearray(1 << 30)\n", "memory", "memory limit of 256 MB exceeded"),
    ("def f(z):\n    while True:\n        print('spam' * 100)\n", "truncated",
     "printed more than 64 KB"),
])
def test_each_failure_is_a_status_with_a_clear_message(src: str, status: str, message: str) -> None:
    out = run(src).outcomes["c1"]
    assert out.status == status and message in out.message, out


def test_the_wall_clock_covers_everything_and_later_cases_are_not_run() -> None:
    got = run("def f(z):\n    while True:\n        pass\n", [("a", [1], {}), ("b", [2], {})],
              limits=Limits(wall_seconds=0.5))
    assert got.outcomes["a"].message == "time limit of 0.5 s exceeded"
    assert got.outcomes["b"].status == "not_run"


def test_a_case_that_kills_its_process_does_not_take_the_others_with_it() -> None:
    src = "import os\ndef f(x):\n    if x == 2:\n        os._exit(0)\n    return x * 10\n"
    got = run(src, [(str(i), [i], {}) for i in range(1, 5)])
    assert [o.status for o in got.outcomes.values()] == ["ok", "exited", "ok", "ok"]
    assert got.outcomes["4"].value == 40


def test_per_case_limit_lets_later_cases_run() -> None:
    src = "def f(x):\n    while x == 1:\n        pass\n    return x\n"
    got = run(src, [("a", [1], {}), ("b", [2], {})],
              limits=Limits(wall_seconds=5, per_case_seconds=0.3))
    assert got.outcomes["a"].message == "time limit of 0.3 s per case exceeded"
    assert got.outcomes["b"].value == 2


def test_state_is_shared_between_cases_unless_isolated() -> None:
    src = "calls = []\ndef f(x):\n    calls.append(x)\n    return len(calls)\n"
    cases = [("a", [0], {}), ("b", [0], {})]
    assert [o.value for o in run(src, cases).outcomes.values()] == [1, 2]
    assert [o.value for o in run(src, cases, isolate_cases=True).outcomes.values()] == [1, 1]


def test_several_functions_run_in_one_sandbox() -> None:
    src = "def f(x):\n    return x + 1\ndef g(x):\n    return x * 2\n"
    got = run_calls({"solution.py": src.encode()}, {"f": [("f1", [1], {})], "g": [("g1", [5], {})]},
                    limits=FAST)
    assert {k: o.value for k, o in got.outcomes.items()} == {"f1": 2, "g1": 10}


def test_output_is_captured_and_cleaned() -> None:
    src = ("import sys\ndef f(z):\n    print('\\x1b[31mhello\\x1b[0m')\n"
           "    print('err', file=sys.stderr)\n    return 1\n")
    got = run(src)
    assert got.stdout == "hello\n" and got.stderr == "err\n"


def test_the_student_sees_only_its_own_files_and_no_secrets(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_UNIT_SECRET", "s3cret")
    src = ("import os\ndef f(z):\n"
           "    return [len(os.listdir('.')), 'GRADER_UNIT_SECRET' in os.environ,"
           " os.path.exists('data.txt')]\n")
    got = run_cases({"solution.py": src.encode(), "data.txt": b"1 2 3"}, "f", [("c", [1], {})],
                    limits=FAST)
    assert got.outcomes["c"].value == [2, False, True]


def test_bad_arguments_are_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match="file name '../x.py' must be a plain name"):
        run_cases({"../x.py": b""}, "f", [], limits=FAST)
    with pytest.raises(ValueError, match="case ids must be unique"):
        run("def f(x):\n    return x\n", [("a", [1], {}), ("a", [2], {})])
    with pytest.raises(ValueError, match="Limits.memory_mb must be > 0"):
        Limits(memory_mb=0)


def test_an_oversize_file_is_not_run() -> None:
    got = run_cases({"solution.py": b"#" * (2 << 20)}, "f", [("c", [1], {})],
                    limits=Limits(file_size_mb=1))
    assert got.outcomes["c"].status == "not_run"
    assert got.import_error == "solution.py is larger than the 1 MB limit for a file"


def test_read_submission_refuses_symlinks_and_odd_files(tmp_path: Path) -> None:
    (tmp_path / "solution.py").write_text("x = 1\n")
    (tmp_path / "key.json").symlink_to("/etc/passwd")
    (tmp_path / "sub").mkdir()
    (tmp_path / "big.bin").write_bytes(b"0" * 2048)
    files, notes = read_submission(tmp_path, max_bytes=1024)
    assert files == {"solution.py": b"x = 1\n"}
    assert notes == ["big.bin: larger than 0 MB; ignored",
                     "key.json: a symbolic link; only regular files are accepted, "
                     "so it was ignored",
                     "sub: not a regular file; ignored"]


def test_a_pool_grades_many_jobs_in_parallel_and_cleans_up() -> None:
    jobs = [Job(f"s{i}", {"solution.py": f"def f(x):\n    return x + {i}\n".encode()},
                {"f": [("c", [1], {})]}, limits=FAST) for i in range(6)]
    with SandboxPool(workers=2) as pool:
        got = dict(pool.run_many(iter(jobs)))
        pids = [z.proc.pid for z in pool._all if z.proc]
    assert {k: r.outcomes["c"].value for k, r in got.items()} == {f"s{i}": 1 + i for i in range(6)}
    assert pids and not any(os.path.exists(f"/proc/{p}") for p in pids)
