import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from gmiml.baselines.mimlsvm import MIMLSVM
from gmiml.metrics import mean_average_precision, ranking_loss
from gmiml.utils import hausdorff_distances


@pytest.fixture(scope='module')
def fitted(data):
    bags, Y, *_ = data
    return MIMLSVM(random_state=0).fit(bags, Y)


def test_learns_planted_structure_and_beats_label_frequency(data, fitted, check_learns):
    *_, bags_te, Y_te = data
    S = check_learns(fitted, data, 0.2, 0.5, 0.3)
    assert (fitted.predict(bags_te) != Y_te).mean() < 0.2


def test_structure_medoids_and_t_criterion(data, fitted):
    bags, Y, bags_te, _ = data
    assert len(fitted.medoid_bags_) == 40  # 20% of 200
    assert fitted.features_.shape == (200, 40)
    D = hausdorff_distances(bags)
    np.testing.assert_allclose(fitted.features_, D[:, fitted.medoid_indices_])
    # decision values equal scikit-learn's SVC on the same kernel
    from sklearn.svm import SVC
    Z = fitted.features_
    K = np.exp(-0.2 * ((Z[:, None] - Z[None]) ** 2).sum(-1))
    svc = SVC(kernel='precomputed', C=1.0).fit(K, Y[:, 0])
    np.testing.assert_allclose(fitted.decision_function(bags)[:, 0],
                               svc.decision_function(K), rtol=1e-6, atol=1e-8)
    # T-criterion: every bag gets at least one label, the top one
    S = fitted.decision_function(bags_te)
    pred = fitted.predict(bags_te)
    assert pred.dtype == np.uint8 and pred.any(axis=1).all()
    empty = ~(S >= 0).any(axis=1)
    assert empty.any()  # the rule is exercised on this data
    np.testing.assert_array_equal(pred[empty].sum(1), 1)
    np.testing.assert_array_equal(pred[empty].argmax(1), S[empty].argmax(1))
    np.testing.assert_array_equal(pred[~empty], (S[~empty] >= 0).astype(np.uint8))


def test_single_class_labels_do_not_crash(data):
    bags, Y, bags_te, _ = data
    Y = np.concatenate([Y, np.zeros((len(Y), 1), np.uint8), np.ones((len(Y), 1),
                                                                    np.uint8)], axis=1)
    est = MIMLSVM(random_state=0).fit(bags[:60], Y[:60])
    S = est.decision_function(bags_te)
    np.testing.assert_array_equal(S[:, -2], -1.0)
    np.testing.assert_array_equal(S[:, -1], 1.0)


def test_deterministic_and_gamma_scale(data):
    bags, Y, bags_te, Y_te = data
    a = MIMLSVM(random_state=3).fit(bags[:80], Y[:80]).decision_function(bags_te)
    b = MIMLSVM(random_state=3).fit(bags[:80], Y[:80]).decision_function(bags_te)
    np.testing.assert_array_equal(a, b)
    est = MIMLSVM(gamma='scale', random_state=0).fit(bags, Y)
    assert est.gamma_ == pytest.approx(1.0 / (40 * est.features_.var()))
    assert ranking_loss(Y_te, est.decision_function(bags_te)) < 0.2


def test_contract_and_bad_input(data):
    bags, Y, bags_te, _ = data
    est = MIMLSVM(C=2.0, random_state=1)
    assert clone(est).get_params()['C'] == 2.0 and 'C=2.0' in repr(est)
    with pytest.raises(NotFittedError):
        est.predict(bags_te)
    with pytest.raises(ValueError, match='ratio'):
        MIMLSVM(ratio=0).fit(bags, Y)
    with pytest.raises(ValueError, match='gamma'):
        MIMLSVM(gamma='auto').fit(bags[:30], Y[:30])
    with pytest.raises(ValueError, match=r'bags\[1\]: non-finite'):
        MIMLSVM().fit([bags[0], np.full_like(bags[1], np.nan)], Y[:2])
    with pytest.raises(ValueError, match='rows'):
        MIMLSVM().fit(bags[:5], Y[:4])
    est.fit(bags[:30], Y[:30], eval_set=(bags[30:40], Y[30:40]))
    with pytest.raises(ValueError, match='features'):
        est.predict([np.ones((2, 3), np.float32)])
