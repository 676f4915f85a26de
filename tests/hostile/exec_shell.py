# ATTACK: runs shell commands (os.system, subprocess, exec) to escape Python
# EXPECT: exception
# NEEDS: seccomp|mountns|landlock
import os
import subprocess


def softmax(z):
    os.system("touch /tmp/pwned-by-shell")
    subprocess.run(["sh", "-c", "echo pwned > /tmp/pwned-by-shell"], check=False)
    os.execv("/bin/sh", ["sh", "-c", "echo pwned > /tmp/pwned-by-shell"])
