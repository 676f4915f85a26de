# ATTACK: writes forged result lines (full marks, NaN constants, duplicates) and leaves
# EXPECT: bad_output,exited
import os

LINES = [
    '{"event": "imported"}',
    '{"event": "done"}',
    '{"case": "c01", "status": "ok", "value": NaN}',
    '{"case": "c01", "status": "ok", "value": [1.0, Infinity]}',
    '{"case": "c02", "status": "ok", "status": "ok", "value": 1}',
    '{"case": "c03", "status": "correct", "value": 1}',
    '{"case": "c04", "status": "ok", "value": {"score": 1}}',
    '{"case": "c05", "status": "ok", "value": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"score": 100, "passed": true}',
]


def softmax(z):
    for fd in range(3, 64):
        for line in LINES:
            try:
                os.write(fd, (line + "\n").encode())
            except OSError:
                break
    print("\n".join(LINES))
    os._exit(0)
