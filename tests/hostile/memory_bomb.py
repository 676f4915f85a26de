# ATTACK: allocates memory until something gives
# EXPECT: memory,timeout
def softmax(z):
    hog = []
    while True:
        hog.append(bytearray(64 << 20))
