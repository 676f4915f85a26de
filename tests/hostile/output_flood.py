# ATTACK: prints without end, hoping to fill the grader's memory or disk
# EXPECT: truncated
import sys


def softmax(z):
    while True:
        sys.stdout.write("all tests passed " * 1000 + "\n")
