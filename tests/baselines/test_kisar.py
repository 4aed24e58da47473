import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import label_ranking_loss

from gmiml.baselines.kisar import KISAR, _label_relation, _squared_hinge_svms
from gmiml.datasets import make_synthetic_miml


def _synthetic(n_bags=240, n_labels=6, seed=0):
    d = make_synthetic_miml(n_bags=n_bags, n_labels=n_labels, n_features=8,
                            instances_per_bag=(2, 6), random_state=seed)
    return d.bags, d.Y, d.meta


@pytest.fixture(scope='module')
def data():
    bags, Y, meta = _synthetic()
    return bags[:180], Y[:180], bags[180:], Y[180:], meta


@pytest.fixture(scope='module')
def fitted(data):
    bags, Y, *_ = data
    return KISAR(max_prototypes=60, random_state=0).fit(bags, Y)


def test_learns_planted_structure_and_beats_label_frequency(data, fitted):
    _, Y, bags_te, Y_te, _ = data
    S = fitted.decision_function(bags_te)
    assert S.shape == Y_te.shape and S.dtype == np.float64
    rl = label_ranking_loss(Y_te, S)
    freq = np.tile(Y.mean(0), (len(bags_te), 1))
    assert rl < 0.1
    assert rl < 0.5 * label_ranking_loss(Y_te, freq)
    pred = fitted.predict(bags_te)
    assert pred.dtype == np.uint8
    np.testing.assert_array_equal(pred, (S >= 0).astype(np.uint8))  # sign rule, no T
    assert (pred != Y_te).mean() < 0.1
    P = fitted.predict_proba(bags_te)
    assert ((P >= 0) & (P <= 1)).all()
    np.testing.assert_array_equal(P >= 0.5, S >= 0)


def test_alternation_decreases_objective(fitted):
    obj = np.asarray(fitted.objective_)
    assert fitted.n_iter_ == obj.size >= 2
    assert np.all(np.diff(obj) <= 1e-6 * obj[:-1])
    np.testing.assert_allclose(fitted.prototype_weights_.sum(0), 1.0, rtol=1e-6)


def test_key_prototypes_and_sharing(data):
    bags, Y, _, _, meta = data
    # no sharing: the heaviest prototype of each label lies at (one of) its trigger types
    est = KISAR(max_prototypes=60, relation='identity', random_state=0).fit(bags, Y)
    top = est.prototypes_[est.prototype_weights_.argmax(0)]
    dist = ((top[:, None, :] - meta['prototypes'][None]) ** 2).sum(-1)
    for l, rule in enumerate(meta['label_rules']):
        assert dist[l].argmin() in rule[1:], (l, rule)
    # all labels related: one shared set of prototype weights
    est = KISAR(max_prototypes=60, relation='all', max_iter=3, random_state=0).fit(bags, Y)
    D = est.prototype_weights_
    np.testing.assert_allclose(D, np.repeat(D[:, :1], D.shape[1], axis=1), rtol=1e-9)


def test_vectorised_svm_matches_liblinear():
    from sklearn.svm import LinearSVC
    rng = np.random.default_rng(1)
    Phi = np.hstack([rng.random((120, 6)), np.ones((120, 1))])
    Ys = np.where(rng.random((120, 3)) < 0.4, 1.0, -1.0)
    Ys[:, 0] = np.where(Phi[:, 0] > 0.5, 1.0, -1.0)
    W = _squared_hinge_svms(Phi, Ys, np.ones((7, 3)), 3.0, tol=1e-8)
    for t in range(3):
        svc = LinearSVC(C=3.0, dual=False, tol=1e-10, max_iter=10000).fit(Phi[:, :6],
                                                                         Ys[:, t])
        np.testing.assert_allclose(W[:, t], np.r_[svc.coef_.ravel(), svc.intercept_],
                                   atol=1e-4)
    # a per-feature penalty a_k is the same as scaling feature k by 1/sqrt(a_k)
    a = rng.uniform(0.5, 4.0, 7)
    Wa = _squared_hinge_svms(Phi, Ys, np.tile(a[:, None], (1, 3)), 3.0, tol=1e-8)
    Wb = _squared_hinge_svms(Phi / np.sqrt(a), Ys, np.ones((7, 3)), 3.0, tol=1e-8)
    np.testing.assert_allclose(Wa, Wb / np.sqrt(a)[:, None], atol=1e-5)


