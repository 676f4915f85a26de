# ATTACK: raises exceptions meant to escape a naive try/except (KeyboardInterrupt, odd exits)
# EXPECT: exception,exited


class Weird(SystemExit):
    def __str__(self):
        raise RuntimeError("no message for you")


def softmax(z):
    if z[0] > 0:
        raise KeyboardInterrupt
    raise Weird(object())
