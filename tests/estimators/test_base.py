import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from gmiml.estimators import BaseMIMLEstimator


class _MeanScore(BaseMIMLEstimator):
    """A tiny concrete estimator: score of label l = mean feature l of the bag."""
    _t_criterion = True

    def __init__(self, shift=0.0):
        self.shift = shift

    def fit(self, bags, Y, eval_set=None):
        self._validate_fit_data(bags, Y, eval_set)
        return self

    def decision_function(self, bags):
        bags = self._validate_bags(bags)
        return np.stack([b.mean(0) for b in bags]) + self.shift


def test_contract_and_t_criterion():
    bags = [np.array([[1.0, -1.0]]), np.array([[-2.0, -0.5]])]
    est = _MeanScore()
    with pytest.raises(NotFittedError):
        est.predict(bags)
    assert est.fit(bags, [[1, 0], [0, 1]]) is est
    assert est.n_features_in_ == 2 and est.n_labels_ == 2
    # second bag has no positive score: the T-criterion turns on its top label
    np.testing.assert_array_equal(est.predict(bags), [[1, 0], [0, 1]])
    p = est.predict_proba(bags)
    assert ((p > 0) & (p < 1)).all()
    assert np.array_equal(np.argsort(p, 1), np.argsort(est.decision_function(bags), 1))
    assert clone(est).get_params() == {'shift': 0.0}
    with pytest.raises(ValueError, match='expected 2'):
        est.predict([np.ones((1, 3))])


def test_eval_set_checked():
    est = _MeanScore()
    with pytest.raises(ValueError, match='eval_set Y'):
        est.fit([np.ones((1, 2))], [[1, 0]], eval_set=([np.ones((1, 2))], [[1, 0, 1]]))
