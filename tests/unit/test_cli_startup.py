"""The CLI starts without the sandbox: only a command that runs student code imports it."""

from __future__ import annotations

import subprocess
import sys

LOADED = ("import sys{imports}\n"
          "print(sorted(m for m in sys.modules if m.startswith('grader.sandbox')))")


def sandbox_modules(imports: str, *argv: str) -> str:
    code = LOADED.format(imports=imports)
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                         timeout=60, check=True)
    return out.stdout.strip()


def test_importing_the_cli_does_not_import_the_sandbox() -> None:
    assert sandbox_modules(", grader.cli") == "[]"
    # the check sees the sandbox where it is: the flag's callback imports it when given
    accepted = sandbox_modules(", grader.cli\nfrom grader.cli.options import _accept\n"
                               "_accept(None, None, True)")
    assert "grader.sandbox.platform" in accepted


def test_the_unsafe_flag_is_offered_where_student_code_runs() -> None:
    from click.testing import CliRunner

    from grader.cli import cli
    from grader.core.flags import UNSAFE_FLAG

    for command in ("grade", "check", "submit", "demo"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and UNSAFE_FLAG in result.output, command
