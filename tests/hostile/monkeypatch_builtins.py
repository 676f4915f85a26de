# ATTACK: patches builtins, json and math that a naive grader would use to check results
# EXPECT: ok
import builtins
import json
import math

builtins.abs = lambda x: 0
builtins.isinstance = lambda obj, cls: True
builtins.float = lambda x=0: 1.0
builtins.len = lambda x: 0
math.isclose = lambda *a, **k: True
json.dumps = lambda *a, **k: '{"case": "c", "status": "ok", "value": 1}'


def softmax(z):
    return [0.5, 0.5]
