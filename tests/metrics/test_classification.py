import warnings

import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from gmiml.metrics import hamming_loss, macro_f1, micro_f1


def _random_pair(seed, n=50, L=9, p=0.3):
    rng = np.random.default_rng(seed)
    Y = (rng.random((n, L)) < p).astype(np.uint8)
    H = (rng.random((n, L)) < p).astype(np.uint8)
    Y[:, 0] = 0  # a label with no positives ...
    H[:, 0] = 0  # ... and no predictions
    H[:, 1] = 0  # a label never predicted
    return Y, H


def test_hand_computed():
    Y = [[1, 0, 0], [0, 0, 0]]
    H = [[1, 1, 0], [0, 0, 0]]
    # label 0: F1 = 1; label 1: one FP -> 0; label 2: nothing at all -> 0 (zero_division=0)
    assert macro_f1(Y, H) == pytest.approx(1 / 3)
    assert micro_f1(Y, H) == pytest.approx(2 / 3)  # TP 1, FP 1, FN 0
    assert hamming_loss(Y, H) == pytest.approx(1 / 6)


def test_perfect_and_empty_predictions():
    Y = np.array([[1, 0], [0, 1]])
    assert hamming_loss(Y, Y) == 0.0
    assert macro_f1(Y, Y) == 1.0
    assert micro_f1(Y, Y) == 1.0
    Z = np.zeros((3, 4), dtype=np.uint8)
    assert macro_f1(Z, Z) == 0.0 and micro_f1(Z, Z) == 0.0 and hamming_loss(Z, Z) == 0.0


@pytest.mark.parametrize('seed', range(5))
def test_against_sklearn(seed):
    Y, H = _random_pair(seed)
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # zero_division=0 set explicitly: no warning
        assert hamming_loss(Y, H) == pytest.approx(skm.hamming_loss(Y, H))
        assert macro_f1(Y, H) == pytest.approx(
            skm.f1_score(Y, H, average='macro', zero_division=0))
        assert micro_f1(Y, H) == pytest.approx(
            skm.f1_score(Y, H, average='micro', zero_division=0))


def test_sparse_protein_like_labels():
    # hundreds of labels, most without any positive in the evaluated set
    rng = np.random.default_rng(0)
    Y = (rng.random((40, 400)) < 0.004).astype(np.uint8)
    H = (rng.random((40, 400)) < 0.01).astype(np.uint8)
    assert (Y.sum(0) == 0).mean() > 0.5
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        values = [macro_f1(Y, H), micro_f1(Y, H), hamming_loss(Y, H)]
    assert np.isfinite(values).all()
    assert values[0] == pytest.approx(skm.f1_score(Y, H, average='macro', zero_division=0))
    # labels without positives or predictions count 0, so Ma-F1 stays small
    assert values[0] <= (Y.sum(0) > 0).mean()


def test_codings_and_torch():
    Y, H = _random_pair(7)
    ref = (hamming_loss(Y, H), macro_f1(Y, H), micro_f1(Y, H))
    for y, h in [(2 * Y.astype(int) - 1, 2 * H.astype(int) - 1),  # {-1, 1}
                 (Y.astype(bool), H.astype(bool)),
                 (torch.from_numpy(Y), torch.from_numpy(H).float()),
                 (Y.tolist(), H.tolist())]:
        assert (hamming_loss(y, h), macro_f1(y, h), micro_f1(y, h)) == pytest.approx(ref)


@pytest.mark.parametrize('fn', [hamming_loss, macro_f1, micro_f1])
def test_bad_input(fn):
    Y = np.array([[1, 0], [0, 1]])
    with pytest.raises(ValueError, match=r'Y_pred: has shape \(2, 3\)'):
        fn(Y, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r'Y_pred: label value 0\.7'):
        fn(Y, np.array([[0.7, 0], [0, 1]]))  # scores are not hard predictions
    with pytest.raises(ValueError, match=r'Y: label value 2'):
        fn(np.array([[2, 0], [0, 1]]), Y)
    with pytest.raises(ValueError, match=r'Y: .*NaN'):
        fn(np.array([[np.nan, 0], [0, 1]]), Y)
    with pytest.raises(ValueError, match=r'Y: expected a 2-D'):
        fn(np.array([1, 0]), np.array([1, 0]))
    with pytest.raises(ValueError, match=r'Y: has no rows'):
        fn(np.zeros((0, 2)), np.zeros((0, 2)))
