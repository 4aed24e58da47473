import itertools

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from gmiml.utils import k_medoids


def _blobs(seed=0, n_per=20, centers=((0, 0), (5, 0), (0, 5))):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(c, 0.3, size=(n_per, 2)) for c in centers])
    return X, np.repeat(np.arange(len(centers)), n_per)


def _td(D, medoids):
    return D[:, medoids].min(axis=1).sum()


@pytest.mark.parametrize('init', ['k-medoids++', 'random', 'build'])
@pytest.mark.parametrize('method', ['alternate', 'pam'])
def test_recovers_separated_clusters(init, method):
    X, truth = _blobs()
    D = cdist(X, X)
    medoids, labels = k_medoids(D, 3, random_state=0, init=init, method=method)
    assert medoids.dtype == np.int64 and labels.dtype == np.int64
    assert list(medoids) == sorted(medoids)
    # one medoid per blob and the partition equals the truth up to renaming
    assert sorted(truth[medoids]) == [0, 1, 2]
    np.testing.assert_array_equal(truth[medoids][labels], truth)
    # each medoid is in its own cluster and labels are nearest-medoid assignments
    np.testing.assert_array_equal(labels[medoids], np.arange(3))
    np.testing.assert_array_equal(D[np.arange(len(D)), medoids[labels]],
                                  D[:, medoids].min(axis=1))


def test_deterministic_under_seed_and_seed_matters():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 3))
    D = cdist(X, X)
    runs = [k_medoids(D, 9, random_state=7) for _ in range(2)]
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    others = {tuple(k_medoids(D, 9, random_state=s)[0]) for s in range(6)}
    assert len(others) > 1  # the seed is actually used
    r = np.random.RandomState(3)
    k_medoids(D, 9, random_state=r)  # RandomState objects are accepted


def test_medoid_is_cluster_minimiser():
    # after convergence of "alternate", each medoid minimises the within-cluster sum
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 2))
    D = cdist(X, X)
    medoids, labels = k_medoids(D, 5, random_state=0)
    for c, m in enumerate(medoids):
        members = np.flatnonzero(labels == c)
        cost = D[np.ix_(members, members)].sum(axis=0)
        assert D[m, members].sum() == pytest.approx(cost.min())


def test_pam_is_swap_local_optimum_and_not_worse():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    D = cdist(X, X)
    alt, _ = k_medoids(D, 4, random_state=5, init='random')
    pam, _ = k_medoids(D, 4, random_state=5, init='random', method='pam')
    best = _td(D, pam)
    assert best <= _td(D, alt) + 1e-12
    for i, c in itertools.product(range(4), range(40)):
        if c in pam:
            continue
        trial = pam.copy()
        trial[i] = c
        assert _td(D, trial) >= best - 1e-9


def test_edge_cases_k_equals_n_k_one_and_duplicates():
    D = cdist(np.arange(5.0)[:, None], np.arange(5.0)[:, None])
    m, l = k_medoids(D, 5)
    np.testing.assert_array_equal(m, np.arange(5))
    np.testing.assert_array_equal(l, np.arange(5))
    m, l = k_medoids(D, 1, random_state=0)
    assert list(m) == [2] and (l == 0).all()  # the 1-medoid is the median point
    # all points identical: still k distinct medoids, each in its own cluster
    Z = np.zeros((6, 6))
    m, l = k_medoids(Z, 3, random_state=0)
    assert len(set(m)) == 3
    np.testing.assert_array_equal(l[m], np.arange(3))


@pytest.mark.parametrize('D,k,kwargs,match', [
    (np.zeros((3, 4)), 2, {}, 'square'),
    (np.zeros((0, 0)), 1, {}, 'empty'),
    (np.array([[0, np.nan], [1, 0]]), 1, {}, 'non-finite'),
    (np.array([[0, -1.0], [-1, 0]]), 1, {}, 'negative'),
    (np.zeros((3, 3)), 0, {}, 'between 1 and'),
    (np.zeros((3, 3)), 4, {}, 'between 1 and'),
    (np.zeros((3, 3)), 1.5, {}, 'integer'),
    (np.zeros((3, 3)), 1, {'init': 'foo'}, 'initialisation'),
    (np.zeros((3, 3)), 1, {'method': 'foo'}, 'unknown method'),
])
def test_bad_input(D, k, kwargs, match):
    with pytest.raises(ValueError, match=match):
        k_medoids(D, k, **kwargs)
