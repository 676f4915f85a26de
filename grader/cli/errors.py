"""How every command ends on an error: 2 with a message for the user's mistakes and disk
trouble, 3 with a logged traceback for a bug in grader; never a bare traceback."""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import click

from grader import __version__
from grader.core.errors import EXIT_INTERNAL, EXIT_USAGE, UserError
from grader.core.fsutil import disk_error_message

F = TypeVar("F", bound=Callable[..., Any])


def _internal_fault(exc: BaseException) -> None:
    """Write the traceback to a log file and tell the user where it is (exit 3)."""
    fd, log = tempfile.mkstemp(prefix="grader-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"grader {__version__}\nargv: {sys.argv!r}\n\n")
        fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    click.echo(f"grader: internal error ({type(exc).__name__}: {exc}). This is a bug in grader.",
               err=True)
    click.echo(f"The traceback is in {log}; please attach it to a bug report.", err=True)
    sys.exit(EXIT_INTERNAL)


def _disk_error(exc: OSError) -> None:
    """A full or read-only disk, a denied or too long path, a file where a folder should be:
    the user's to fix (exit 2, saying what and where). Any other OSError may be a bug (exit 3)."""
    message = disk_error_message(exc)
    if message is None:
        _internal_fault(exc)
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def handle_errors(fn: F) -> F:
    """User mistakes exit 2 with a message; bugs exit 3 with a log; never a bare traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except OSError as exc:
            _disk_error(exc)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            _internal_fault(exc)

    return wrapper  # type: ignore[return-value]
