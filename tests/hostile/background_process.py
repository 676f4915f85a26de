# ATTACK: starts processes meant to outlive the call (daemon, subprocess, multiprocessing)
# EXPECT: ok
import multiprocessing
import os
import subprocess

MARK = "grader-hostile-survivor"


def _spawn():
    try:
        subprocess.Popen(["sleep", "3600", MARK], start_new_session=True)
    except Exception:
        pass
    try:
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execvp("sleep", ["sleep", "3600", MARK])
            os._exit(0)
    except Exception:
        pass
    try:
        multiprocessing.Process(target=lambda: __import__("time").sleep(3600), daemon=False).start()
    except Exception:
        pass


_spawn()


def softmax(z):
    _spawn()
    return [0.0] * len(z)
