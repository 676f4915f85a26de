"""Loops forever on the first call: the sandbox's time limit stops it."""


def softmax(z):
    while True:
        pass
