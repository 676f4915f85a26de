# ATTACK: ignores SIGTERM, SIGINT and SIGHUP, then loops forever
# EXPECT: timeout
import signal

for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, signal.SIG_IGN)


def softmax(z):
    while True:
        pass
