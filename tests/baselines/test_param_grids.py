"""Every baseline's tuning grid (``param_grid``): the reference first, the same number of
configurations for every method, constructor arguments only, and every configuration fits."""
import numpy as np
import pytest

import gmiml.baselines as B

TUNED = ['MIFLEM', 'MIMLNN', 'MIMLSVM', 'EnMIMLNN', 'MIMLRBF', 'MIMLWEL', 'KISAR']
N_CONFIGS = 4  # issue #14: one selection budget for every baseline
FAST = {'MIFLEM': {'max_epochs': 2}}  # only to keep the test short


def test_every_baseline_has_a_grid():
    # the label enhancers (LP, GLLE) are measured by Table 4 and have no MIML grid
    miml = [n for n in B.__all__ if n != 'LABEL_ENHANCERS' and n not in B.LABEL_ENHANCERS]
    assert sorted(TUNED + ['LabelFrequencyPrior']) == sorted(miml)


@pytest.mark.parametrize('name', TUNED + ['LabelFrequencyPrior'])
def test_grid_shape(name):
    cls = getattr(B, name)
    grid = cls.param_grid
    assert isinstance(grid, list) and all(isinstance(g, dict) for g in grid)
    assert grid[0] == {}  # configuration 0: the reference settings
    assert len(grid) == (1 if name == 'LabelFrequencyPrior' else N_CONFIGS)
    assert len({tuple(sorted(g.items())) for g in grid}) == len(grid)  # all distinct
    params = cls().get_params()
    for g in grid:
        assert set(g) <= set(params), f'{name}: unknown parameter(s) {set(g) - set(params)}'
        assert any(params[k] != v for k, v in g.items()) or not g  # really a change
        assert cls(**g).get_params() == {**params, **g}


@pytest.mark.parametrize('name', TUNED)
def test_every_configuration_fits(name, planted):
    bags, Y, bags_te, Y_te = planted(n_bags=90, n_train=60)
    cls = getattr(B, name)
    for g in cls.param_grid:
        est = cls(random_state=0, **{**g, **FAST.get(name, {})}).fit(bags, Y)
        S = est.predict_proba(bags_te)
        assert S.shape == Y_te.shape and np.isfinite(S).all(), g
        assert set(np.unique(est.predict(bags_te))) <= {0, 1}


def test_glemiml_grid_within_the_baselines_budget():
    # GLEMIML may tune over fewer configurations than the baselines, never more
    from gmiml import GLEMIMLClassifier
    grid = GLEMIMLClassifier.param_grid
    assert grid[0] == {} and 1 <= len(grid) <= N_CONFIGS
