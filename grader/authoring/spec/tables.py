"""The closed vocabularies of the spec format: topics, item kinds, patterns, defaults."""

from __future__ import annotations

import re

from grader.kinds.function import RETURN_FORMS

TOPICS = ("linear-algebra", "probability", "information-theory", "calculus", "learning",
          "implement")

EXERCISE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")  # CATALOGUE ids include C, QtQ
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# The keys of each mapping (the top level, parts, kind options, the function block, ...) are
# declared in declared.py.


# What a function may return: the function kind's forms, or a tuple of them.
RETURNS = (*RETURN_FORMS, "tuple")
TUPLE_ITEMS = RETURN_FORMS

# Jinja filters the prompts may use besides Jinja's own (grader/markup.py defines them).
PROMPT_FILTERS = ("latex", "frac", "num")
# Names a sequence's `step` expression gets besides the parameters.
STEP_NAMES = ("prev",)
DEFAULT_MAX_RESAMPLE = 200
DEFAULT_DIFFICULTY = 2
