# ATTACK: writes and deletes files outside its working directory
# EXPECT: ok
# NEEDS: mountns|landlock
import os

import numpy as np

TARGETS = ["__CANARY__/answer_key.json", "__CANARY__/students/bob/solution.py",
           "__CANARY__/pwned.txt", "../pwned.txt", "/tmp/pwned-by-student.txt",
           os.path.expanduser("~/pwned.txt")]
APPEND_ONLY = ["__GRADER_DIR__/__init__.py"]  # detectable by checksum, and easy to undo


def softmax(z):
    for path in APPEND_ONLY:
        try:
            with open(path, "a") as f:
                f.write("# pwned\n")
        except OSError:
            pass
    for path in TARGETS:
        try:
            with open(path, "w") as f:
                f.write("pwned")
        except OSError:
            pass
        try:
            os.remove(path)
        except OSError:
            pass
    return np.zeros(len(z))
