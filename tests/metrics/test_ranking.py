import warnings

import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from gmiml.metrics import (
    average_precision,
    coverage,
    macro_auc,
    mean_average_precision,
    one_error,
    ranking_loss,
)

BAG_METRICS = [ranking_loss, one_error, average_precision]
ALL_METRICS = BAG_METRICS + [coverage, mean_average_precision, macro_auc]


def _random(seed, n=60, L=8, p=0.35, levels=5):
    """Random labels and scores with many ties (scores on a coarse grid) and some
    degenerate bags (all labels / no label)."""
    rng = np.random.default_rng(seed)
    Y = (rng.random((n, L)) < p).astype(np.uint8)
    Y[0] = 1
    Y[1] = 0
    S = rng.integers(0, levels, size=(n, L)) / levels
    return Y, S


def _mixed(Y):
    n_rel = Y.sum(1)
    return (n_rel > 0) & (n_rel < Y.shape[1])


# --- hand-computed cases ----------------------------------------------------------------

def test_ranking_loss_hand():
    Y = [[1, 0, 0], [0, 1, 1], [1, 1, 1]]
    S = [[0.5, 0.5, 0.1],   # pairs (0,1) tied -> error, (0,2) fine -> 1/2
         [0.9, 0.2, 0.5],   # both relevant labels below the irrelevant one -> 1
         [0.1, 0.2, 0.3]]   # degenerate (all relevant)
    assert ranking_loss(Y, S) == pytest.approx(0.75)
    assert ranking_loss(Y, S, degenerate='include') == pytest.approx(1.5 / 3)


def test_one_error_hand():
    Y = [[1, 1, 0], [1, 0, 0], [1, 1, 1], [0, 0, 0]]
    S = [[0.5, 0.5, 0.1],   # top tie {0, 1}, both relevant -> 0
         [0.3, 0.9, 0.1],   # top label irrelevant -> 1
         [0.2, 0.2, 0.2],   # all relevant -> 0 (only under 'include')
         [0.2, 0.1, 0.0]]   # none relevant -> 1 (only under 'include')
    assert one_error(Y, S) == pytest.approx(0.5)
    assert one_error(Y, S, degenerate='include') == pytest.approx(2 / 4)
    # ties at the top are pessimistic: one irrelevant label sharing the max is an error
    assert one_error([[1, 0]], [[0.4, 0.4]], degenerate='include') == 1.0


def test_coverage_hand():
    Y = [[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 0]]
    S = [[0.9, 0.5, 0.5, 0.5],  # lowest relevant ties with two others -> rank 4 -> 3 steps
         [0.1, 0.8, 0.3, 0.2],  # relevant label on top -> 0 steps
         [0.1, 0.2, 0.3, 0.4]]  # no relevant label -> 0
    assert coverage(Y, S) == pytest.approx(1.0)
    assert coverage(Y, S, normalize=True) == pytest.approx(0.25)


def test_average_precision_hand():
    assert average_precision([[1, 0, 1]], [[0.9, 0.8, 0.1]]) == pytest.approx(5 / 6)
    # ties: label 0 shares rank 2 with an irrelevant label -> precision 1/2, label 2: 2/3
    assert average_precision([[1, 0, 1]], [[0.5, 0.5, 0.1]]) == pytest.approx(7 / 12)


def test_mean_average_precision_hand():
    Y = np.array([[1, 0, 1], [0, 0, 1], [1, 0, 1], [0, 0, 1]])
    S = np.array([[0.9, 0.1, 0.2], [0.8, 0.2, 0.3], [0.7, 0.3, 0.1], [0.1, 0.4, 0.0]])
    # label 0: positives at ranks 1 and 3 -> (1 + 2/3) / 2; label 1: no positive, left out;
    # label 2: all positive -> 1
    assert mean_average_precision(Y, S) == pytest.approx((5 / 6 + 1) / 2)


def test_macro_auc_hand():
    Y = np.array([[1, 1, 1], [0, 0, 1], [1, 0, 1], [0, 0, 1]])
    S = np.array([[0.9, 0.5, 0.0], [0.8, 0.5, 0.0], [0.7, 0.1, 0.0], [0.1, 0.5, 0.0]])
    # label 0: 3 of 4 pairs ordered -> 3/4; label 1: pos 0.5 vs neg {0.5, 0.5, 0.1}
    # -> (0.5 + 0.5 + 1) / 3; label 2: one class only, left out
    assert macro_auc(Y, S) == pytest.approx((0.75 + 2 / 3) / 2)


# --- against scikit-learn ---------------------------------------------------------------

