"""The closed vocabularies of the spec format: topics, kinds and their keys, patterns."""

from __future__ import annotations

import re

TOPICS = ("linear-algebra", "probability", "information-theory", "calculus", "learning",
          "implement")

EXERCISE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")  # CATALOGUE ids include C, QtQ
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

TOP_REQUIRED = ("id", "title", "topic", "prompt", "parts")
TOP_OPTIONAL = ("tags", "difficulty", "by_hand", "params", "where", "max_resample")

PART_COMMON = ("id", "kind", "prompt", "solution", "points", "mistakes")

# The keys each kind adds to a part (docs/spec.md, "Kind-specific keys"). A closed set:
# tests/unit/test_spec.py checks it against grader.kinds.KINDS.
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "scalar": ("tolerance",),
    "vector": ("tolerance", "partial"),
    "matrix": ("tolerance", "partial"),
    "set": ("tolerance",),
    "direction": ("tolerance", "unit"),
    "integer": (),
    "bool": (),
    "shape": (),
    "choice": ("choices",),
    "sequence": ("item", "start", "step", "tolerance"),
    "function": ("function",),
}
KIND_REQUIRED: dict[str, tuple[str, ...]] = {
    "choice": ("choices",),
    "sequence": ("item",),
    "function": ("function",),
}
# Kinds compared within a tolerance; the others are exact.
TOLERANT_KINDS = frozenset(k for k, keys in KIND_KEYS.items() if "tolerance" in keys)
# What one step of a sequence (or one field of a step record) may be.
SEQUENCE_ITEMS = ("scalar", "vector", "matrix", "integer", "bool")

MISTAKE_KEYS = ("name", "answer", "feedback")
TOLERANCE_KEYS = ("rtol", "atol")

FUNCTION_REQUIRED = ("name", "signature", "reference", "returns")
FUNCTION_OPTIONAL = ("docstring", "items", "tolerance", "public", "hidden", "random",
                     "time_limit")
RETURNS = ("scalar", "vector", "matrix", "integer", "bool", "list_of_vectors", "tuple")
TUPLE_ITEMS = ("scalar", "vector", "matrix", "integer", "bool", "list_of_vectors")
CASE_REQUIRED = ("args",)
CASE_OPTIONAL = ("kwargs", "why")
RANDOM_KEYS = ("count", "args")

# Jinja filters the prompts may use besides Jinja's own (grader/markup.py defines them).
PROMPT_FILTERS = ("latex", "frac", "num")
# Names a sequence's `step` expression gets besides the parameters.
STEP_NAMES = ("prev",)
DEFAULT_MAX_RESAMPLE = 200
DEFAULT_DIFFICULTY = 2
