"""Errors that cross module boundaries, and the exit codes the CLI maps them to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_THRESHOLD = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class UserError(Exception):
    """The user's input or usage is wrong; the message names the file and the fix."""


class FormatError(ValueError):
    """A student's answer cannot be read; graded as a format error, never a crash."""


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a file, located compiler-style."""

    path: str
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    keypath: str  # e.g. "parts[1].tolerance.rtol"; "" for the whole file
    message: str
    source_line: str = ""

    def render(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        head = f"{where}: {self.keypath + ': ' if self.keypath else ''}{self.message}"
        if not self.source_line:
            return head
        caret = " " * max(self.column - 1, 0) + "^"
        return f"{head}\n    {self.source_line}\n    {caret}"


class SpecError(UserError):
    """A file failed validation; carries every diagnostic found, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        lines = [d.render() for d in self.diagnostics]
        n = len(self.diagnostics)
        files = sorted({d.path for d in self.diagnostics})
        lines.append(f"{n} error{'s' if n != 1 else ''} in {', '.join(files)}")
        return "\n".join(lines)


def display_path(path: str | Path) -> str:
    """A path as the user would type it: relative to the working directory when below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
