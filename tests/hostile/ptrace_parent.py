# ATTACK: attaches to the parent with ptrace and reads its memory with process_vm_readv
# EXPECT: ok
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
PTRACE_ATTACH = 16


def softmax(z):
    ppid = os.getppid()
    attached = libc.ptrace(PTRACE_ATTACH, ppid, 0, 0) == 0
    try:
        with open(f"/proc/{ppid}/mem", "rb") as f:
            f.read(16)
        stolen = True
    except OSError:
        stolen = False
    return [1.0 if (attached or stolen) else 0.0] * len(z)
