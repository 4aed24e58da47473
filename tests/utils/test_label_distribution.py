import numpy as np
import pytest

from gmiml.utils import (check_distribution, logical_from_distribution, normalized_labels,
                         softmax_labels)


def test_threshold_rule_by_hand():
    D = np.array([[0.5, 0.3, 0.2],      # top label alone reaches 0.5
                  [0.3, 0.45, 0.25],    # 0.45 < 0.5, 0.45 + 0.3 >= 0.5
                  [0.2, 0.2, 0.6],
                  [0.1, 0.15, 0.75],
                  [1 / 3, 1 / 3, 1 / 3]])  # ties: by index; 2/3 >= 0.5
    L = logical_from_distribution(D)
    np.testing.assert_array_equal(L, [[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1],
                                      [1, 1, 0]])
    assert L.dtype == np.uint8
    np.testing.assert_array_equal(logical_from_distribution(D, threshold=0.8),
                                  [[1, 1, 0], [1, 1, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1]])


def test_threshold_rule_float32_rounding():
    # 0.25 + 0.25 stored as float32 rows: the top set of two reaches 0.5 exactly
    D = np.array([[0.25, 0.25, 0.25, 0.25]], dtype=np.float32)
    assert logical_from_distribution(D).sum() == 2


@pytest.mark.parametrize('D, match', [
    ([[0.5, 0.6]], 'row 0 sums to 1.1'),
    ([[1.2, -0.2]], 'negative value -0.2 at row 0, column 1'),
    ([[np.nan, 1.0]], 'non-finite value nan at row 0, column 0'),
    ([0.5, 0.5], 'expected a non-empty 2-D matrix'),
    ([['a', 'b']], 'real-valued'),
])
def test_check_distribution_errors(D, match):
    with pytest.raises(ValueError, match=match):
        check_distribution(D, where='f.mat')
    with pytest.raises(ValueError, match='f.mat: D'):
        check_distribution(D, where='f.mat')


def test_check_distribution_renormalises_within_tolerance():
    D = check_distribution(np.array([[0.2, 0.8 + 1e-7]], dtype=np.float32))
    assert D.dtype == np.float64 and abs(D.sum() - 1) < 1e-15


def test_fixed_functions():
    L = np.array([[1, 0, 0], [1, 1, 0]])
    e = np.e
    np.testing.assert_allclose(softmax_labels(L), [[e / (e + 2), 1 / (e + 2), 1 / (e + 2)],
                                                   [e / (2 * e + 1), e / (2 * e + 1),
                                                    1 / (2 * e + 1)]])
    np.testing.assert_allclose(normalized_labels(L), [[1, 0, 0], [0.5, 0.5, 0]])
    with pytest.raises(ValueError, match='row 1 has no relevant label'):
        normalized_labels([[1, 0], [0, 0]])
    with pytest.raises(ValueError, match='must be 0 or 1, got 2 at row 0, column 1'):
        softmax_labels([[1, 2]])
