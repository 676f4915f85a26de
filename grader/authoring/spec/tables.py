"""The closed vocabularies of the spec format: topics, item kinds, patterns, defaults."""

from __future__ import annotations

import re

TOPICS = ("linear-algebra", "probability", "information-theory", "calculus", "learning",
          "implement")

EXERCISE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")  # CATALOGUE ids include C, QtQ
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# The keys of each mapping (the top level, parts, kind options, the function block, ...) are
# declared in declared.py.

# What one step of a sequence (or one field of a step record) may be.
SEQUENCE_ITEMS = ("scalar", "vector", "matrix", "integer", "bool")

RETURNS = ("scalar", "vector", "matrix", "integer", "bool", "list_of_vectors", "tuple")
TUPLE_ITEMS = ("scalar", "vector", "matrix", "integer", "bool", "list_of_vectors")

# Jinja filters the prompts may use besides Jinja's own (grader/markup.py defines them).
PROMPT_FILTERS = ("latex", "frac", "num")
# Names a sequence's `step` expression gets besides the parameters.
STEP_NAMES = ("prev",)
DEFAULT_MAX_RESAMPLE = 200
DEFAULT_DIFFICULTY = 2
