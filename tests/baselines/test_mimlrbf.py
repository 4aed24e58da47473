import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from gmiml.baselines.mimlrbf import MIMLRBF
from gmiml.datasets import make_synthetic_miml
from gmiml.metrics import mean_average_precision, ranking_loss
from gmiml.utils import hausdorff_distances


@pytest.fixture(scope='module')
def data():
    d = make_synthetic_miml(n_bags=300, n_labels=6, n_features=10,
                            instances_per_bag=(2, 5), random_state=0)
    return d.bags[:200], d.Y[:200], d.bags[200:], d.Y[200:]


@pytest.mark.parametrize('variant', ['max', 'avg', 'min'])
def test_learns_planted_structure_and_beats_label_frequency(data, variant):
    bags, Y, bags_te, Y_te = data
    est = MIMLRBF(variant=variant, random_state=0).fit(bags, Y)
    S = est.decision_function(bags_te)
    assert S.shape == Y_te.shape and S.dtype == np.float64
    freq = np.tile(Y.mean(0), (len(bags_te), 1))
    rl = ranking_loss(Y_te, S)
    assert rl < 0.25
    assert rl < 0.5 * ranking_loss(Y_te, freq)
    assert mean_average_precision(Y_te, S) > mean_average_precision(Y_te, freq) + 0.2
    np.testing.assert_array_equal(est.predict(bags_te), (S >= 0).astype(np.uint8))


def test_centres_width_and_least_squares(data):
    bags, Y, *_ = data
    est = MIMLRBF(random_state=0).fit(bags, Y)
    # per label ceil(0.1 * |U_l|) medoids, all among the label's positive bags
    expected = sum(int(np.ceil(0.1 * n)) for n in Y.sum(0))
    assert est.n_units_ == expected
    assert len(est.center_bags_) == len(est.center_indices_) <= expected
    assert (Y[est.center_indices_].sum(1) > 0).all()
    D = hausdorff_distances(bags)
    # sigma = mu * mean pairwise centre distance, over all units (duplicates included)
    assert 0 < est.sigma_ < 0.8 * D.max()
    Phi = np.hstack([np.exp(-0.5 * (D[:, est.center_indices_] / est.sigma_) ** 2),
                     np.ones((200, 1))])
    W = np.concatenate([est.coef_, est.intercept_[None]])
    T = 2.0 * Y - 1.0
    # normal equations of the least-squares output layer
    assert np.abs(Phi.T @ (Phi @ W - T)).max() < 1e-6 * np.abs(Phi.T @ T).max()
    np.testing.assert_allclose(est.decision_function(bags), Phi @ W, atol=1e-6)


def test_one_centre_and_label_without_positives(data):
    bags, Y, bags_te, _ = data
    Y1 = np.zeros((12, 2), np.uint8)
    Y1[:3, 0] = 1  # label 0: 3 positives -> 1 centre; label 1: none -> no centre
    est = MIMLRBF(random_state=0).fit(bags[:12], Y1)
    assert est.n_units_ == 1 and np.isfinite(est.sigma_) and est.sigma_ > 0
    S = est.decision_function(bags_te)
    assert np.isfinite(S).all()
    assert (S[:, 1] < 0).all()


def test_deterministic_and_bad_input(data):
    bags, Y, bags_te, _ = data
    a = MIMLRBF(random_state=2).fit(bags[:100], Y[:100]).decision_function(bags_te)
    b = MIMLRBF(random_state=2).fit(bags[:100], Y[:100]).decision_function(bags_te)
    np.testing.assert_array_equal(a, b)
    est = MIMLRBF(mu=0.6, variant='avg')
    assert clone(est).get_params()['mu'] == 0.6 and "variant='avg'" in repr(est)
    with pytest.raises(NotFittedError):
        est.predict(bags_te)
    with pytest.raises(ValueError, match='mu'):
        MIMLRBF(mu=0).fit(bags, Y)
    with pytest.raises(ValueError, match='no positive label'):
        MIMLRBF().fit(bags[:5], np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"^MIMLRBF: parameter variant='median' is invalid; expected one of 'max', 'avg', 'min'$"):
        MIMLRBF(variant='median').fit(bags[:20], Y[:20])
