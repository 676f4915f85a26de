# CONTROL: a correct solution that prints, uses threads and writes temporary files
# SCORE: 1
import os
import tempfile
import threading

import numpy as np


def softmax(z):
    print("computing softmax of", len(z), "logits")
    z = np.asarray(z, dtype=float)
    result = {}

    def work():
        e = np.exp(z - z.max())
        result["p"] = e / e.sum()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    with tempfile.NamedTemporaryFile("w+", suffix=".txt") as f:
        f.write(repr(result["p"].tolist()))
        f.flush()
    with open("scratch.txt", "w") as f:
        f.write("ok")
    os.remove("scratch.txt")
    return result["p"]
