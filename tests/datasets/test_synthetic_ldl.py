import numpy as np
import pytest

from gmiml.datasets import make_synthetic_ldl


def test_shapes_and_rows():
    X, D = make_synthetic_ldl(50, 4, 3, random_state=0)
    assert X.shape == (50, 4) and D.shape == (50, 3)
    assert (D >= 0).all()
    np.testing.assert_allclose(D.sum(1), 1)
    X2, D2 = make_synthetic_ldl(50, 4, 3, random_state=0)
    np.testing.assert_array_equal(D, D2)


def test_distributions_follow_features():
    # neighbours in feature space have closer distributions than random pairs
    X, D = make_synthetic_ldl(200, 6, 4, random_state=1)
    d2 = ((X[:, None] - X[None]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)
    nn = d2.argmin(1)
    near = np.abs(D - D[nn]).sum(1).mean()
    rand = np.abs(D - D[np.random.default_rng(0).permutation(200)]).sum(1).mean()
    assert near < 0.5 * rand


def test_bad_arguments():
    with pytest.raises(ValueError, match='n_labels: must be an integer >= 2'):
        make_synthetic_ldl(10, 3, 1)
    with pytest.raises(ValueError, match='temperature'):
        make_synthetic_ldl(10, 3, 2, temperature=0)
