# ATTACK: patches numpy's comparisons and array functions so that anything compares equal
# EXPECT: ok
import numpy as np

np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.asarray = lambda x, *a, **k: np.zeros(3)


def softmax(z):
    return [0.0] * len(z)
