# ATTACK: ships a symbolic link to the answer key inside the submission and reads it
# EXPECT: ok
# SYMLINK: key.json -> __CANARY__/answer_key.json
import json

import numpy as np


def softmax(z):
    try:
        with open("key.json") as f:
            return json.load(f)[repr([float(v) for v in z])]
    except (OSError, KeyError, ValueError):
        return np.zeros(len(z))
