"""The command line: each command parses its options, calls one library function, prints.

No behaviour lives here. Defaults live once, on the library functions.
"""

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
from grader.errors import EXIT_INTERNAL, EXIT_USAGE, UserError
from grader.fsutil import disk_error_message

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grader")
def cli() -> None:
    """Randomised, auto-graded exercises for the mathematics of deep learning."""


class _SafeStream:
    """A standard stream that outlives its reader (`grader grade ... | head -1`) and its locale.

    Once the reader has gone, a write raises BrokenPipeError; letting that escape would stop a
    grading run half-way, so the stream is pointed at /dev/null instead and the run goes on,
    ending with its own exit status. Text the stream's encoding cannot hold (a path given with
    bytes that are not UTF-8, under a strict locale) is written escaped rather than raising.
    Every other attribute is the wrapped stream's.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            try:
                return int(self._stream.write(text))
            except UnicodeEncodeError:
                encoding = self._stream.encoding or "utf-8"
                self._stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
                return len(text)
        except BrokenPipeError:
            self._to_devnull()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._to_devnull()

    def _to_devnull(self) -> None:
        # Output still buffered goes to /dev/null with the rest (the standard pattern from the
        # Python docs on SIGPIPE), so the interpreter's final flush cannot fail either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main() -> None:
    """Console-script entry point (click maps usage errors to exit status 2)."""
    sys.stdout = _SafeStream(sys.stdout)  # type: ignore[assignment]
    sys.stderr = _SafeStream(sys.stderr)  # type: ignore[assignment]
    try:
        cli.main(prog_name="grader")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


# Commands register themselves on `cli` from grader.commands (kept apart so this module stays
# small); importing it here makes `grader.cli:main` see every command.
from grader import commands as _commands  # noqa: E402, F401
