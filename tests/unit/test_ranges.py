"""Numbers that used to pass validation and crash grading are refused where they are read.

nan passes a bare `v >= 0` check by failing it the wrong way round (`nan < 0` is False), inf and
1e12 pass it outright; then grading overflows a timedelta, writes NULL into a NOT NULL gradebook
column, or tells students "nan% per started day". Each case here gets a compiler-style message
naming the file, the line, the key and the bound; the extremes that are allowed grade cleanly.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from grader.course import assignment as A
from grader.core.errors import SpecError
from grader.grading.late import late_info
from grader.authoring.spec import load_exercise
from grader.authoring.spec import checker as C
from grader.student.documents import Manifest
from grader.student.submission import Submission

ROOT = Path(__file__).resolve().parents[2]
HEAD = "id: w\ntitle: T\nexercises: [a]\n"


def load_error(tmp_path: Path, text: str, name: str = "week.yaml") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        A.load_assignment(Path(name)) if name == "week.yaml" else load_exercise(Path(name))
    return str(info.value).splitlines()[0]


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


BAD_ASSIGNMENTS = [
    ("late: {grace_minutes: .inf}",
     "week.yaml:4:23: late.grace_minutes: expected a number from 0 to 525600 (a year), got inf"),
    ("late: {grace_minutes: .nan}",
     "week.yaml:4:23: late.grace_minutes: expected a number from 0 to 525600 (a year), got nan"),
    ("late: {grace_minutes: 1e12}",
     "week.yaml:4:23: late.grace_minutes: expected a number from 0 to 525600 (a year), "
     "got 1000000000000.0"),
    ("late: {policy: per_day, penalty_per_day: .nan}",
     "week.yaml:4:42: late.penalty_per_day: expected a number from 0 to 100 (percent), got nan"),
    ("late: {policy: per_day, penalty_per_day: 250}",
     "week.yaml:4:42: late.penalty_per_day: expected a number from 0 to 100 (percent), got 250"),
    ("late: {max_days: true}",
     "week.yaml:4:18: late.max_days: expected a whole number from 0 to 3650, got True"),
    ("due: '9999-12-31T23:59:00+00:00'",
     "week.yaml:4:6: due: expected a date and time in the years 1900 to 8999, "
     "got '9999-12-31T23:59:00+00:00'"),
    ("due: '0001-01-01T00:00:00+14:00'",
     "week.yaml:4:6: due: expected a date and time in the years 1900 to 8999, "
     "got '0001-01-01T00:00:00+14:00'"),
    ("sandbox: {time_limit: .nan}",
     "week.yaml:4:23: sandbox.time_limit: expected seconds in (0, 600], got nan"),
    ("sandbox: {time_limit: true}",
     "week.yaml:4:23: sandbox.time_limit: expected seconds in (0, 600], got True"),
]


@pytest.mark.parametrize("line, message", BAD_ASSIGNMENTS,
                         ids=[m.split(": ")[1] + "=" + m.rsplit("got ", 1)[1]
                              for _, m in BAD_ASSIGNMENTS])
def test_assignment_numbers_out_of_range(tmp_path, line, message):
    assert load_error(tmp_path, HEAD + line + "\n") == message


@pytest.mark.parametrize("value", [".inf", ".nan", "1e308", "0", "-1"])
def test_assignment_points_out_of_range(tmp_path, value):
    text = f"id: w\ntitle: T\nexercises:\n  - {{id: a, points: {value}}}\n"
    got = load_error(tmp_path, text)
    assert got.startswith("week.yaml:4:21: exercises[0].points: expected a number > 0 and <= "
                          "1000000, got ")


def submission_at(when: dt.datetime) -> Submission:
    from grader.student.submission import Submission as S

    fields = {f: None for f in S.__dataclass_fields__}  # type: ignore[attr-defined]
    fields.update(manifest=Manifest({}, time=when.isoformat()), mtime=None)
    return S(**fields)


@pytest.mark.parametrize("due, when", [
    ("8999-12-31T23:59:00-14:00", dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone.utc)),
    ("1900-01-01T00:00:00+14:00", dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc)),
    ("1900-01-01T00:00:00+14:00", dt.datetime(9999, 12, 31, tzinfo=dt.timezone.utc)),
])
def test_the_allowed_extremes_grade_without_overflow(tmp_path, due, when):
    text = (HEAD + f"due: '{due}'\nlate: {{policy: per_day, penalty_per_day: 100, "
            "grace_minutes: 525600, max_days: 3650}\n")
    (tmp_path / "week.yaml").write_text(text, encoding="utf-8")
    assignment = A.load_assignment(Path("week.yaml"))
    info = late_info(assignment, submission_at(when))
    assert 0 <= info.penalty_percent <= 100 and "nan" not in info.note


# -- spec numbers ------------------------------------------------------------------------------

SPEC = """\
id: ranges
title: Ranges
topic: calculus
params:
  a: {integers: {low: 1, high: 5}}
