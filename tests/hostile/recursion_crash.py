# ATTACK: lifts the recursion limit and overflows the C stack (comparing two deeply nested lists)
# EXPECT: crashed,exception,memory,timeout
import sys

sys.setrecursionlimit(10**9)


def softmax(z):
    # Comparing walks both lists in C, one stack frame per level: 100,000 levels overflow the
    # 8 MB stack within milliseconds. (A repr would get there too, but its check for cycles
    # makes it quadratic in the depth: about 2 s per case here, a coin toss against the 2 s
    # limit between "crashed" and "timeout".)
    a, b = [], []
    for _ in range(100_000):
        a, b = [a], [b]
    return [float(a == b)]
