"""StudentResult.to_dict gives what dataclasses.asdict gives, on a class of every persona."""

from __future__ import annotations

import dataclasses

from grader.app.sample import sample_class


def test_to_dict_is_asdict_for_every_kind_of_result() -> None:
    results, _ = sample_class(40)
    assert {r.status for r in results} >= {"graded", "missing"}
    assert any(c.args is not None for r in results for p in r.parts() for c in p.cases)
    for r in results:
        got = r.to_dict()
        assert got == dataclasses.asdict(r)
        assert repr(got) == repr(dataclasses.asdict(r))  # tuples stay tuples, as in asdict
