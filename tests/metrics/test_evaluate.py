import warnings

import numpy as np
import pytest
import torch

import gmiml
from gmiml import metrics as M
from gmiml.metrics import LOWER_IS_BETTER, PAPER_METRICS, evaluate

KEYS = ['hamming_loss', 'ranking_loss', 'mean_average_precision', 'macro_f1', 'micro_f1',
        'one_error', 'coverage', 'average_precision', 'macro_auc']
HARD = {'hamming_loss', 'macro_f1', 'micro_f1'}


def _data(seed=0, n=40, L=7):
    rng = np.random.default_rng(seed)
    Y = (rng.random((n, L)) < 0.3).astype(np.uint8)
    Y[np.arange(n), rng.integers(0, L, n)] = 1
    Y[0] = 1  # one degenerate bag
    S = np.round(rng.random((n, L)) * 0.6 + 0.4 * Y, 1)  # probabilities with ties
    return Y, S


def test_keys_and_values_match_the_functions():
    Y, S = _data()
    out = evaluate(Y, S)
    assert list(out) == KEYS
    H = (S > 0.5).astype(np.uint8)
    for key in KEYS:
        fn = getattr(M, key)
        expected = fn(Y, H) if key in HARD else fn(Y, S)
        assert out[key] == pytest.approx(expected), key
        assert isinstance(out[key], float)


def test_threshold_is_strict_and_y_pred_overrides_it():
    Y = np.array([[1, 0, 1], [0, 1, 0]])
    S = np.array([[0.5, 0.2, 0.9], [0.5, 0.7, 0.1]])
    out = evaluate(Y, S)  # 0.5 is not > 0.5: bag 0 misses label 0
    assert out['hamming_loss'] == pytest.approx(1 / 6)
    assert evaluate(Y, S, threshold=0.4)['hamming_loss'] == pytest.approx(1 / 6)  # FP at [1,0]
    assert evaluate(Y, S, threshold=0.0)['hamming_loss'] == pytest.approx(3 / 6)
    perfect = evaluate(Y, S, Y_pred=Y)
    assert perfect['hamming_loss'] == 0.0
    assert perfect['macro_f1'] == 1.0 and perfect['micro_f1'] == 1.0
    # Y_pred takes precedence over any threshold; ranking metrics still use the scores
    assert evaluate(Y, S, threshold=0.0, Y_pred=Y) == perfect
    assert perfect['ranking_loss'] == out['ranking_loss'] == M.ranking_loss(Y, S)
    assert evaluate(Y, S, Y_pred=1 - Y)['hamming_loss'] == 1.0


def test_degenerate_option_is_passed_on():
    Y, S = _data(1)
    inc = evaluate(Y, S, degenerate='include')
    assert inc['ranking_loss'] == pytest.approx(M.ranking_loss(Y, S, degenerate='include'))
    assert inc['average_precision'] == pytest.approx(
        M.average_precision(Y, S, degenerate='include'))
    assert inc['ranking_loss'] != pytest.approx(evaluate(Y, S)['ranking_loss'])


def test_sparse_protein_like():
    rng = np.random.default_rng(5)
    n, L = 60, 300
    Y = (rng.random((n, L)) < 0.005).astype(np.uint8)
    Y[np.arange(n), rng.integers(0, L, n)] = 1
    S = rng.random((n, L)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        out = evaluate(torch.from_numpy(Y), torch.from_numpy(S))
    assert all(np.isfinite(v) for v in out.values()), out


def test_nothing_evaluable_label_wise():
    Y = np.zeros((5, 4), dtype=np.uint8)
    S = np.random.default_rng(0).random((5, 4))
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        out = evaluate(Y, S)
    nan = {k for k, v in out.items() if np.isnan(v)}
    assert nan == {'mean_average_precision', 'macro_auc'}


def test_constants():
    assert PAPER_METRICS == {'HL': 'hamming_loss', 'RL': 'ranking_loss',
                             'mAP': 'mean_average_precision', 'Ma-F1': 'macro_f1'}
    assert set(PAPER_METRICS.values()) <= set(KEYS)
    assert LOWER_IS_BETTER & set(KEYS) == {'hamming_loss', 'ranking_loss', 'one_error',
                                           'coverage'}
    # direction check on data: perfect scores beat reversed scores on every key
    Y, _ = _data(2)
    Y = Y[1:]  # drop the degenerate bag
    good, bad = evaluate(Y, Y.astype(float)), evaluate(Y, 1.0 - Y)
    for key in KEYS:
        assert (good[key] < bad[key]) == (key in LOWER_IS_BETTER), key


def test_package_exports():
    assert gmiml.evaluate is evaluate
    for name in M.__all__:
        assert hasattr(M, name)


def test_bad_input():
    Y, S = _data()
    with pytest.raises(ValueError, match='Y_pred: has shape'):
        evaluate(Y, S, Y_pred=Y[:, :3])
    with pytest.raises(ValueError, match='scores: has shape'):
        evaluate(Y, S[:5])
    with pytest.raises(ValueError, match='threshold: must be a real number'):
        evaluate(Y, S, threshold='high')
    with pytest.raises(ValueError, match='threshold: must not be NaN'):
        evaluate(Y, S, threshold=float('nan'))
    with pytest.raises(ValueError, match='degenerate'):
        evaluate(Y, S, degenerate='sklearn')
