"""Per-student variant seeds: a keyed hash of who, what and where, so variants are private yet
reproducible by anyone holding the course secret."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np


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
