"""Does not even import: a syntax error on line 7."""

import numpy as np


def softmax(z)
    return np.exp(z) / np.exp(z).sum()
