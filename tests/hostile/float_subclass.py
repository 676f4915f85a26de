# ATTACK: returns float subclasses that compare equal to anything and convert to lies
# EXPECT: ok


class Sly(float):
    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.25

    def __repr__(self):
        return "0.25"

    def __sub__(self, other):
        return Sly(0.0)

    def __abs__(self):
        return Sly(0.0)

    __hash__ = float.__hash__


def softmax(z):
    return [Sly(-1.0) for _ in z]
