# ATTACK: imports the instructor's grader_plugins.py (beside the specs) for its reference solver
# EXPECT: ok
# NEEDS: mountns|landlock
import sys

import numpy as np

sys.path[:0] = ["__CANARY__"]


def softmax(z):
    try:
        import grader_plugins

        return grader_plugins.softmax(z)
    except Exception:
        return np.zeros(len(z))
