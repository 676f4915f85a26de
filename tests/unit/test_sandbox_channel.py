"""The trusted parser of the result channel: it must reject whatever an honest child never sends."""

from __future__ import annotations

import math

from grader.sandbox.channel import clean_text, parse_results

IDS = {"a", "b"}


def lines(*texts: str) -> bytes:
    return "".join(t + "\n" for t in texts).encode()


def test_honest_lines_give_events_and_values_with_inf_and_nan_restored() -> None:
    got = parse_results(lines('{"event": "ready"}', '{"event": "imported"}',
                              '{"case": "a", "status": "ok", "value": [1.5, "inf", "-inf", "nan"]}',
                              '{"case": "b", "status": "exception", '
                              '"message": "ZeroDivisionError"}',
                              '{"event": "done"}'), IDS)
    assert got.events == ["ready", "imported", "done"]
    status, value, _ = got.cases["a"]
    assert status == "ok" and value[:3] == [1.5, math.inf, -math.inf] and math.isnan(value[3])
    assert got.cases["b"] == ("exception", None, "ZeroDivisionError")
    assert got.forged == 0


def test_nan_and_infinity_constants_are_rejected() -> None:
    got = parse_results(lines('{"case": "a", "status": "ok", "value": NaN}',
                              '{"case": "b", "status": "ok", "value": [Infinity]}'), IDS)
    assert got.cases == {} and got.forged == 2


def test_duplicate_keys_unknown_ids_and_unknown_statuses_are_rejected() -> None:
    got = parse_results(lines('{"case": "a", "status": "ok", "status": "ok", "value": 1}',
                              '{"case": "zzz", "status": "ok", "value": 1}',
                              '{"case": "b", "status": "correct", "value": 1}',
                              '{"score": 100}', '[1, 2]', 'not json'), IDS)
    assert got.cases == {} and got.forged == 6


def test_a_case_reported_twice_is_flagged() -> None:
    got = parse_results(lines('{"case": "a", "status": "ok", "value": 1}',
                              '{"case": "a", "status": "ok", "value": 2}'), IDS)
    assert got.duplicates == {"a"} and got.cases["a"][1] == 1


def test_deep_nesting_is_rejected_without_recursion_errors() -> None:
    deep = "[" * 100000 + "]" * 100000
    shallow_but_too_deep = "[" * 50 + "]" * 50
    got = parse_results(lines(f'{{"case": "a", "status": "ok", "value": {deep}}}',
                              f'{{"case": "b", "status": "ok", "value": {shallow_but_too_deep}}}'),
                        IDS)
    assert got.cases == {} and got.forged == 2


def test_values_that_are_not_numbers_become_bad_output() -> None:
    got = parse_results(lines('{"case": "a", "status": "ok", "value": {"x": 1}}',
                              '{"case": "b", "status": "ok", "value": ["hello"]}'), IDS)
    assert got.cases["a"][0] == "bad_output" and got.cases["b"][0] == "bad_output"


def test_a_line_cut_off_by_a_kill_is_ignored() -> None:
    got = parse_results(b'{"event": "ready"}\n{"case": "a", "status": "ok", "val', IDS)
    assert got.events == ["ready"] and got.cases == {} and got.forged == 0


def test_clean_text_strips_escapes_controls_and_bidi_but_keeps_lines() -> None:
    raw = "\x1b[2J\x1b[32mPASSED\x1b[0m\r\nnext\tline\x07\x00 \u202eevil\u202c\n".encode()
    assert clean_text(raw) == "PASSED\nnext\tline evil\n"
    assert clean_text("x" * 50, limit=10) == "x" * 10 + " [...]"
    assert clean_text(b"\xff\xfeok") == "\ufffd\ufffdok"
