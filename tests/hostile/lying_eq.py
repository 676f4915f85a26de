# ATTACK: returns an object whose __eq__ always says True (and pretends to be an array)
# EXPECT: bad_output


class Liar:
    __array_priority__ = 1000

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("never convert me")

    def __len__(self):
        return 3

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0


def softmax(z):
    return Liar()
