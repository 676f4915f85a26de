# ATTACK: returns NaN, hoping a comparison like `not (a != b)` lets it through
# EXPECT: ok
def softmax(z):
    return [float("nan")] * len(z)
