"""fork_map: work spread over forked workers gives what the same work gives in one process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.core import forking
from grader.core.forking import fork_map


def test_results_come_back_in_order_from_other_processes() -> None:
    offset = 1000  # a closure's variable: inherited by the fork, never sent
    got = fork_map(lambda i: (i + offset, os.getpid()), 200, workers=2, min_items=10)
    assert [v for v, _ in got] == list(range(1000, 1200))
    assert os.getpid() not in {pid for _, pid in got}


def test_small_work_stays_in_this_process() -> None:
    got = fork_map(lambda i: os.getpid(), 5, workers=2, min_items=10)
    assert set(got) == {os.getpid()}


def test_an_error_in_a_worker_is_raised_here() -> None:
    def work(i: int) -> int:
        if i == 77:
            raise ValueError("page 77 cannot be written")
        return i

    with pytest.raises(ValueError, match="page 77"):
        fork_map(work, 100, workers=2, min_items=10)


def test_pages_rendered_on_every_core_are_the_pages_one_process_renders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.app.sample import sample_class
    from grader.outputs.reports import api

    results, prompts = sample_class(80, seed=3)
    many, one = tmp_path / "many", tmp_path / "one"
    used = []
    real = forking.fork_map

    def spy(work, count, **kw):
        used.append(count)
        return real(work, count, workers=2, min_items=10)

    monkeypatch.setattr(api, "fork_map", spy)
    api.render_reports(many, results=results, prompts=prompts)
    assert used == [80]
    monkeypatch.setattr(api, "fork_map", lambda work, count, **kw: [work(i) for i in range(count)])
    api.render_reports(one, results=results, prompts=prompts)
    pages = sorted(p.relative_to(many) for p in many.rglob("*.html"))
    assert len(pages) == 81
    assert all((many / p).read_bytes() == (one / p).read_bytes() for p in pages)
