import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from gmiml.baselines.mi_flem import MIFLEM


@pytest.fixture(scope='module')
def data(planted):
    return planted(n_bags=400, n_train=300, instances_per_bag=(1, 3))


@pytest.fixture(scope='module')
def fitted(data):
    bags, Y, *_ = data
    return MIFLEM(random_state=0).fit(bags, Y)


def test_learns_planted_structure_and_beats_label_frequency(data, fitted, check_learns):
    *_, bags_te, Y_te = data
    # a flattened bag loses the instances' exchangeability (a type is learned separately
    # at every position), so MI-FLEM learns the planted structure only partly (small
    # bags here); it must still clearly beat the label-frequency predictor
    S = check_learns(fitted, data, 0.3, 0.7, 0.2)
    np.testing.assert_array_equal(fitted.predict(bags_te), (S > 0).astype(np.uint8))
    D = fitted.label_distribution(bags_te, Y_te)
    np.testing.assert_allclose(D.sum(1), 1.0, rtol=1e-9)
    assert len(fitted.history_) == 30 and 0 <= fitted.best_epoch_ < 30


def test_flattening_order_and_padding(data, fitted):
    bags, Y, *_ = data
    m, d = fitted.max_instances_, fitted.n_features_in_
    assert m == max(len(b) for b in bags)
    V = fitted._flatten([bags[0]])
    n = len(bags[0])
    z = (bags[0] - fitted.mean_) / fitted.scale_  # standardised on the training instances
    np.testing.assert_allclose(V[0, :n * d], z.reshape(-1), rtol=1e-5, atol=1e-6)
    assert np.all(V[0, n * d:] == 0)  # zero padding (= the training mean)
    x = np.concatenate(bags[:40]).astype(np.float64)
    est = MIFLEM(max_epochs=1, random_state=0, validation_fraction=0).fit(bags[:40], Y[:40])
    np.testing.assert_allclose(est.mean_, x.mean(0))
    raw = MIFLEM(standardize=False, max_epochs=1, random_state=0).fit(bags[:40], Y[:40])
    V = raw._flatten([bags[0]])
    np.testing.assert_allclose(V[0, :n * d], bags[0].reshape(-1))  # instances in order


def test_mean_reading(data):
    bags, Y, bags_te, _ = data
    est = MIFLEM(bag_reading='mean', max_epochs=2, random_state=0).fit(bags[:60], Y[:60])
    assert est.max_instances_ == 1
    V = est._flatten(bags_te[:3])
    want = [((b - est.mean_) / est.scale_).mean(0) for b in bags_te[:3]]
    np.testing.assert_allclose(V, np.stack(want), rtol=1e-5, atol=1e-6)
    big = np.zeros((50, est.n_features_in_), np.float32)  # any bag size, no warning
    assert est.predict([big]).shape == (1, 6)


def test_prior_initialisation(data):
    bags, Y, bags_te, _ = data
    Y = Y[:60].copy()
    Y[:, 5] = 0  # a label without positives gets a very low start
    est = MIFLEM(max_epochs=1, lr=1e-12, validation_fraction=0, random_state=0)
    est.fit(bags[:60], Y)  # a learning rate of ~0: the scores stay at the start
    p = (Y.sum(0) + 0.5) / (len(Y) + 1)
    S = est.decision_function(bags_te[:4])
    np.testing.assert_allclose(S, np.tile(np.log(p / (1 - p)), (4, 1)), atol=1e-6)
    k = MIFLEM(classifier_init='kaiming', max_epochs=1, lr=1e-12, validation_fraction=0,
               random_state=0).fit(bags[:60], Y)
    assert np.ptp(k.decision_function(bags_te[:4]), axis=0).max() > 0.1  # bag-dependent


def test_same_seed_same_result_and_contract(data):
    bags, Y, bags_te, _ = data
    a = MIFLEM(max_epochs=3, random_state=1).fit(bags[:80], Y[:80]).decision_function(bags_te)
    b = MIFLEM(max_epochs=3, random_state=1).fit(bags[:80], Y[:80]).decision_function(bags_te)
    np.testing.assert_array_equal(a, b)
    est = MIFLEM(method='threshold', alpha=0.1)
    assert clone(est).get_params()['method'] == 'threshold'
    with pytest.raises(NotFittedError):
        est.predict(bags_te)
    for method in ('threshold', 'sim'):
        s = MIFLEM(method=method, max_epochs=2, random_state=0).fit(bags[:40], Y[:40])
        assert np.isfinite(s.decision_function(bags_te)).all()


def test_bad_input(data):
    bags, Y, *_ = data
    with pytest.raises(ValueError, match='method'):
        MIFLEM(method='foo').fit(bags, Y)
    with pytest.raises(ValueError, match='alpha'):
        MIFLEM(alpha=2.0).fit(bags, Y)
    with pytest.raises(ValueError, match='classifier_init'):
        MIFLEM(classifier_init='zeros').fit(bags, Y)
    with pytest.raises(ValueError, match='bag_reading'):
        MIFLEM(bag_reading='max').fit(bags, Y)
    est = MIFLEM(max_epochs=1, random_state=0).fit(bags[:40], Y[:40])
    with pytest.raises(ValueError, match='features'):
        est.predict([np.zeros((2, 3), np.float32)])
    big = np.zeros((est.max_instances_ + 2, est.n_features_in_), np.float32)
    with pytest.warns(UserWarning, match='first'):
        assert est.predict([big]).shape == (1, 6)


def test_fitted_miflem_pickles():
    """Regression (#10): the network's modules are top-level classes, so a fitted MIFLEM
    pickles and predicts identically after the round trip."""
    import pickle
    from gmiml.baselines import MIFLEM
    from gmiml.datasets import make_synthetic_miml
    d = make_synthetic_miml(n_bags=40, n_labels=3, n_features=4, random_state=0)
    est = MIFLEM(max_epochs=2, random_state=0).fit(d.bags, d.Y)
    r = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(r.predict_proba(d.bags), est.predict_proba(d.bags))
    np.testing.assert_array_equal(r.label_distribution(d.bags, d.Y),
                                  est.label_distribution(d.bags, d.Y))
