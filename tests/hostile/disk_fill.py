# ATTACK: fills the disk with files until writing fails, then keeps the last error
# EXPECT: exception
# NEEDS: mountns
import os


def softmax(z):
    i = 0
    while True:
        with open(f"fill-{i}.bin", "wb") as f:
            for _ in range(64):
                f.write(b"\0" * (1 << 20))
        i += 1
