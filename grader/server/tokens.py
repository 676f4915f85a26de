"""Personal tokens derived from the course secret: re-issued at will, revoked by generation.

A student's token is `<generation>.<student id>.<HMAC-SHA256(secret, purpose|assignment|id|gen)>`
(the id and MAC in URL-safe base64): the server stores no token, only each student's generation,
so `grader serve --tokens` prints the same tokens again until one is revoked (generation + 1).
The instructor token is the same construction for the purpose "instructor". Every check compares
MACs with hmac.compare_digest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

INSTRUCTOR = "instructor"


@dataclass(frozen=True)
class Who:
    """An authenticated caller: a student (their id) or the instructor (student_id None)."""

    student_id: str | None
    token: str

    @property
    def instructor(self) -> bool:
        return self.student_id is None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, purpose: str, assignment_id: str, subject: str, generation: int) -> str:
    message = "\0".join([purpose, assignment_id, subject, str(generation)]).encode()
    return _b64(hmac.new(secret, message, hashlib.sha256).digest())


def student_token(secret: bytes, assignment_id: str, student_id: str, generation: int) -> str:
    mac = _mac(secret, "student", assignment_id, student_id, generation)
    return f"{generation}.{_b64(student_id.encode())}.{mac}"


def instructor_token(secret: bytes, assignment_id: str) -> str:
    return f"0.{INSTRUCTOR}.{_mac(secret, INSTRUCTOR, assignment_id, '', 0)}"


def csrf_token(secret: bytes, token: str) -> str:
    """The form token bound to a session token: a forged form from another site lacks it."""
    return _b64(hmac.new(secret, b"csrf\0" + token.encode(), hashlib.sha256).digest())


def csrf_ok(secret: bytes, token: str, given: str) -> bool:
    return hmac.compare_digest(csrf_token(secret, token).encode(), given.encode())


def identify(token: str, secret: bytes, assignment_id: str, *, known: Callable[[str], bool],
             generation: Callable[[str], int]) -> Who | None:
    """Who holds `token`, or None (malformed, forged, revoked or not on the roster)."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(token) > 512:
        return None
    gen_text, subject, mac = parts
    if subject == INSTRUCTOR:
        good = _mac(secret, INSTRUCTOR, assignment_id, "", 0)
        return Who(None, token) if hmac.compare_digest(good.encode(), mac.encode()) else None
    try:
        student_id = _unb64(subject).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not known(student_id):
        return None
    good = _mac(secret, "student", assignment_id, student_id, int(gen_text))
    if not hmac.compare_digest(good.encode(), mac.encode()):
        return None
    return Who(student_id, token) if int(gen_text) == generation(student_id) else None
