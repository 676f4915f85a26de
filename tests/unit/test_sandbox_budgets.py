"""Each function's own time budget (Limits.function_seconds), on the real sandbox: a hang or a
slow function loses only its own remaining cases, never another function's."""

from __future__ import annotations

from grader.sandbox import Limits, run_calls

HANGS = "def f(x):\n    while True:\n        pass\n"
SLOW = "import time\ndef f(x):\n    time.sleep(0.3)\n    return x\n"
FINE = "def g(x):\n    return x * 2\n"


def calls(first: str, n_first: int, n_g: int = 3) -> dict:
    return {first: [(f"{first}{i}", [i], {}) for i in range(n_first)],
            "g": [(f"g{i}", [i], {}) for i in range(n_g)]}


def statuses(run, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [o.status for k, o in run.outcomes.items() if k.startswith(prefix)]


def test_a_hanging_function_loses_only_its_own_cases() -> None:
    lim = Limits(wall_seconds=60, per_case_seconds=0.3, function_seconds=0.8)
    run = run_calls({"solution.py": (HANGS + FINE).encode()}, calls("f", 6), limits=lim)
    assert [o.value for k, o in run.outcomes.items() if k.startswith("g")] == [0, 2, 4]
    f = statuses(run, "f")
    assert set(f) == {"timeout", "not_run"} and f.index("not_run") > 0
    assert f[f.index("not_run"):] == ["not_run"] * (len(f) - f.index("not_run"))
    assert run.out_of_time == {"f": f.count("not_run")}
    assert run.outcomes["f5"].message == (
        "not run because f() used up its time budget of 0.8 s on earlier cases that timed out "
        "or were slow; each function has its own budget, so your other functions were not "
        "affected")


def test_the_old_shared_clock_would_have_cost_the_other_function_its_cases() -> None:
    # The contrast the budgets fix: one clock for the whole run, and g never runs.
    lim = Limits(wall_seconds=0.8, per_case_seconds=0.3)
    run = run_calls({"solution.py": (HANGS + FINE).encode()}, calls("f", 6), limits=lim)
    assert statuses(run, "g") == ["not_run"] * 3 and run.out_of_time == {}


def test_a_slow_function_is_stopped_at_its_budget_even_when_no_case_times_out() -> None:
    # Each call (0.3 s) is well inside the per-case limit; eight of them are not inside 1 s.
    lim = Limits(wall_seconds=60, per_case_seconds=5, function_seconds=1.0)
    src = SLOW.replace("def f", "def s") + FINE
    run = run_calls({"solution.py": src.encode()}, calls("s", 8), limits=lim)
    s = statuses(run, "s")
    cut = s.index("timeout")
    assert s[:cut] == ["ok"] * cut and s[cut + 1:] == ["not_run"] * (len(s) - cut - 1)
    assert run.outcomes[f"s{cut}"].message == "s()'s time budget of 1 s ran out during this case"
    assert statuses(run, "g") == ["ok"] * 3
    assert run.out_of_time == {"s": len(s) - cut - 1}


def test_a_function_after_the_hang_and_one_before_both_keep_their_cases() -> None:
    lim = Limits(wall_seconds=60, per_case_seconds=0.3, function_seconds=0.6)
    src = FINE + HANGS + FINE.replace("def g", "def h")
    job = {"g": [("g0", [1], {})], "f": [(f"f{i}", [i], {}) for i in range(5)],
           "h": [("h0", [3], {})]}
    run = run_calls({"solution.py": src.encode()}, job, limits=lim)
    assert (run.outcomes["g0"].value, run.outcomes["h0"].value) == (2, 6)


def test_forged_result_lines_cannot_buy_more_than_the_budgets_together() -> None:
    # ATTACK: newlines written onto every descriptor, to move the zygote's count of finished
    # cases past f's budget and so run f's hang on g's clock, then on nobody's.
    forge = ("import os\ndef f(x):\n    for fd in range(3, 64):\n        try:\n"
             "            os.write(fd, b'\\n' * 50)\n        except OSError:\n            pass\n"
             "    while True:\n        pass\n")
    lim = Limits(wall_seconds=60, per_case_seconds=5, function_seconds=0.5)
    run = run_calls({"solution.py": (forge + HANGS.replace("def f", "def g")).encode()},
                    calls("f", 3, 3), limits=lim)
    assert {o.status for o in run.outcomes.values()} <= {"timeout", "not_run", "bad_output"}
    assert run.wall_seconds < 2 * 0.5 + 5  # both budgets, plus a fresh child's start, at most
