"""A correct solution, with a print and a helper: what a careful student hands in."""

import numpy as np


def softmax(z):
    z = np.asarray(z, dtype=float)
    shifted = z - z.max()  # subtracting the max keeps exp from overflowing
    e = np.exp(shifted)
    print("softmax called on", len(z), "logits")
    return e / e.sum()