prompt: "Let $a = {{ a }}$."
parts:
  - id: double
    kind: scalar
    solution: 2 * a
    points: 1
    tolerance: {rtol: 0.01}
"""

BAD_SPECS = [
    ("points: 1", "points: .inf",
     "ranges.yaml:11:13: parts[0].points: expected a number > 0 and <= 1000000, got inf"),
    ("points: 1", "points: .nan",
     "ranges.yaml:11:13: parts[0].points: expected a number > 0 and <= 1000000, got nan"),
    ("points: 1", "points: 1e308",
     "ranges.yaml:11:13: parts[0].points: expected a number > 0 and <= 1000000, got 1e+308"),
    ("{rtol: 0.01}", "{rtol: .nan}",
     "ranges.yaml:12:23: parts[0].tolerance.rtol: expected a number >= 0, got nan"),
    ("{rtol: 0.01}", "{atol: .inf}",
     "ranges.yaml:12:23: parts[0].tolerance.atol: expected a number >= 0, got inf"),
    ("{integers: {low: 1, high: 5}}", "{choice: {options: [1, .nan]}}",
     "ranges.yaml:5:29: params.a.choice.options[1]: expected a number, got nan: a parameter "
     "drawn from nan makes every answer nan"),
    ("{integers: {low: 1, high: 5}}", "{integers: {low: 1, high: .inf}}",
     "ranges.yaml:5:32: params.a.integers.high: high must be an integer, got inf"),
]


@pytest.mark.parametrize("old, new, message", BAD_SPECS,
                         ids=[m.split(": ")[1] + "=" + new for _, new, m in BAD_SPECS])
def test_spec_numbers_out_of_range(tmp_path, old, new, message):
    assert old in SPEC
    assert load_error(tmp_path, SPEC.replace(old, new, 1), name="ranges.yaml") == message


def test_infinity_stays_allowed_where_it_means_something(tmp_path):
    text = SPEC.replace("{integers: {low: 1, high: 5}}", "{choice: {options: [1, 2, .inf]}}")
    (tmp_path / "ranges.yaml").write_text(text, encoding="utf-8")
    assert load_exercise(Path("ranges.yaml")).id == "ranges"


def test_function_time_limit_out_of_range(tmp_path):
    spec = (ROOT / "tests" / "fixtures" / "specs" / "good" / "fx-function.yaml").read_text()
    text = spec.replace("    function:\n", "    function:\n      time_limit: .inf\n", 1)
    assert text != spec
    (tmp_path / "fx-function.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=r"function.time_limit: expected seconds > 0 and <= 600, "
                                        r"got inf"):
        load_exercise(Path("fx-function.yaml"))


# -- the JSON Schemas state the same bounds as the loaders -------------------------------------

def test_the_schemas_agree_with_the_loaders_bounds():
    schema = json.loads((ROOT / "grader" / "schema" / "assignment.schema.json").read_text())
    props = schema["properties"]
    late = props["late"]["properties"]
    assert late["grace_minutes"]["maximum"] == A.MAX_GRACE_MINUTES
    assert late["penalty_per_day"]["maximum"] == A.MAX_PENALTY_PER_DAY
    assert late["max_days"]["maximum"] == A.MAX_DAYS
    for entry in props["exercises"]["items"]["oneOf"][1:]:
        assert entry["properties"]["points"]["maximum"] == A.MAX_POINTS == C.MAX_POINTS
    assert props["due"]["pattern"] == "^(19[0-9]{2}|[2-8][0-9]{3})-"
    assert A.DUE_YEARS == (1900, 9000)
    defs = json.loads((ROOT / "grader" / "schema" / "exercise.schema.json").read_text())["$defs"]
    points = defs["part"]["properties"]["points"]
    assert (points["exclusiveMinimum"], points["maximum"], points["default"]) == \
        (0, C.MAX_POINTS, 1)
    limit = defs["function"]["properties"]["time_limit"]
    assert (limit["exclusiveMinimum"], limit["maximum"], limit["default"]) == \
        (0, C.MAX_TIME_LIMIT, 2.0)
    assert C.MAX_TIME_LIMIT == 600
