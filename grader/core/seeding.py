"""Per-student variant seeds: a keyed hash of who, what and where, so variants are private yet
reproducible by anyone holding the course secret."""

from __future__ import annotations

import hashlib
import hmac
import math
import string
from typing import Any

import numpy as np

MIN_SECRET_BITS = 128  # a 32-hex-digit secret; fewer can be searched from a student's variant
MIN_DISTINCT = 8  # "aaaa...": long, but no secret
MAKE_SECRET = 'python -c "import secrets; print(secrets.token_hex(32))"'


def _field(value: str) -> bytes:
    # Length-prefixed so ("ab", "c") and ("a", "bc") cannot produce the same message.
    data = value.encode("utf-8")
    return len(data).to_bytes(8, "big") + data


def variant_seed(secret: bytes | str, assignment_id: str, student_id: str,
                 exercise_id: str) -> int:
    """The seed of one student's variant of one exercise: HMAC-SHA256 as a 256-bit int."""
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if not key:
        raise ValueError("the course secret is empty; set one before generating variants")
    message = b"".join(_field(v) for v in (assignment_id, student_id, exercise_id))
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return int.from_bytes(digest, "big")


def make_rng(seed: int) -> np.random.Generator:
    """A numpy Generator (PCG64) for a seed; the same seed gives the same draws everywhere."""
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.Generator(np.random.PCG64(seed))


def secret_bits(secret: bytes) -> float:
    """A generous estimate of a secret's entropy in bits, from its length and its alphabet.

    Text is scored by the character classes it uses (hex digits alone: 4 bits a character;
    otherwise lower case, upper case, digits and the rest add up to the alphabet); bytes that are
    not text count 8 bits each. A secret of few distinct characters scores no better than one of
    that many characters.
    """
    try:
        text = secret.decode("utf-8")
    except UnicodeDecodeError:
        return 8.0 * len(secret)
    if len(set(text)) < MIN_DISTINCT:
        return 0.0
    if all(c in string.hexdigits for c in text):
        return 4.0 * len(text)
    classes = ((string.ascii_lowercase, 26), (string.ascii_uppercase, 26), (string.digits, 10))
    alphabet = sum(n for chars, n in classes if any(c in chars for c in text))
    if any(not c.isascii() or not c.isalnum() for c in text):
        alphabet += 33  # punctuation and space; anything else counts no more
    return len(text) * math.log2(alphabet)


def weak_secret_problem(secret: bytes) -> str | None:
    """Why a course secret is too weak to keep variants private (None when it is strong)."""
    bits = secret_bits(secret)
    if bits >= MIN_SECRET_BITS:
        return None
    return (f"the secret is too weak (about {bits:.0f} bits; at least {MIN_SECRET_BITS} are "
            "needed, e.g. 32 hex digits): a student could search for it from their own "
            f"variant and compute everyone's. Make one with `{MAKE_SECRET}` and keep it")


def secret_id(secret: bytes) -> str:
    """A short public tag of the secret, stored in the key: it tells whether a later run uses
    the same secret without storing the secret (a keyed hash of a constant; not reversible)."""
    return hmac.new(bytes(secret), b"grader:secret-id", hashlib.sha256).hexdigest()[:16]


def variant_fingerprint(exercises: list[tuple[str, Any]], *, parsed: bool = False) -> str:
    """What decides a student's problems, as one hash: each exercise id with its parameters.

    Written into grader.json and the key at generate; grading compares the two, so a problem set
    from another secret or an older assignment is reported instead of silently marked wrong.
    """
    from grader.core.values import str_keyed_json, to_json

    pairs = [[eid, params] for eid, params in exercises]
    # parsed: params as JSON parsing gives them, so every mapping's keys are strings
    text = str_keyed_json(pairs) if parsed else to_json(pairs)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
