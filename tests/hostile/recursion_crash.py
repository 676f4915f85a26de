# ATTACK: lifts the recursion limit and overflows the C stack (repr of a deeply nested list)
# EXPECT: crashed,exception,memory,timeout
import sys

sys.setrecursionlimit(10**9)


def softmax(z):
    deep = []
    for _ in range(100_000):
        deep = [deep]
    return repr(deep)
