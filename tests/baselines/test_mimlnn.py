import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from gmiml.baselines.mimlnn import MIMLNN
from gmiml.utils import hausdorff_distances


@pytest.fixture(scope='module')
def fitted(data):
    bags, Y, *_ = data
    return MIMLNN(random_state=0).fit(bags, Y)


def test_learns_planted_structure_and_beats_label_frequency(data, fitted, check_learns):
    *_, bags_te, Y_te = data
    S = check_learns(fitted, data, 0.2, 0.5, 0.3)
    pred = fitted.predict(bags_te)
    np.testing.assert_array_equal(pred, (S >= 0).astype(np.uint8))  # no T-criterion
    assert (pred != Y_te).mean() < 0.2


def test_output_layer_is_the_ridge_solution(data, fitted):
    bags, Y, *_ = data
    k = len(fitted.medoid_bags_)
    assert k == 80  # 40% of 200
    D = hausdorff_distances(bags)
    Phi = np.hstack([D[:, fitted.medoid_indices_], np.ones((200, 1))])
    T = 2.0 * Y - 1.0
    W = np.concatenate([fitted.coef_, fitted.intercept_[None]])
    # stationarity of ||Phi W - T||^2 + lam ||W[:k]||^2 (bias not penalised)
    grad = Phi.T @ (Phi @ W - T)
    grad[:k] += 1.0 * W[:k]
    assert np.abs(grad).max() < 1e-6 * np.abs(Phi.T @ T).max()
    np.testing.assert_allclose(fitted.decision_function(bags), Phi @ W, atol=1e-6)
    # lam = 0: plain least squares
    est = MIMLNN(lam=0.0, random_state=0).fit(bags, Y)
    W0 = np.concatenate([est.coef_, est.intercept_[None]])
    assert np.abs(Phi.T @ (Phi @ W0 - T)).max() < 1e-6 * np.abs(Phi.T @ T).max()


def test_deterministic_under_seed(data):
    bags, Y, bags_te, _ = data
    a = MIMLNN(random_state=5).fit(bags[:90], Y[:90]).decision_function(bags_te)
    b = MIMLNN(random_state=5).fit(bags[:90], Y[:90]).decision_function(bags_te)
    np.testing.assert_array_equal(a, b)


def test_contract_and_bad_input(data):
    bags, Y, bags_te, _ = data
    est = MIMLNN(lam=0.5)
    assert clone(est).get_params()['lam'] == 0.5 and 'lam=0.5' in repr(est)
    with pytest.raises(NotFittedError):
        est.decision_function(bags_te)
    with pytest.raises(ValueError, match='lam'):
        MIMLNN(lam=-1).fit(bags, Y)
    with pytest.raises(ValueError, match='ratio'):
        MIMLNN(ratio=1.5).fit(bags, Y)
    with pytest.raises(ValueError, match='outside'):
        MIMLNN().fit(bags[:3], np.full((3, 2), 2))
    with pytest.raises(ValueError, match='empty bag'):
        MIMLNN().fit([bags[0], np.zeros((0, 10), np.float32)], Y[:2])
