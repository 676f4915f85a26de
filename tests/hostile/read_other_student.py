# ATTACK: copies another student's solution (on disk, or from a sandbox running beside it)
# EXPECT: ok
# NEEDS: mountns|landlock
import glob
import os

import numpy as np

CANDIDATES = ["__CANARY__/students/bob/solution.py", "../*/solution.py", "/tmp/*/solution.py",
              "/tmp/*/*/solution.py", "/proc/*/cwd/solution.py"]


def _steal():
    here = os.path.realpath("solution.py")
    for pattern in CANDIDATES:
        for path in glob.glob(pattern):
            try:
                if os.path.realpath(path) == here:
                    continue
                with open(path) as f:
                    code = f.read()
            except OSError:
                continue
            if "def softmax" in code and "__CANARY__" not in code:
                ns = {}
                exec(code, ns)
                return ns["softmax"]
    return None


def softmax(z):
    stolen = _steal()
    return stolen(z) if stolen else np.zeros(len(z))
