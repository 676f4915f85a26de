# ATTACK: re-points every file descriptor, the result channel included, then closes stdio
# EXPECT: exited,bad_output
import os


def softmax(z):
    for fd in range(3, 64):
        try:
            os.dup2(1, fd)
        except OSError:
            pass
    for fd in (0, 1, 2):
        os.close(fd)
    return [1.0] * len(z)
