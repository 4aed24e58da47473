import numpy as np
import pytest
import torch

from gmiml.utils import check_bags, check_bags_labels, check_labels


def test_check_bags_converts_and_keeps_shapes():
    bags = [np.ones((3, 4), dtype=np.float64), torch.zeros(2, 4), [1.0, 2.0, 3.0, 4.0]]
    out = check_bags(bags)
    assert [b.shape for b in out] == [(3, 4), (2, 4), (1, 4)]
    assert all(b.dtype == np.float32 for b in out)


@pytest.mark.parametrize('bags,match', [
    ([], 'no bags'),
    ([np.ones((2, 3)), np.ones((0, 3))], r'bags\[1\]: empty bag'),
    ([np.ones((2, 3)), np.ones((2, 4))], r'bags\[1\]: has 4 features'),
    ([np.array([[1.0, np.nan]])], r'bags\[0\]: non-finite'),
    ([np.array([[1.0, np.inf]])], 'non-finite'),
    ([np.ones((2, 2, 2))], '2-D'),
])
def test_check_bags_errors(bags, match):
    with pytest.raises(ValueError, match=match):
        check_bags(bags)


def test_check_bags_dim_mismatch_names_expected():
    with pytest.raises(ValueError, match='expected 5'):
        check_bags([np.ones((2, 3))], dim=5)


def test_check_labels_codings():
    assert check_labels([[0, 1], [1, 0]]).dtype == np.uint8
    np.testing.assert_array_equal(check_labels([[-1, 1], [1, -1]]), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(check_labels(np.array([[True, False]])), [[1, 0]])


@pytest.mark.parametrize('Y,kw,match', [
    ([0, 1], {}, '2-D'),
    ([[0, 2]], {}, r'value 2 at row 0, column 1'),
    ([[0.5, 1]], {}, 'value 0.5'),
    ([[-1, 0, 1]], {}, 'mixes'),
    ([[0, 1]], {'n_bags': 2}, '1 rows but there are 2 bags'),
    ([[0, 1]], {'n_labels': 3}, '2 label columns, expected 3'),
    ([[np.nan, 1]], {}, 'NaN'),
])
def test_check_labels_errors(Y, kw, match):
    with pytest.raises(ValueError, match=match):
        check_labels(np.asarray(Y), **kw)


def test_check_bags_labels_row_mismatch():
    with pytest.raises(ValueError, match='3 rows but there are 2 bags'):
        check_bags_labels([np.ones((1, 2))] * 2, np.zeros((3, 4)))
