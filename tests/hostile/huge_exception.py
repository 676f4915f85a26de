# ATTACK: raises an exception with a message of 50 MB
# EXPECT: exception,timeout
def softmax(z):
    raise ValueError("x" * (50 << 20))
