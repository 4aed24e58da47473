import numpy as np
import pytest
import torch

from gmiml import GLEMIMLClassifier
from gmiml.datasets import make_synthetic_miml
from gmiml.estimators import PARAM_GRID, PRESETS

# decision_function of the set-up below on one CPU thread, computed with the estimator of
# commit e403527 (before bag_graph, prior_bias and threshold='auto' existed)
_GOLDEN = [[-0.112320192158, 0.062234241515, -0.229438006878, -0.005540408194],
           [-0.106280758977, 0.047452352941, -0.181926757097, -0.033805735409],
           [-0.131809681654, 0.01236478053, -0.175952374935, -0.014529325068],
           [-0.102235093713, 0.018989872187, -0.126851886511, -0.065431080759]]


def test_paper_preset_is_the_old_estimator_bit_for_bit():
    d = make_synthetic_miml(n_bags=120, n_labels=4, n_features=6,
                            instances_per_bag=(2, 5), random_state=1)
    est = GLEMIMLClassifier.preset('paper', hidden_channels=16, enhancer_channels=16,
                                   max_epochs=5, patience=3, random_state=2)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # reductions on several threads round differently
    try:
        est.fit(d.bags[:80], d.Y[:80], eval_set=(d.bags[80:100], d.Y[80:100]))
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_allclose(est.decision_function(d.bags[100:104]), _GOLDEN,
                               rtol=0, atol=1e-9)
    assert est.model_.bag_propagation is None and est.threshold_ == 0.5


def test_presets_and_grid():
    assert GLEMIMLClassifier.preset('default').get_params() == \
        GLEMIMLClassifier().get_params()
    p = GLEMIMLClassifier.preset('paper', rho=0.5).get_params()
    assert (p['bag_graph'], p['prior_bias'], p['threshold'], p['rho']) == \
        (None, False, 0.5, 0.5)
    assert set(PRESETS) >= {'default', 'paper'}
    assert GLEMIMLClassifier.param_grid == PARAM_GRID and PARAM_GRID[0] == {}
    assert len(PARAM_GRID) == 3  # at most the baselines' budget (test_param_grids.py)
    assert len({tuple(sorted(g.items())) for g in PARAM_GRID}) == 3  # all distinct
    for cfg in PARAM_GRID:  # every grid entry is a valid configuration
        GLEMIMLClassifier(**cfg)._validate_params()
    with pytest.raises(ValueError, match="unknown name 'papr'"):
        GLEMIMLClassifier.preset('papr')


def test_bag_graph_switches_and_fits_with_a_capped_bank():
    d = make_synthetic_miml(n_bags=120, n_labels=4, n_features=6,
                            instances_per_bag=(2, 5), random_state=1)
    kw = dict(hidden_channels=16, enhancer_channels=16, max_epochs=3, random_state=0)
    est = GLEMIMLClassifier(bag_k=5, max_bank=40, **kw).fit(d.bags[:80], d.Y[:80])
    prop = est.model_.bag_propagation
    assert prop is not None and prop.bank_y.shape == (40, 4)
    # the output bias starts at the label log-odds (prior_bias); tau, w are learnt
    assert est.decision_function(d.bags[100:]).shape == (20, 4)
    mean = GLEMIMLClassifier(bag_graph='mean', bag_beta=0.0, **kw).fit(d.bags[:80],
                                                                       d.Y[:80])
    assert mean.model_.bag_propagation.similarity == 'mean'
    with pytest.raises(ValueError, match='bag_graph'):
        GLEMIMLClassifier(bag_graph='hausdorff', **kw).fit(d.bags[:80], d.Y[:80])


def test_prior_bias_sets_the_output_bias():
    d = make_synthetic_miml(n_bags=60, n_labels=3, n_features=4, random_state=0)
    est = GLEMIMLClassifier(bag_graph=None, max_epochs=1, lr=1e-12, random_state=0,
                            validation_fraction=0.0)
    Y = d.Y.copy()
    Y[:, 2] = 0  # no positive: frequency clipped at 1 / (2n)
    with pytest.warns(UserWarning, match='no positive'):
        est.fit(d.bags, Y)
    bias = est.model_.classifier.lins[-1].bias.detach().double().numpy()
    # with lr ~ 0 the bias stays at the label log-odds of the training bags
    pi = np.clip(Y.mean(0), 0.5 / 60, 1 - 0.5 / 60)
    np.testing.assert_allclose(bias, np.log(pi / (1 - pi)), atol=1e-6)
    off = GLEMIMLClassifier(bag_graph=None, prior_bias=False, max_epochs=1, lr=1e-12,
                            random_state=0, validation_fraction=0.0).fit(d.bags, d.Y)
    assert np.abs(off.model_.classifier.lins[-1].bias.detach().numpy()).max() < 1
