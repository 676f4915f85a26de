"""`grader generate` streams students (one problem set in memory at a time) and pages the
instructor key: key/index.html lists the students, key/<student>.html holds each one's
variants and solutions; a refused or failed run changes nothing in the output."""

from __future__ import annotations

import gc
import json
import re
import weakref
from pathlib import Path

import pytest

from grader.core.errors import UserError
from grader.course import generate as G

SECRET = "stream-test-secret-0123456789abcdef"
ASSIGNMENT = """\
id: stream-week
title: "Stream week"
exercises:
  - info-kl-divergence
  - la-eigen-symmetric
"""


def roster(n: int) -> str:
    return "id,name,email\n" + "".join(f"st{i:03d},Student {i},s{i}@example.edu\n"
                                       for i in range(n))


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GRADER_SECRET", SECRET)
    (tmp_path / "week.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(roster(8), encoding="utf-8")
    return tmp_path


def run(course: Path, **kw: object) -> G.GenerateResult:
    return G.generate(course / "week.yaml", course / "roster.csv", course / "out", **kw)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_at_most_one_earlier_problem_set_is_alive_while_the_next_is_planned(
        course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alive: list[int] = []
    made: list[weakref.ref] = []
    real = G.plan_student

    def plan(*args: object, **kw: object) -> object:
        gc.collect()
        alive.append(sum(r() is not None for r in made))
        sset = real(*args, **kw)
        made.append(weakref.ref(sset))
        return sset

    monkeypatch.setattr(G, "plan_student", plan)
    run(course)
    assert len(alive) == 8
    assert max(alive) <= 1, alive  # holding every set would give 0, 1, 2, ..., 7


def test_the_key_index_links_a_page_per_student_and_holds_no_solution(course: Path) -> None:
    run(course)
    key = course / "out" / "key"
    index = (key / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', index)
    assert links == [f"st{i:03d}.html" for i in range(8)]
    assert "Solution:" not in index and "<math" not in index
    for i in range(8):
        page = (key / f"st{i:03d}.html").read_text(encoding="utf-8")
        answers = json.loads((key / f"st{i:03d}.json").read_text(encoding="utf-8"))
        typed = sum(len(e["answers"]) for e in answers["exercises"])
        assert f"(st{i:03d})" in page and 'href="index.html"' in page
        assert typed >= 3 and page.count("<strong>Solution:</strong>") == typed
        assert f"st{(i + 1) % 8:03d}" not in page  # nobody else's variant


def test_each_key_page_shows_the_answers_of_that_students_key_file(course: Path) -> None:
    run(course)
    key = course / "out" / "key"
    data = json.loads((key / "st003.json").read_text(encoding="utf-8"))
    kl = next(e for e in data["exercises"] if e["id"] == "info-kl-divergence")
    value = next(iter(kl["answers"].values()))
    page = (key / "st003.html").read_text(encoding="utf-8")
    shown = re.search(r'<strong>Solution:</strong> <span class="mono">([^<]+)</span>', page)
    assert shown is not None
    assert float(shown.group(1)) == pytest.approx(value, rel=1e-3)


def test_a_refused_run_changes_nothing_in_the_output(course: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    run(course)
    before = tree(course / "out")
    stamps = {p: p.stat().st_mtime_ns for p in (course / "out").rglob("*")}
    # A new due date rewrites every problems.html, a new exercise changes every variant:
    # refused, and neither the due date nor anything else reaches the output.
    (course / "week.yaml").write_text(ASSIGNMENT + "  - prob-bayes\ndue: 2031-01-01T00:00Z\n",
                                      encoding="utf-8")
    with pytest.raises(UserError, match="would change the problem sets of 8 student"):
        run(course)
    assert tree(course / "out") == before
    assert {p: p.stat().st_mtime_ns for p in (course / "out").rglob("*")} == stamps
    forced = run(course, force=True)
    assert forced.written > 0 and tree(course / "out") != before


def test_a_failure_half_way_leaves_a_fresh_output_absent(course: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    real = G.plan_student
    calls = {"n": 0}

    def plan(*args: object, **kw: object) -> object:
        calls["n"] += 1
        if calls["n"] == 5:
            raise UserError("a spec failed for the fifth student")
        return real(*args, **kw)

    monkeypatch.setattr(G, "plan_student", plan)
    with pytest.raises(UserError, match="fifth"):
        run(course)
    assert not (course / "out").exists()
