"""Names the user types that more than one stage spells: defined once, here, so that the CLI
can offer a flag without importing the stage that acts on it."""

from __future__ import annotations

# Run student code even where nothing keeps it from reading the instructor's files
# (grader.sandbox.platform acts on it; grader.cli offers the flag).
UNSAFE_ENV = "GRADER_UNSAFE_NO_FILE_ISOLATION"
UNSAFE_FLAG = "--unsafe-no-file-isolation"
