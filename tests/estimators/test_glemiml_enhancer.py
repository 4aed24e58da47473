import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from gmiml import GLEMIMLEnhancer
from gmiml.estimators import GLEMIMLEnhancer as FromEstimators
from gmiml.metrics import chebyshev, kl_divergence
from gmiml.utils.label_calibration import threshold_rule

FAST = dict(hidden_channels=32, enhancer_channels=32, max_epochs=30, patience=10)


def _ldl(seed=0, n=300, d=10, L=6):
    """Objects whose true label distributions are a softmax of a linear map of their
    features; logical labels by the threshold rule."""
    r = np.random.default_rng(seed)
    X = r.normal(size=(n, d))
    Z = X @ (r.normal(size=(d, L)) * 3 / np.sqrt(d)) + 0.3 * r.normal(size=(n, L))
    D = np.exp(Z - Z.max(1, keepdims=True))
    D /= D.sum(1, keepdims=True)
    return X.astype(np.float32), D, threshold_rule(D).astype(np.float64)


@pytest.fixture(scope='module')
def ldl():
    return _ldl()


@pytest.fixture(scope='module')
def recovered(ldl):
    X, D, L = ldl
    return GLEMIMLEnhancer(random_state=0, classifier_params=FAST).fit_transform(X, L)


def test_exported():
    assert FromEstimators is GLEMIMLEnhancer


def test_distributions_rows_and_relevant_mass(ldl, recovered):
    X, D, L = ldl
    P = recovered
    assert P.shape == D.shape and P.dtype == np.float64
    assert (P >= 0).all()
    np.testing.assert_allclose(P.sum(1), 1.0, rtol=1e-9)
    rel = (P * L).sum(1) / L.sum(1)
    irr = (P * (1 - L)).sum(1) / np.maximum((1 - L).sum(1), 1)
    assert (rel > irr).mean() > 0.95
    # the threshold rule reads most rows back as their logical labels
    assert (threshold_rule(P) == L).all(1).mean() > 0.6


def test_closer_to_the_truth_than_fixed_functions_of_the_labels(ldl, recovered):
    X, D, L = ldl
    soft = np.exp(L) / np.exp(L).sum(1, keepdims=True)
    flat = L / L.sum(1, keepdims=True)
    # Chebyshev .14 against .38 (softmax) and .22 (normalised labels); the paper's
    # uncalibrated reading gets .22
    assert chebyshev(D, recovered) < 0.5 * chebyshev(D, soft)
    assert chebyshev(D, recovered) < 0.8 * chebyshev(D, flat)
    assert kl_divergence(D, recovered) < 0.8 * kl_divergence(D, soft)


def test_features_drive_the_result(ldl, recovered):
    X, D, L = ldl
    perm = np.random.default_rng(1).permutation(len(X))
    P = GLEMIMLEnhancer(random_state=0, classifier_params=FAST).fit_transform(X[perm], L)
    assert np.abs(P - recovered).max() > 0.05
    assert chebyshev(D, P) > chebyshev(D, recovered) + 0.02


def test_same_seed_same_result_and_transform_of_new_objects(ldl, recovered):
    X, D, L = ldl
    enh = GLEMIMLEnhancer(random_state=0, classifier_params=FAST).fit(X, L)
    np.testing.assert_array_equal(enh.transform(X, L), recovered)
    Xn, Dn, Ln = _ldl(seed=0, n=320)  # same generator: 20 further objects
    Pn = enh.transform(Xn[300:], Ln[300:])
    np.testing.assert_allclose(Pn.sum(1), 1.0, rtol=1e-9)
    assert enh.n_features_in_ == X.shape[1] and enh.n_labels_ == L.shape[1]


def test_bags_and_paper_reading(ldl):
    X, D, L = ldl
    bags = [np.stack([x, x + 0.1]) for x in X[:120]]  # bags of two instances
    enh = GLEMIMLEnhancer(random_state=0, classifier_params=FAST)
    P = enh.fit_transform(bags, L[:120])
    np.testing.assert_allclose(P.sum(1), 1.0, rtol=1e-9)
    paper = GLEMIMLEnhancer(calibration=None, random_state=0,
                            classifier_params=FAST).fit_transform(bags, L[:120])
    np.testing.assert_allclose(paper.sum(1), 1.0, rtol=1e-6)
    assert np.abs(paper - P).max() > 1e-3
    # the calibration does not touch training: the calibrated model, read the paper's
    # way, is the paper-reading model
    np.testing.assert_array_equal(
        paper, enh.model_.set_params(le_calibration=None).label_distribution(bags, L[:120]))


def test_bad_input(ldl):
    X, D, L = ldl
    enh = GLEMIMLEnhancer(classifier_params=FAST)
    with pytest.raises(NotFittedError, match='fit'):
        enh.transform(X, L)
    with pytest.raises(ValueError, match='2-D'):
        enh.fit(X[None], L)
    with pytest.raises(ValueError, match='L'):
        enh.fit(X, L[:-1])
    bad = L.astype(np.int64)
    bad[3, 2] = 2
    with pytest.raises(ValueError, match='row 3'):
        enh.fit(X, bad)
    none = L.copy()
    none[5] = 0
    with pytest.raises(ValueError, match='row 5 has no relevant label'):
        enh.fit(X, none)
    Xn = X.copy()
    Xn[7, 1] = np.nan
    with pytest.raises(ValueError, match='NaN|nan'):
        enh.fit(Xn, L)
    with pytest.raises(ValueError, match='set by GLEMIMLEnhancer'):
        GLEMIMLEnhancer(classifier_params={'random_state': 1}).fit(X, L)
    with pytest.raises(ValueError, match='unknown'):
        GLEMIMLEnhancer(classifier_params={'epochs': 1}).fit(X, L)
    for params, msg in [({'calibration': 'softmax'}, 'calibration'),
                        ({'n_neighbors': 0}, 'n_neighbors'),
                        ({'mass': 0.0}, 'mass'),
                        ({'content_weight': -1.0}, 'content_weight'),
                        ({'classifier_params': [('lr', 1)]}, 'classifier_params')]:
        with pytest.raises(ValueError, match=msg):
            GLEMIMLEnhancer(**params).fit(X, L)
    with pytest.raises(TypeError):
        GLEMIMLEnhancer(5)  # keyword-only
    fitted = GLEMIMLEnhancer(classifier_params=dict(FAST, max_epochs=2)).fit(X, L)
    with pytest.raises(ValueError, match='dimension|features'):
        fitted.transform(X[:, :5], L)
    with pytest.raises(ValueError, match='L'):
        fitted.transform(X, L[:, :3])
