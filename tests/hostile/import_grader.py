# ATTACK: imports grader and calls its reference solver for the answers
# EXPECT: ok
# NEEDS: mountns|landlock
import sys

import numpy as np

sys.path[:0] = ["__GRADER_DIR__/..", "/work/main", "."]


def _reference():
    try:
        from grader.solvers import SOLVERS
        import grader.solvers.implement  # noqa: F401
        return SOLVERS.get("softmax")
    except Exception:
        return None


def softmax(z):
    ref = _reference()
    return np.asarray(ref(z)) if ref else np.zeros(len(z))
