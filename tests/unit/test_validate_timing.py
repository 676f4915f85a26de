"""`grader validate` times every reference case against the limit students' code gets.

A hidden case whose reference takes longer than a quarter of the per-case limit passed validation
before: every student then timed out on it and grading recomputed it for each of them. The specs
here use an instructor solver (grader_plugins.py beside them) that sleeps for a case marked slow.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.authoring import validate
from grader.cli import cli

PLUGINS = """\
import time

from grader.solvers import solver


@solver
def timing_fixture_double(x, pause=0.0):
    \"\"\"2 x, after sleeping `pause` seconds (a stand-in for a reference that is slow).\"\"\"
    time.sleep(pause)
    return [2 * v for v in x]


@solver
def timing_fixture_forever(x):
    \"\"\"Never returns: validate must stop it, not hang.\"\"\"
    while True:
        pass
"""

SPEC = """\
id: {id}
title: Timing
topic: implement
by_hand: false
prompt: Write `double(x)`.
parts:
  - id: double
    kind: function
    points: 1
    function:
      name: double
      signature: "double(x, pause=0.0)"
      reference: {reference}
      returns: vector
      time_limit: 2
      public:
        - args: [[1, 2]]
      hidden:
        - args: [[3]]
        - args: [[4, 5]]
          kwargs: {{pause: {pause}}}
      random:
        count: 2
        args:
          x: {{int_vector: {{length: 2, low: -5, high: 5}}}}
"""


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("timing")
    (folder / "grader_plugins.py").write_text(PLUGINS, encoding="utf-8")
    for name, reference, pause in (("timing-fast", "timing_fixture_double", 0.0),
                                   ("timing-slow", "timing_fixture_double", 0.8),
                                   ("timing-forever", "timing_fixture_forever", 0.0)):
        text = SPEC.format(id=name, reference=reference, pause=pause)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def report_of(specs: Path, name: str, samples: int = 5) -> validate.SpecReport:
    report = validate.validate_paths([specs / f"{name}.yaml"], samples=samples)
    (rep,) = report.specs
    return rep


def test_a_fast_reference_passes(specs):
    assert report_of(specs, "timing-fast").problems == []


def test_a_slow_hidden_case_is_an_error_naming_file_case_and_time(specs):
    start = time.perf_counter()
    rep = report_of(specs, "timing-slow", samples=10)
    elapsed = time.perf_counter() - start
    assert len(rep.problems) == 1, rep.problems
    problem = rep.problems[0]
    assert "timing-slow.yaml: double: case hidden-2: the reference takes 0.8" in problem
    assert "more than 1/4 of the 2 s a student's code gets per case (function.time_limit)" \
        in problem
    assert elapsed < 4  # the fixed case ran once, not once per sampled variant


def test_a_reference_that_never_returns_is_stopped_at_the_limit(specs):
    start = time.perf_counter()
    rep = report_of(specs, "timing-forever", samples=3)
    assert time.perf_counter() - start < 10
    assert any("case public-1: the reference takes more than 2 s (stopped)" in p
               for p in rep.problems), rep.problems


def test_the_cli_exits_2_on_a_slow_reference(specs):
    result = CliRunner().invoke(cli, ["validate", str(specs / "timing-slow.yaml"),
                                      "--samples", "3"])
    assert result.exit_code == 2, result.output
    assert "FAIL timing-slow" in result.output and "case hidden-2" in result.output


def test_a_slow_variant_is_reported_once():
    timing = validate.Timing("x.yaml")
    assert timing.variant_problems(0.1) == []
    (problem,) = timing.variant_problems(3.0)
    assert problem.startswith("x.yaml: computing a variant's reference answers takes 3.00 s, "
                              "more than 1/4 of the 10 s")
    assert timing.variant_problems(3.0) == []


def test_many_cases_each_fast_enough_but_too_slow_together():
    timing = validate.Timing("x.yaml")
    timing.cases = {("f", f"hidden-{i}"): 0.4 for i in range(8)}  # 0.4 s < 2 s / 4 each
    (problem,) = timing.variant_problems(0.0)
    assert "the references of a variant's function cases take 3.20 s together, more than " \
        "1/4 of the 10 s a student's function gets for all its cases" in problem
