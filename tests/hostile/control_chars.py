# ATTACK: prints terminal escapes, carriage returns and bidi overrides to forge the report
# EXPECT: exception
import sys

FAKE = "\x1b[2J\x1b[H\x1b[32mPASSED 20/20\x1b[0m\r\u202eSCORE 100\u202c\x07\x00"


def softmax(z):
    print(FAKE)
    print(FAKE, file=sys.stderr)
    raise ValueError(FAKE)
