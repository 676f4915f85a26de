"""The command line: each command parses its options, calls one library function, prints.

No behaviour lives here. Defaults live once, on the library functions. The commands are plain
click commands in `instructor`, `student` and `grading`; this module gathers them on the group,
so no command module imports the group.
"""

from __future__ import annotations

import sys

import click

from grader import __version__
from grader.cli import grading, instructor, scale, serve, student
from grader.cli.errors import handle_errors
from grader.cli.streams import SafeStream

COMMANDS = (instructor.list_cmd, instructor.validate_cmd, instructor.preview_cmd,
            instructor.solve_cmd, instructor.schema_cmd, instructor.generate_cmd,
            student.check_cmd, student.submit_cmd,
            grading.grade_cmd, grading.cases_cmd, grading.report_cmd, grading.export_cmd,
            grading.gradebook_group,
            scale.merge_cmd, instructor.demo_cmd, serve.serve_cmd, serve.login_cmd,
            serve.status_cmd)

__all__ = ["cli", "handle_errors", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grader")
def cli() -> None:
    """Randomised, auto-graded exercises for the mathematics of deep learning."""


for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point (click maps usage errors to exit status 2)."""
    sys.stdout = SafeStream(sys.stdout)  # type: ignore[assignment]
    sys.stderr = SafeStream(sys.stderr)  # type: ignore[assignment]
    try:
        cli.main(prog_name="grader")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
