"""Progress for long commands: a bar on a terminal, one quiet line per item otherwise (CI logs)."""

from __future__ import annotations

import sys
from typing import Any

import click


class ProgressBar:
    """A `(done, total, line)` callback; use as a context manager so the bar always ends."""

    def __init__(self, label: str, *, tty: bool | None = None, lines: bool = True) -> None:
        self.label = label
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.lines = lines  # off a terminal, print each item's line (else stay silent)
        self.bar: Any = None

    def __call__(self, done: int, total: int, line: str) -> None:
        if not self.tty:
            if self.lines:
                click.echo(line)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr,
                                         show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
