# CONTROL: an honest wrong solution: the naive formula overflows on large logits
# SCORE: computed by the test
import numpy as np


def softmax(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / e.sum()