@pytest.mark.parametrize('seed', range(6))
def test_against_sklearn_with_ties(seed):
    Y, S = _random(seed)
    m = _mixed(Y)
    assert 0 < m.sum() < len(Y)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        # 'include' is exactly sklearn's convention; 'exclude' = sklearn on mixed bags
        assert ranking_loss(Y, S, degenerate='include') == pytest.approx(
            skm.label_ranking_loss(Y, S))
        assert ranking_loss(Y, S) == pytest.approx(skm.label_ranking_loss(Y[m], S[m]))
        assert average_precision(Y, S, degenerate='include') == pytest.approx(
            skm.label_ranking_average_precision_score(Y, S))
        assert average_precision(Y, S) == pytest.approx(
            skm.label_ranking_average_precision_score(Y[m], S[m]))
        has = Y.any(1)
        assert coverage(Y[has], S[has]) == pytest.approx(
            skm.coverage_error(Y[has], S[has]) - 1)
        pos = Y.sum(0) > 0
        assert mean_average_precision(Y, S) == pytest.approx(np.mean(
            [skm.average_precision_score(Y[:, l], S[:, l]) for l in np.flatnonzero(pos)]))
        both = pos & (Y.sum(0) < len(Y))
        assert macro_auc(Y, S) == pytest.approx(
            skm.roc_auc_score(Y[:, both], S[:, both], average='macro'))


def test_against_sklearn_continuous_scores():
    rng = np.random.default_rng(11)
    Y = (rng.random((80, 12)) < 0.3).astype(np.uint8)
    Y[np.arange(80), rng.integers(0, 12, 80)] = 1
    S = rng.normal(size=(80, 12)) + 1.5 * Y
    m = _mixed(Y)
    assert ranking_loss(Y, S) == pytest.approx(skm.label_ranking_loss(Y[m], S[m]))
    assert average_precision(Y, S) == pytest.approx(
        skm.label_ranking_average_precision_score(Y[m], S[m]))
    assert coverage(Y, S) == pytest.approx(skm.coverage_error(Y, S) - 1)
    assert coverage(Y, S, normalize=True) == pytest.approx((skm.coverage_error(Y, S) - 1) / 12)
    assert mean_average_precision(Y, S) == pytest.approx(
        skm.average_precision_score(Y, S, average='macro'))
    assert macro_auc(Y, S) == pytest.approx(skm.roc_auc_score(Y, S, average='macro'))
    # one-error by brute force (no ties with continuous scores)
    top = S.argmax(1)
    assert one_error(Y, S) == pytest.approx(np.mean(Y[m, top[m]] == 0))


def test_sparse_protein_like_no_nan_no_warning():
    rng = np.random.default_rng(3)
    n, L = 50, 500
    Y = (rng.random((n, L)) < 0.003).astype(np.uint8)
    Y[np.arange(n), rng.integers(0, L, n)] = 1  # every bag has a label, as MIML data
    S = np.round(rng.random((n, L)), 2)          # ties
    assert (Y.sum(0) == 0).mean() > 0.5
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        values = {fn.__name__: fn(Y, S) for fn in ALL_METRICS}
    assert all(np.isfinite(v) for v in values.values()), values
    pos = np.flatnonzero(Y.sum(0) > 0)
    assert values['mean_average_precision'] == pytest.approx(
        np.mean([skm.average_precision_score(Y[:, l], S[:, l]) for l in pos]))
    assert values['ranking_loss'] == pytest.approx(skm.label_ranking_loss(Y, S))


def test_undefined_label_wise_metrics_are_nan_only_when_nothing_is_defined():
    Y = np.zeros((4, 3), dtype=np.uint8)
    S = np.random.default_rng(0).random((4, 3))
    assert np.isnan(mean_average_precision(Y, S))
    assert np.isnan(macro_auc(Y, S))
    assert np.isnan(macro_auc(np.ones((4, 3)), S))  # all positive: AUC undefined ...
    assert mean_average_precision(np.ones((4, 3)), S) == 1.0  # ... AP is 1
    # one label with a positive is enough
    Y[2, 1] = 1
    assert mean_average_precision(Y, S) == pytest.approx(
        skm.average_precision_score(Y[:, 1], S[:, 1]))
    assert np.isfinite(macro_auc(Y, S))


def test_all_bags_degenerate_falls_back_to_include_values():
    S = np.random.default_rng(1).random((3, 4))
    for Y in (np.zeros((3, 4)), np.ones((3, 4))):
        for fn in BAG_METRICS:
            assert fn(Y, S) == fn(Y, S, degenerate='include')
    assert ranking_loss(np.zeros((3, 4)), S) == 0.0
    assert average_precision(np.zeros((3, 4)), S) == 1.0
    assert one_error(np.zeros((3, 4)), S) == 1.0
    assert one_error(np.ones((3, 4)), S) == 0.0


