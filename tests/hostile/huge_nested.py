# ATTACK: returns results deeply nested or enormous, to exhaust the parser
# EXPECT: bad_output
def softmax(z):
    if z[0] > 0:
        deep = []
        for _ in range(100000):
            deep = [deep]
        return deep
    return [[1.0] * 1000] * 10000
