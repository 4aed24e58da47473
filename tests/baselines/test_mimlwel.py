import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import label_ranking_loss, roc_auc_score

from gmiml.baselines.mimlwel import MIMLWEL
from gmiml.datasets import make_synthetic_miml
from gmiml.utils import hausdorff_distances


def _synthetic(n_bags=240, n_labels=6, seed=0):
    d = make_synthetic_miml(n_bags=n_bags, n_labels=n_labels, n_features=8,
                            instances_per_bag=(2, 6), random_state=seed)
    return d.bags, d.Y


@pytest.fixture(scope='module')
def data():
    bags, Y = _synthetic()
    return bags[:180], Y[:180], bags[180:], Y[180:]


@pytest.fixture(scope='module')
def fitted(data):
    return MIMLWEL(random_state=0).fit(data[0], data[1])


def test_learns_planted_structure_and_beats_label_frequency(data, fitted):
    _, Y, bags_te, Y_te = data
    S = fitted.decision_function(bags_te)
    assert S.shape == Y_te.shape and S.dtype == np.float64
    rl = label_ranking_loss(Y_te, S)
    freq = np.tile(Y.mean(0), (len(bags_te), 1))
    assert rl < 0.2
    assert rl < 0.5 * label_ranking_loss(Y_te, freq)
    pred = fitted.predict(bags_te)
    assert pred.dtype == np.uint8
    np.testing.assert_array_equal(pred, (S >= 0).astype(np.uint8))
    assert (pred != Y_te).mean() < 0.3
    P = fitted.predict_proba(bags_te)
    assert ((P >= 0) & (P <= 1)).all()


def test_prototypes_are_per_label_medoids(data, fitted):
    _, Y, *_ = data
    idx = fitted.prototype_index_
    assert Y[idx].any(axis=1).all()  # every prototype is a tagged bag
    assert np.array_equal(idx, np.unique(idx))
    assert fitted.n_units_ == sum(math.ceil(0.1 * Y[:, l].sum()) for l in range(Y.shape[1]))
    assert len(fitted.prototypes_) == idx.size <= fitted.n_units_


def test_alternation_steps_are_exact(data):
    """One round by hand: ridge fit to the given targets, then the clipped target update;
    the stored weights are the ridge fit to the final targets."""
    bags, Y, *_ = data
    est = MIMLWEL(max_iter=1, random_state=0).fit(bags, Y)
    proto_bags = [bags[i] for i in est.prototype_index_]
    H = hausdorff_distances(bags, proto_bags)
    Phi = np.exp(-H ** 2 / (2 * est.sigma_ ** 2))
    Pt = np.hstack([Phi, np.ones((len(bags), 1))])
    Yp = 2.0 * Y - 1.0
    ridge = np.linalg.solve(Pt.T @ Pt + np.eye(Pt.shape[1]) / est.C, Pt.T)
    F = Pt @ (ridge @ Yp)
    Ybar = (Phi / Phi.sum(1, keepdims=True)) @ Yp[est.prototype_index_]
    expected = np.clip((F + est.m * Yp + est.beta * Ybar) / (1 + est.m + est.beta), -1, 1)
    expected[Y == 1] = 1.0
    np.testing.assert_allclose(est.completed_labels_, expected, atol=1e-8)
    np.testing.assert_allclose(est.coef_, ridge @ expected, atol=1e-8)


def test_objective_decreases_and_targets_respect_tags(fitted, data):
    _, Y, *_ = data
    obj = np.asarray(fitted.objective_)
    assert obj.size == fitted.n_iter_ >= 2
    assert np.all(np.diff(obj) <= 1e-9 * obj[:-1])
    Yh = fitted.completed_labels_
    assert (Yh[Y == 1] == 1).all()
    assert (Yh >= -1).all() and (Yh <= 1).all()


def test_completes_weak_labels():
    """Untag 40% of the positives: the completed targets must rank the hidden positives
    above the true negatives (the given untagged targets, all -1, cannot tell them apart)."""
    bags, Y = _synthetic(n_bags=200, seed=3)
    rng = np.random.default_rng(0)
    hidden = (Y == 1) & (rng.random(Y.shape) < 0.4)
    est = MIMLWEL(random_state=0).fit(bags, np.where(hidden, 0, Y))
    untagged = (Y == 0) | hidden
    auc = roc_auc_score(hidden[untagged], est.completed_labels_[untagged])
    assert auc > 0.8
    assert est.completed_labels_[hidden].mean() > est.completed_labels_[Y == 0].mean() + 0.1


def test_deterministic_under_random_state(data):
    bags, Y, bags_te, _ = data
    a = MIMLWEL(random_state=5).fit(bags, Y)
    b = MIMLWEL(random_state=5).fit(bags, Y)
    np.testing.assert_array_equal(a.prototype_index_, b.prototype_index_)
    np.testing.assert_array_equal(a.decision_function(bags_te), b.decision_function(bags_te))


def test_untagged_and_fully_tagged_labels():
    bags, Y = _synthetic(n_bags=40, n_labels=3, seed=2)
    Y = np.hstack([Y, np.zeros((40, 1), np.uint8), np.ones((40, 1), np.uint8)])
    est = MIMLWEL(random_state=0).fit(bags, Y)
    assert est.n_units_ == sum(math.ceil(0.1 * Y[:, l].sum()) for l in range(5))  # none for 3
    S = est.decision_function(bags[:10])
    assert np.isfinite(S).all()
    assert (S[:, 3] < 0).all() and (S[:, 4] > 0).all()
    # nothing tagged at all: only a bias, every score negative
    est = MIMLWEL().fit(bags[:5], np.zeros((5, 2), np.uint8))
    assert est.prototype_index_.size == 0
    assert (est.decision_function(bags[:3]) < 0).all()


def test_bad_input_and_params(data):
    bags, Y, *_ = data
    with pytest.raises(NotFittedError):
        MIMLWEL().predict(bags)
    bad = [b.copy() for b in bags[:10]]
    bad[2][1, 0] = np.inf
    with pytest.raises(ValueError, match=r'bags\[2\].*non-finite'):
        MIMLWEL().fit(bad, Y[:10])
    with pytest.raises(ValueError, match='rows'):
        MIMLWEL().fit(bags[:10], Y[:11])
    with pytest.raises(ValueError, match='outside'):
        MIMLWEL().fit(bags[:10], np.full((10, 3), 0.5))
    for params, msg in [({'C': -1}, 'C'), ({'m': -1}, 'm'), ({'ratio': 0}, 'ratio'),
                        ({'ratio': 1.5}, 'ratio'), ({'mu': 0}, 'mu'),
                        ({'max_iter': 0}, 'max_iter'), ({'variant': 'l2'}, 'variant')]:
        with pytest.raises(ValueError, match=msg):
            MIMLWEL(**params).fit(bags[:10], Y[:10])
    est = MIMLWEL(max_iter=1).fit(bags[:20], Y[:20])
    with pytest.raises(ValueError, match='expected 8'):
        est.decision_function([np.ones((3, 4))])


def test_sklearn_contract():
    est = MIMLWEL(beta=0.5, random_state=2)
    assert clone(est).get_params() == est.get_params()
    assert est.get_params()['beta'] == 0.5 and not hasattr(est, 'coef_')
    assert repr(est) == 'MIMLWEL(beta=0.5, random_state=2)'  # scikit-learn's repr