def test_single_label_and_single_bag():
    Y, S = np.array([[1], [0], [1]]), np.array([[0.2], [0.1], [0.2]])
    assert ranking_loss(Y, S) == 0.0            # every bag degenerate with one label
    assert coverage(Y, S) == 0.0
    assert mean_average_precision(Y, S) == 1.0
    assert macro_auc(Y, S) == 1.0
    assert ranking_loss([[1, 0, 1]], [[0.3, 0.2, 0.1]]) == pytest.approx(0.5)


# --- invariances --------------------------------------------------------------------------

@pytest.mark.parametrize('seed', range(3))
def test_invariant_to_label_and_bag_order_despite_ties(seed):
    # pessimistic tie handling must not depend on the order of labels or bags
    Y, S = _random(seed, levels=3)
    rng = np.random.default_rng(seed + 100)
    cols, rows = rng.permutation(Y.shape[1]), rng.permutation(Y.shape[0])
    for fn in ALL_METRICS:
        assert fn(Y[rows][:, cols], S[rows][:, cols]) == pytest.approx(fn(Y, S))


def test_invariant_to_monotone_transform():
    Y, S = _random(4)
    for fn in ALL_METRICS:
        assert fn(Y, np.exp(3 * S) - 7) == pytest.approx(fn(Y, S))


def test_ideal_and_worst_scores():
    Y, _ = _random(5)
    m = _mixed(Y)
    Yx = Y[m]
    assert ranking_loss(Yx, Yx.astype(float)) == 0.0
    assert one_error(Yx, Yx.astype(float)) == 0.0
    assert average_precision(Yx, Yx.astype(float)) == 1.0
    assert mean_average_precision(Yx, Yx.astype(float)) == 1.0
    assert macro_auc(Yx, Yx.astype(float)) == 1.0
    assert coverage(Yx, Yx.astype(float)) == pytest.approx(Yx.sum(1).mean() - 1)
    assert ranking_loss(Yx, 1.0 - Yx) == 1.0
    assert macro_auc(Yx, 1.0 - Yx) == 0.0
    # a constant score is all ties: every pair an error, every bag a one-error
    const = np.zeros(Yx.shape)
    assert ranking_loss(Yx, const) == 1.0
    assert one_error(Yx, const) == 1.0
    assert coverage(Yx, const) == Yx.shape[1] - 1
    assert macro_auc(Yx, const) == 0.5


# --- input handling -----------------------------------------------------------------------

def test_torch_and_list_inputs():
    Y, S = _random(8)
    for fn in ALL_METRICS:
        ref = fn(Y, S)
        assert fn(torch.from_numpy(Y), torch.from_numpy(S)) == pytest.approx(ref)
        assert fn(torch.from_numpy(Y).bool(), torch.from_numpy(S).float()) == pytest.approx(
            ref)
        assert fn(Y.tolist(), S.tolist()) == pytest.approx(ref)
        assert fn(2 * Y.astype(int) - 1, S) == pytest.approx(ref)  # {-1, 1} labels
    # half precision tensors are read (and ranked) as given
    assert ranking_loss(torch.from_numpy(Y), torch.from_numpy(S).half()) == pytest.approx(
        ranking_loss(Y, S))


@pytest.mark.parametrize('fn', ALL_METRICS)
def test_bad_input(fn):
    Y = np.array([[1, 0, 0], [0, 1, 1]])
    S = np.array([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]])
    with pytest.raises(ValueError, match=r'scores: has shape \(2, 2\) but Y has shape'):
        fn(Y, S[:, :2])
    for bad in (np.nan, np.inf, -np.inf):
        S_bad = S.copy()
        S_bad[1, 2] = bad
        with pytest.raises(ValueError, match=r'scores: non-finite value .* row 1, column 2'):
            fn(Y, S_bad)
    with pytest.raises(ValueError, match=r'Y: label value 3'):
        fn(np.array([[1, 0, 3], [0, 1, 1]]), S)
    with pytest.raises(ValueError, match=r'Y: label value 0\.5'):
        fn(np.array([[1, 0, 0.5], [0, 1, 1]]), S)  # a distribution is not a label matrix
    with pytest.raises(ValueError, match=r'scores: expected a 2-D'):
        fn(Y, S.ravel())
    with pytest.raises(ValueError, match=r'scores: must be real-valued'):
        fn(Y, np.array([['a', 'b', 'c'], ['d', 'e', 'f']]))


@pytest.mark.parametrize('fn', BAG_METRICS)
def test_bad_degenerate_option(fn):
    with pytest.raises(ValueError, match='degenerate: must be one of'):
        fn([[1, 0]], [[0.1, 0.2]], degenerate='drop')
