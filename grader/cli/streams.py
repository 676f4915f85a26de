"""Standard streams that survive a closed pipe and a strict locale."""

from __future__ import annotations

import os
from typing import Any


class SafeStream:
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
