# ATTACK: dereferences NULL through ctypes
# EXPECT: crashed
import ctypes


def softmax(z):
    return ctypes.string_at(0)
