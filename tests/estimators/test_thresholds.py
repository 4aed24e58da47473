import numpy as np
import pytest

from gmiml.estimators.thresholds import GRID, label_thresholds


def test_hand_computed_thresholds():
    # label 0: separable at any t in (0.3, 0.8): 2 positives -> t* = median of that run
    # label 1: no positive -> global threshold; label 2: positive below a negative
    Y = np.array([[1, 0, 0], [1, 0, 1], [0, 0, 0], [0, 0, 0]])
    P = np.array([[.9, .1, .2], [.85, .2, .3], [.3, .1, .6], [.1, .05, .1]])
    t, t_g = label_thresholds(Y, P, shrinkage=2.0)
    # label 0: TP - FP = 2 for thresholds in (0.3, 0.85] (p >= t) -> median of that run
    run = GRID[(GRID > 0.3) & (GRID <= 0.85)]
    t0 = float(run[len(run) // 2])
    # global: fewest errors over all labels; label 2 costs 1 error at best (its positive
    # at .3 lies below a negative at .6): thresholds in (0.3, 0.6] leave 1 error overall
    errs = [((P >= g) != (Y > 0)).sum() for g in GRID]
    assert min(errs) == 1
    cand = GRID[np.array(errs) == 1]
    assert cand.min() <= t_g <= cand.max()
    assert t[0] == pytest.approx((2 * t0 + 2 * t_g) / 4)
    assert t[1] == t_g
    # label 2: TP - FP is 0 at t < .3 (1 - 1... ) and 0 for t in [.3, .6) (0 - 1 + ...)
    assert 0.05 <= t[2] <= 0.95


def test_shrinkage_zero_and_large():
    Y = np.array([[1], [0], [0], [1]])
    P = np.array([[.7], [.2], [.4], [.65]])
    t0, _ = label_thresholds(Y, P, shrinkage=0.0)
    tl, tg = label_thresholds(Y, P, shrinkage=1e9)
    assert 0.4 <= t0[0] < 0.65
    assert tl[0] == pytest.approx(tg)


def test_errors():
    with pytest.raises(ValueError, match='shapes'):
        label_thresholds(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match='shrinkage'):
        label_thresholds(np.zeros((3, 2)), np.zeros((3, 2)), shrinkage=-1)
