# ATTACK: returns an ndarray subclass whose comparisons and tolist lie
# EXPECT: ok
import numpy as np


class Sly(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

    def tolist(self):
        return [1.0 / len(self)] * len(self)

    def __array__(self, dtype=None, copy=None):
        return np.full(self.shape, 1.0 / self.size)

    def __sub__(self, other):
        return np.zeros(self.shape)


def softmax(z):
    return np.full(len(z), -7.0).view(Sly)
