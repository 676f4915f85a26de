# ATTACK: reads the instructor's answer key and returns the answers from it
# EXPECT: ok
# NEEDS: mountns|landlock
# The key maps repr(list(z)) to the expected softmax; reading it would earn full marks.
import json
import numpy as np

KEY = "__CANARY__/answer_key.json"


def softmax(z):
    for path in (KEY, "../answer_key.json", "/answer_key.json"):
        try:
            with open(path) as f:
                return json.load(f)[repr([float(v) for v in z])]
        except (OSError, KeyError, ValueError):
            continue
    return np.zeros(len(z))
