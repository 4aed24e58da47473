import warnings

import numpy as np
import pytest
import torch
from scipy.spatial import distance
from scipy.special import rel_entr

from gmiml.metrics import (
    LOWER_IS_BETTER,
    canberra,
    chebyshev,
    clark,
    cosine,
    evaluate_distribution,
    intersection,
    kl_divergence,
)

METRICS = [chebyshev, clark, canberra, kl_divergence, cosine, intersection]


def _dists(seed, n=20, L=6):
    rng = np.random.default_rng(seed)
    D = rng.dirichlet(np.ones(L), size=n)
    P = rng.dirichlet(np.ones(L), size=n)
    return D, P


def test_against_scipy_and_hand_formulas():
    D, P = _dists(0)
    rows = range(len(D))
    assert chebyshev(D, P) == pytest.approx(np.mean([distance.chebyshev(D[i], P[i])
                                                      for i in rows]))
    assert canberra(D, P) == pytest.approx(np.mean([distance.canberra(D[i], P[i])
                                                     for i in rows]))
    assert cosine(D, P) == pytest.approx(np.mean([1 - distance.cosine(D[i], P[i])
                                                   for i in rows]))
    assert kl_divergence(D, P) == pytest.approx(rel_entr(D, P).sum(1).mean())
    clark_ref = np.mean([np.sqrt(sum((D[i, j] - P[i, j]) ** 2 / (D[i, j] + P[i, j]) ** 2
                                     for j in range(D.shape[1]))) for i in rows])
    assert clark(D, P) == pytest.approx(clark_ref)
    assert intersection(D, P) == pytest.approx(
        np.mean([sum(min(a, b) for a, b in zip(D[i], P[i])) for i in rows]))


def test_hand_computed_row():
    D = [[0.5, 0.5, 0.0]]
    P = [[0.25, 0.5, 0.25]]
    assert chebyshev(D, P) == pytest.approx(0.25)
    assert canberra(D, P) == pytest.approx(0.25 / 0.75 + 0 + 1)
    assert clark(D, P) == pytest.approx(np.sqrt((1 / 3) ** 2 + 1))
    assert kl_divergence(D, P) == pytest.approx(0.5 * np.log(2))  # 0 log 0 = 0
    assert intersection(D, P) == pytest.approx(0.75)
    assert cosine(D, P) == pytest.approx(0.375 / (np.sqrt(0.5) * np.sqrt(0.375)))


def test_identical_distributions_with_zeros():
    D = np.array([[0.0, 1.0, 0.0], [0.2, 0.0, 0.8]])
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # no 0/0 or log(0) warnings
        out = evaluate_distribution(D, D)
    assert out == pytest.approx({'chebyshev': 0, 'clark': 0, 'canberra': 0,
                                 'kl_divergence': 0, 'cosine': 1, 'intersection': 1})


def test_kl_with_zero_prediction_is_finite_and_large():
    D = np.array([[0.5, 0.5]])
    P = np.array([[1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        kl = kl_divergence(D, P)
    assert np.isfinite(kl)
    assert kl == pytest.approx(0.5 * np.log(0.5 / 1.0) + 0.5 * np.log(0.5 / 1e-12))
    assert kl_divergence(D, P, eps=1e-6) == pytest.approx(
        0.5 * np.log(0.5) + 0.5 * np.log(0.5 / 1e-6))


def test_evaluate_distribution_keys_and_values():
    D, P = _dists(1)
    out = evaluate_distribution(D, P)
    assert list(out) == ['chebyshev', 'clark', 'canberra', 'kl_divergence', 'cosine',
                         'intersection']
    for fn in METRICS:
        assert out[fn.__name__] == pytest.approx(fn(D, P))
    assert {'chebyshev', 'clark', 'canberra', 'kl_divergence'} <= LOWER_IS_BETTER
    assert not {'cosine', 'intersection'} & LOWER_IS_BETTER
    # a better recovery scores better on every metric
    closer = 0.9 * D + 0.1 * P
    better = evaluate_distribution(D, closer)
    for key in out:
        assert (better[key] < out[key]) == (key in LOWER_IS_BETTER)


def test_normalize_and_torch():
    D, P = _dists(2)
    ref = evaluate_distribution(D, P)
    assert evaluate_distribution(3 * D, 0.5 * P, normalize=True) == pytest.approx(ref)
    assert evaluate_distribution(torch.from_numpy(D).float(), torch.from_numpy(P)) == \
        pytest.approx(ref, rel=1e-5)


@pytest.mark.parametrize('fn', METRICS + [evaluate_distribution])
def test_bad_input(fn):
    D, P = _dists(3, n=4, L=3)
    with pytest.raises(ValueError, match=r'D_pred: row 0 sums to 2'):
        fn(D, 2 * P)
    with pytest.raises(ValueError, match=r'D_true: negative value'):
        fn(D - 0.5, P, normalize=True)
    bad = P.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r'D_pred: non-finite value nan at row 2, column 1'):
        fn(D, bad)
    with pytest.raises(ValueError, match=r'D_pred: has shape \(4, 2\) but D_true'):
        fn(D, P[:, :2] / P[:, :2].sum(1, keepdims=True))
    with pytest.raises(ValueError, match=r'D_true: row 1 sums to 0'):
        fn(np.array([[1.0, 0.0], [0.0, 0.0]]), np.ones((2, 2)), normalize=True)
    with pytest.raises(ValueError, match=r'D_true: expected a 2-D'):
        fn(D[0], P[0])
