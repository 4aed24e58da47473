import numpy as np
import pytest

from gmiml.baselines import GLLE
from gmiml.baselines.glle import _knn_laplacian, glle
from gmiml.datasets import make_synthetic_ldl
from gmiml.utils import logical_from_distribution, softmax_labels


def test_exact_minimiser_by_hand():
    # k = 1, two identical instances: S = [[0, 1], [1, 0]], G = [[1, -1], [-1, 1]];
    # lam = 1: D* = (I + G)^{-1} L = [[2/3, 1/3], [1/3, 2/3]] before the softmax
    X, L = np.zeros((2, 2)), np.eye(2)
    p = 1 / (1 + np.exp(-1 / 3))
    np.testing.assert_allclose(glle(X, L, lam=1.0, n_neighbors=1, max_iter=None),
                               [[p, 1 - p], [1 - p, p]])
    np.testing.assert_allclose(glle(X, L, lam=0.0, n_neighbors=1, max_iter=None),
                               softmax_labels(L))


def test_laplacian_symmetrised_knn_graph():
    d2 = np.array([[0, 1, 4], [1, 0, 9], [4, 9, 0]], dtype=float)
    G = _knn_laplacian(d2, 1, 1.0).toarray()
    a01, a20 = np.exp(-0.5), np.exp(-2.0)  # 0 <-> 1 mutual, 2 -> 0 one way
    S = np.array([[0, a01, a20 / 2], [a01, 0, 0], [a20 / 2, 0, 0]])
    np.testing.assert_allclose(G, np.diag(S.sum(1)) - S)


def test_lbfgs_converges_to_exact_minimiser():
    X, D = make_synthetic_ldl(40, 3, 3, random_state=0)
    L = logical_from_distribution(D)
    exact = glle(X, L, lam=0.5, max_iter=None)
    long = glle(X, L, lam=0.5, max_iter=20000, kernel_width=0.5, random_state=0)
    np.testing.assert_allclose(long, exact, atol=2e-3)
    short = GLLE(random_state=0).fit_transform(X, L)
    assert not np.allclose(short, exact, atol=1e-3)  # 50 iterations stop early


def test_seeded_rows_sum_to_one():
    X, D = make_synthetic_ldl(120, 5, 4, random_state=3)
    L = logical_from_distribution(D)
    a = GLLE(random_state=1).fit_transform(X, L)
    np.testing.assert_allclose(a, GLLE(random_state=1).fit_transform(X, L))
    assert not np.allclose(a, GLLE(random_state=2).fit_transform(X, L))
    np.testing.assert_allclose(a.sum(1), 1)
    assert a.shape == D.shape


def test_errors():
    X, L = np.zeros((3, 2)), np.eye(3)
    with pytest.raises(ValueError, match=r'n_neighbors: must be an integer in \[1, 2\]'):
        GLLE(n_neighbors=3).fit(X, L)
    with pytest.raises(ValueError, match='GLLE: parameter max_iter=0 is invalid'):
        GLLE(max_iter=0).fit(X, L)
    with pytest.raises(ValueError, match='GLLE: parameter lam=-1 is invalid'):
        GLLE(lam=-1).fit(X, L)
    with pytest.raises(ValueError, match='max_iter: must be None or an integer >= 1'):
        glle(X, L, max_iter=0)
    with pytest.raises(ValueError, match='lam must be >= 0'):
        glle(X, L, lam=-1)
    with pytest.raises(ValueError, match='kernel_width: must be > 0'):
        glle(X, L, kernel_width=0.0, n_neighbors=1)


@pytest.mark.real_data
@pytest.mark.slow
@pytest.mark.parametrize('name', ['sj', 'ns'])
def test_reproduces_anchor(real_ldl, le_anchor, le_measures, name):
    X, D, L = real_ldl(name)
    runs = [le_measures(D, GLLE(random_state=s).fit_transform(X, L)) for s in range(3)]
    cheb = np.mean([r['chebyshev'] for r in runs])
    assert cheb == pytest.approx(le_anchor(name, 'GLLE')['chebyshev'], abs=0.01)
