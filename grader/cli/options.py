"""The command-line flag with which an instructor accepts running student code unconfined.

Shared by every command that runs student code (grade, check, submit, demo), so that the
refusal message can name one flag. The sandbox is imported only when the flag is given: the
CLI starts without it (bench/bench_cli_startup.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from grader.core.flags import UNSAFE_ENV, UNSAFE_FLAG

F = TypeVar("F", bound=Callable[..., Any])


def _accept(_ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        from grader.sandbox.platform import allow_unsafe_no_file_isolation

        allow_unsafe_no_file_isolation()


def unsafe_option(f: F) -> F:
    """--unsafe-no-file-isolation: run student code even where it could read your files."""
    return click.option(
        UNSAFE_FLAG, is_flag=True, expose_value=False, callback=_accept,
        help="Run student code even where neither bubblewrap nor Landlock keeps it from "
             f"reading your files (the answer key, other submissions); also {UNSAFE_ENV}=1.",
    )(f)