def test_label_relation_rule():
    Y = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1]])
    # co-occurrences: (0,1)=3, (0,2)=1, (1,2)=1, (2,3)=1, others 0; mean off-diag = 1
    R = _label_relation(Y, 'mean')
    expected = np.eye(4, dtype=bool)
    expected[0, 1] = expected[1, 0] = True
    np.testing.assert_array_equal(R, expected)
    assert _label_relation(Y, 'all').all()
    np.testing.assert_array_equal(_label_relation(Y, 'identity'), np.eye(4, dtype=bool))


def test_deterministic_under_random_state(data):
    bags, Y, bags_te, *_ = data
    a = KISAR(max_prototypes=40, max_iter=3, random_state=3).fit(bags, Y)
    b = KISAR(max_prototypes=40, max_iter=3, random_state=3).fit(bags, Y)
    np.testing.assert_array_equal(a.prototypes_, b.prototypes_)
    np.testing.assert_array_equal(a.decision_function(bags_te), b.decision_function(bags_te))
    c = KISAR(max_prototypes=40, max_iter=3, random_state=4).fit(bags, Y)
    assert not np.array_equal(a.prototypes_, c.prototypes_)


def test_few_instances_become_prototypes_and_one_class_labels_are_constant():
    bags, Y, _ = _synthetic(n_bags=40, n_labels=3, seed=2)
    Y = np.hstack([Y, np.zeros((40, 1), np.uint8), np.ones((40, 1), np.uint8)])
    est = KISAR(max_iter=2).fit(bags, Y)
    n_distinct = np.unique(np.concatenate(bags), axis=0).shape[0]
    assert est.prototypes_.shape[0] == n_distinct
    np.testing.assert_array_equal(est.active_labels_, [0, 1, 2])
    S = est.decision_function(bags[:5])
    np.testing.assert_array_equal(S[:, 3], -1.0)
    np.testing.assert_array_equal(S[:, 4], 1.0)
    assert (est.predict(bags[:5])[:, 4] == 1).all()
    # every label one-class: still fits, constant scores
    est = KISAR().fit(bags[:3], np.ones((3, 2), np.uint8))
    np.testing.assert_array_equal(est.decision_function(bags[:2]), 1.0)


def test_bad_input_and_params(data):
    bags, Y, *_ = data
    with pytest.raises(NotFittedError):
        KISAR().decision_function(bags)
    bad = [b.copy() for b in bags[:10]]
    bad[4][0, 1] = np.nan
    with pytest.raises(ValueError, match=r'bags\[4\].*non-finite'):
        KISAR().fit(bad, Y[:10])
    with pytest.raises(ValueError, match='rows'):
        KISAR().fit(bags[:10], Y[:9])
    with pytest.raises(ValueError, match='outside'):
        KISAR().fit(bags[:10], np.full((10, 2), 2))
    with pytest.raises(ValueError, match='empty bag'):
        KISAR().fit([np.zeros((0, 8))] + list(bags[1:10]), Y[:10])
    for params, msg in [({'C': 0}, 'C'), ({'max_prototypes': 0}, 'max_prototypes'),
                        ({'max_iter': 1.5}, 'max_iter'), ({'relation': 'x'}, 'relation')]:
        with pytest.raises(ValueError, match=msg):
            KISAR(**params).fit(bags[:10], Y[:10])
    est = KISAR(max_prototypes=10, max_iter=1).fit(bags[:20], Y[:20])
    with pytest.raises(ValueError, match='expected 8'):
        est.predict([np.ones((2, 5))])


def test_sklearn_contract():
    est = KISAR(C=10.0, random_state=1)
    assert clone(est).get_params() == est.get_params()
    assert est.get_params()['C'] == 10.0 and not hasattr(est, 'coef_')
    assert repr(est) == 'KISAR(C=10.0, random_state=1)'  # scikit-learn's repr
