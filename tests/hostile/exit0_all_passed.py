# ATTACK: prints "all tests passed" and leaves with status 0 before returning
# EXPECT: exited
import os


def softmax(z):
    print("all tests passed")
    print('{"score": 1.0, "passed": 20}')
    os._exit(0)
