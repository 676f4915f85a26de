"""The assignment file declared once (grader.core.schema): keys, types, ranges, defaults.

An instructor writes it, so it is declared here beside the spec; grader/course/assignment.py
checks files against it and grader/schema/assignment.schema.json is generated from it.
Every number has a range: nan, inf or a huge value passes a bare `>= 0` and then crashes
grading (timedelta overflow, NOT NULL in the gradebook, "nan% per day" in feedback).
"""

from __future__ import annotations

from grader.core import schema as S
from grader.core.model import STUDENT_TIME_LIMIT
from grader.core.schema import Field, Record
from grader.authoring.spec.declared import MAX_POINTS, MAX_TIME_LIMIT
from grader.authoring.spec.tables import TOPICS

ASSIGNMENT_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
MAX_GRACE_MINUTES = 525600  # a year
MAX_PENALTY_PER_DAY = 100  # percent
MAX_DAYS = 3650
# Due dates far enough from the calendar's ends (years 1 and 9999) that adding the grace, a
# year of days late or a +-14:00 offset can never overflow datetime.
DUE_YEARS = (1900, 9000)
MAX_ATTEMPTS = 10000  # `grader serve`: submissions per student
MAX_COOLDOWN = 86400  # seconds between two submissions of one student (a day)
DUE_PATTERN = "^(19[0-9]{2}|[2-8][0-9]{3})-"  # the years of DUE_YEARS

_POINTS = Field(S.Number(0, MAX_POINTS, low_open=True,
                         wanted=f"a number > 0 and <= {MAX_POINTS}"))
_WHERE = S.Str(min_length=1)
SECRET = S.AnyOf((Record({"env": Field(_WHERE, required=True)}),
                  Record({"file": Field(_WHERE, required=True)})), one=True,
                 wanted="{env: VARIABLE} or {file: path/to/secret}; never the secret itself "
                        "(the assignment file may be shared)",
                 description="Where the secret is read from; never the secret itself.")
FIXED = Record({"id": Field(S.Str(), required=True), "points": _POINTS})
PICK = Record({
    "pick": Field(S.Int(1), required=True),
    "topic": Field(S.Enum(TOPICS)),
    "tags": Field(S.ListOf(S.Str(), wanted="a list of tags")),
    "points": _POINTS,
})
ENTRY = S.AnyOf((S.Str(description="An exercise id."), FIXED, PICK), one=True)
# The keys an entry may have: those of a fixed exercise and of a pick.
ENTRY_KEYS = Record({**FIXED.fields, **PICK.fields})

LATE = Record({
    "policy": Field(S.Enum(("none", "per_day", "cutoff"), wanted="none, per_day or cutoff"),
                    default="none"),
    "penalty_per_day": Field(S.Number(0, MAX_PENALTY_PER_DAY,
                                      wanted=f"a number from 0 to {MAX_PENALTY_PER_DAY} "
                                             "(percent)"),
                             default=0.0, description="percent", json_default=None),
    "max_days": Field(S.Int(0, MAX_DAYS, wanted=f"a whole number from 0 to {MAX_DAYS}")),
    "grace_minutes": Field(S.Number(0, MAX_GRACE_MINUTES,
                                    wanted=f"a number from 0 to {MAX_GRACE_MINUTES} (a year)"),
                           default=0.0, description="at most a year", json_default=None),
    "time_source": Field(S.Enum(("manifest", "file", "received"),
                                wanted="manifest, file or received"), default="manifest",
                         description="manifest: the time grader submit wrote (the student's "
                                     "clock); file: the files' mtime; received: when grading "
                                     "first saw this exact submission (recorded in the "
                                     "gradebook)"),
}, wanted="a mapping (policy, penalty_per_day, ...)")

SANDBOX = Record({
    "time_limit": Field(S.Number(0, MAX_TIME_LIMIT, low_open=True,
                                 wanted=f"seconds in (0, {MAX_TIME_LIMIT}]"),
                        default=STUDENT_TIME_LIMIT),
    "memory_mb": Field(S.Int(64, 16384, wanted="MB in [64, 16384]"), default=512),
}, wanted="a mapping (time_limit, memory_mb)")

ASSIGNMENT = Record({
    "id": Field(S.Str(wanted="an id of letters, digits, '.', '_' or '-'", pattern=ASSIGNMENT_ID),
                required=True, description="Part of every variant's seed."),
    "title": Field(S.Str(), required=True),
    "exercises": Field(S.ListOf(ENTRY, min_items=1, wanted="a non-empty list of exercises"),
                       required=True),
    "secret": Field(SECRET),
    "reveal": Field(S.Enum(("always", "after_due", "never")), default="after_due"),
    "due": Field(S.Custom(schema={"type": "string", "pattern": DUE_PATTERN}),
                 description=f"ISO 8601 date and time in the years {DUE_YEARS[0]} to "
                             f"{DUE_YEARS[1] - 1}, e.g. 2026-12-01T23:59:00+01:00"),
    "late": Field(LATE),
    "sandbox": Field(SANDBOX),
    "library": Field(S.ListOf(S.Str(), wanted="a list of folders of extra specs")),
    "attempts": Field(S.Int(1, MAX_ATTEMPTS, wanted=f"a whole number of submissions from 1 to "
                                                    f"{MAX_ATTEMPTS}"),
                      description="grader serve: submissions each student may make"),
    "cooldown": Field(S.Number(0, MAX_COOLDOWN,
                               wanted=f"seconds from 0 to {MAX_COOLDOWN} (a day)"), default=0,
                      description="grader serve: seconds between two submissions of one student"),
}, wanted="a mapping with id, title and exercises")


def assignment_schema() -> S.Json:
    """The JSON Schema of the assignment file (grader/schema/assignment.schema.json)."""
    return S.document(ASSIGNMENT, title="grader assignment",
                      schema_id="https://grader.invalid/schema/assignment.schema.json",
                      description="Which exercises each student gets, the secret's source, "
                                  "due date and policies. See docs/assignment.md.")
