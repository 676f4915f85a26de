# ATTACK: mutates its inputs in place, hoping the grader recomputes the answer from them
# EXPECT: ok
import numpy as np


def softmax(z):
    z[:] = 0.0  # a grader that computes the expected value afterwards would now expect uniform
    return np.full(len(z), 1.0 / len(z))
