# ATTACK: sleeps for an hour while being imported
# EXPECT: timeout
import time

time.sleep(3600)


def softmax(z):
    return z
