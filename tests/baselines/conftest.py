"""Shared pieces of the baseline tests: planted synthetic data and the check that a method
learns it and beats the label-frequency predictor; for the label-enhancement baselines,
the anchor table and the real LDL files."""
import csv
from pathlib import Path

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


# --- label enhancement (LP, GLLE) ---------------------------------------------------
ANCHORS = Path(__file__).resolve().parents[2] / 'benchmarks' / 'reference' / \
    'le_recovery_anchors.csv'
MEASURES = ('chebyshev', 'clark', 'canberra', 'kl', 'cosine', 'intersection')


def _anchor(dataset: str, method: str) -> dict:
    """The anchor row of ``method`` on ``dataset`` as ``{measure: float}``."""
    with open(ANCHORS, newline='') as f:
        for row in csv.DictReader(f):
            if row['dataset'] == dataset and row['method'] == method:
                return {m: float(row[m]) for m in MEASURES}
    raise KeyError(f'{ANCHORS}: no row for {method} on {dataset}')


def _real_ldl(data_root, name: str):
    """(X, D, L) of ``ldl/<name>.mat`` under the data root; skips when it is absent."""
    from gmiml.io import read_ldl_mat
    from gmiml.utils import logical_from_distribution

    p = data_root / 'ldl' / f'{name}.mat'
    if not p.is_file():
        pytest.skip(f'{p} not present (the LDL files are optional)')
    d = read_ldl_mat(p)
    return d.X, d.D, logical_from_distribution(d.D)


def _measures(D, R) -> dict:
    """The six measures under the anchor table's column names."""
    from gmiml.metrics import evaluate_distribution

    m = evaluate_distribution(D, R)
    m['kl'] = m.pop('kl_divergence')
    return m


@pytest.fixture(scope='session')
def le_anchor():
    """``le_anchor(dataset, method) -> {measure: value}`` from the anchor table."""
    return _anchor


@pytest.fixture(scope='session')
def real_ldl(data_root):
    """``real_ldl(name) -> (X, D, L)`` of ``ldl/<name>.mat``; skips when it is absent."""
    return lambda name: _real_ldl(data_root, name)


@pytest.fixture(scope='session')
def le_measures():
    """``le_measures(D, R)``: the six measures under the anchor table's column names."""
    return _measures
