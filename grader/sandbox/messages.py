"""How a sandbox outcome's message is told to the student: the exception's text is the
student's own (it can be a page of output), so it is cut and quoted in «» so that nobody
mistakes it for the grader's words. `grader check` and grading say it the same way."""

from __future__ import annotations

import re

MAX_STUDENT_CHARS = 300
MAX_STUDENT_LINES = 5
_RAISED = re.compile(r"(?s)^([A-Za-z_][\w.]*)(?:: (.*?))?"
                     r"(\s*\([^()]+\.py, line \d+(?:, in [^()]+)?\))?$")


def student_text(text: str) -> str:
    """Text the student's code chose (an exception's message), cut and set in «» quotes."""
    lines = text.splitlines() or [""]
    kept = "\n".join(lines[:MAX_STUDENT_LINES])[:MAX_STUDENT_CHARS]
    more = len(text) - len(kept)
    return f"«{kept}»" + (f" … ({more} more characters)" if more > 0 else "")


def raised_message(message: str) -> str:
    """'ValueError: text (solution.py, line 3, in f)' as 'your code raised ValueError: «text»
    (solution.py, line 3, in f)'; the location stays last, where the reports look for it."""
    found = _RAISED.match(message)
    if not found:
        return f"your code raised an exception: {student_text(message)}"
    name, detail, where = found.group(1), found.group(2), found.group(3) or ""
    said = f": {student_text(detail)}" if detail else ""
    return f"your code raised {name}{said}{where}"


def import_message(message: str) -> str:
    """The sandbox's 'importing solution.py failed: ValueError: ...', the student's text cut."""
    head, sep, rest = message.partition("failed: ")
    if not sep:
        head, rest = "", message
    return head + sep + raised_message(rest).removeprefix("your code raised ")
