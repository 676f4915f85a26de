# ATTACK: plants a file through tempfile (cached as the shared /tmp before the fork) for the
# next student to run, and looks for files planted by the students before it
# EXPECT: ok
import glob
import os
import tempfile

import numpy as np


def softmax(z):
    fd, path = tempfile.mkstemp(prefix="pwned-by-tempfile-")
    os.write(fd, b"import os\nos.system('echo pwned')\n")
    os.close(fd)
    planted = [p for p in glob.glob("/tmp/pwned-by-tempfile-*") + glob.glob(
        os.path.join(os.path.dirname(os.getcwd()), "pwned-by-tempfile-*")) if p != path]
    return np.full(len(z), float(len(planted)))
