# ATTACK: an infinite loop in the function
# EXPECT: timeout
def softmax(z):
    while True:
        pass
