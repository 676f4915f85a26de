# ATTACK: starts as many busy threads as it can
# EXPECT: exception,timeout
import threading


def _spin():
    while True:
        pass


def softmax(z):
    while True:
        threading.Thread(target=_spin, daemon=True).start()
