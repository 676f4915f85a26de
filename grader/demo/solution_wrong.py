"""The textbook formula without the max shift: right for small logits, overflows for large."""

import numpy as np


def softmax(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / e.sum()
