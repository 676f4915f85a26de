# ATTACK: a fork bomb at import, then a loop of forks in the function
# EXPECT: exception
# NEEDS: seccomp|uid
import os

for _ in range(100):
    try:
        os.fork()
    except OSError:
        break


def softmax(z):
    while True:
        os.fork()
