# ATTACK: returns objects that hang when the grader converts or compares them
# EXPECT: bad_output


class Tar:
    def __float__(self):
        while True:
            pass

    def __iter__(self):
        while True:
            yield 1.0

    def __len__(self):
        while True:
            pass

    def __array__(self, dtype=None, copy=None):
        while True:
            pass

    def __repr__(self):
        while True:
            pass


def softmax(z):
    return Tar()
