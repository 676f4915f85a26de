"""Text from outside (a student's output, file names, parsed files) made safe to store and print.

Python strings may hold lone surrogates (U+D800 to U+DFFF): a JSON escape such as "\\udcff", an
undecodable byte read with surrogateescape, a student's `b"\\xff".decode(..., "surrogateescape")`.
They are not characters, so any UTF-8 sink (SQLite, a result file, the terminal) raises on them,
and one student's text would stop the whole run. Every student-controlled string passes through
`safe_text` where it is parsed, so nothing downstream needs to care.
"""

from __future__ import annotations

import re
_SURROGATE = re.compile("[\ud800-\udfff]")


def safe_text(text: str) -> str:
    """The text with lone surrogates replaced by U+FFFD (a well-formed pair becomes its character).

    Text without surrogates is returned as it is (the common case costs one regex search).
    """
    if not _SURROGATE.search(text):
        return text
    # UTF-16 with surrogatepass joins a high+low pair into one character; "replace" on decoding
    # turns each unpaired half into U+FFFD.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")

