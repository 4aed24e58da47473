"""Shared pieces of the baseline tests: planted synthetic data and the check that a method
learns it and beats the label-frequency predictor."""
import numpy as np
import pytest

from gmiml.datasets import make_synthetic_miml
from gmiml.metrics import mean_average_precision, ranking_loss


def planted_split(n_bags=300, n_train=200, instances_per_bag=(2, 5)):
    """(train bags, train Y, test bags, test Y) of planted data with 6 labels."""
    d = make_synthetic_miml(n_bags=n_bags, n_labels=6, n_features=10,
                            instances_per_bag=instances_per_bag, random_state=0)
    return d.bags[:n_train], d.Y[:n_train], d.bags[n_train:], d.Y[n_train:]


@pytest.fixture(scope='session')
def planted():
    """The :func:`planted_split` function, for tests that need another size."""
    return planted_split


@pytest.fixture(scope='module')
def data():
    return planted_split()


@pytest.fixture(scope='session')
def check_learns():
    """``check(fitted, data, rl_max, rl_ratio, map_margin) -> test scores``: the method
    ranks the test labels with ranking loss below ``rl_max`` and below ``rl_ratio`` times
    the label-frequency predictor's, and its mAP beats that predictor's by
    ``map_margin``."""
    def check(fitted, data, rl_max, rl_ratio, map_margin):
        _, Y, bags_te, Y_te = data
        S = fitted.decision_function(bags_te)
        assert S.shape == Y_te.shape and S.dtype == np.float64
        freq = np.tile(Y.mean(0), (len(bags_te), 1))
        rl = ranking_loss(Y_te, S)
        assert rl < rl_max
        assert rl < rl_ratio * ranking_loss(Y_te, freq)
        assert mean_average_precision(Y_te, S) > mean_average_precision(Y_te, freq) + map_margin
        return S
    return check
