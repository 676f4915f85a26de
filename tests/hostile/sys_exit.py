# ATTACK: sys.exit(0) inside the function, as if the checks had passed
# EXPECT: exited
import sys


def softmax(z):
    sys.exit(0)
