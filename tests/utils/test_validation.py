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
    ([[0, 2]], {}, r'Y: label value 2 at row 0, column 1 is outside'),
    ([[0.5, 1]], {}, 'value 0.5'),
    ([[-1, 0, 1]], {}, 'Y: labels mix the'),
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


@pytest.mark.parametrize('bags,match', [
    ([[[1.0, 2.0], [3.0]]], r"bags\[0\]: ragged: instance 1 has 1 values, expected 2"),
    # the odd one out is named, not the rows after it
    ([np.ones((1, 2)), [[1.0], [1.0, 2.0], [3.0, 4.0]]],
     r"bags\[1\]: ragged: instance 0 has 1 values, expected 2 \(as most instances\)"),
    ([[[1.0, 2.0], 5.0]], r"bags\[0\]: ragged: instance 1 is a single value"),
    ([[['a', 'b']]], r"bags\[0\]: 'a' at instance 0, feature 0 is text, not a number"),
    ([np.ones((1, 2)), [[1.0, 2.0], ['x', 3.0]]],
     r"bags\[1\]: 'x' at instance 1, feature 0 is text, not a number"),
    ([[['1.5', '2']]], r"bags\[0\]: '1.5' at instance 0, feature 0 is text"),
    ([[[1.0, 2.0], [3.0, None]]], r"bags\[0\]: None at instance 1, feature 1 is not a real "
                                  r"number"),
    ([np.array([[1 + 2j, 1.0]])], r"bags\[0\]: \(1\+2j\) at instance 0, feature 0 is a "
                                  r"complex number"),
    ([np.array([[1.0, 1e39]])], r"bags\[0\]: feature value 1e\+39 at instance 0, feature 1 "
                                r"overflows float32"),
    ([np.ones((2, 2)), np.array([[-3e38, 2.0], [1.0, -4e38]])],
     r"bags\[1\]: feature value -4e\+38 at instance 1, feature 1 overflows float32"),
    ([np.array([[1.0, np.inf]])], r"bags\[0\]: non-finite feature value inf at instance 0, "
                                  r"feature 1"),
    ([torch.tensor([[0.0, float('nan')]])], r"bags\[0\]: non-finite feature value nan"),
    (np.ones((2, 3)), r"expected a sequence of \[n_i, d\] arrays .* got an array of shape "
                      r"\(2, 3\)"),
])
def test_check_bags_names_the_bad_value(bags, match):
    with pytest.raises(ValueError, match=match):
        check_bags(bags)


@pytest.mark.parametrize('bags,match', [
    ('abc', 'expected a sequence of bags, got str'),
    (5, 'expected a sequence of bags, got int'),
    ([np.array([['2020-01-01']], dtype='datetime64[D]')],
     r'bags\[0\]: values must be real numbers, got dtype datetime64\[D\]'),
])
def test_check_bags_type_errors(bags, match):
    with pytest.raises(TypeError, match=match):
        check_bags(bags)


def test_check_bags_copy_and_no_silent_cast():
    a = np.ones((2, 2), dtype=np.float32)
    assert check_bags([a])[0] is a
    assert check_bags([a], copy=True)[0] is not a
    # integers and booleans are numbers: converted exactly
    np.testing.assert_array_equal(check_bags([[[True, 2]]])[0], [[1.0, 2.0]])


@pytest.mark.parametrize('Y,match', [
    ([[0, 2], [1]], r"Y: rows of different lengths that look like label indices \(row 0: "
                    r"\[0, 2\]\); .*MultiLabelBinarizer\(classes=range\(n_labels\)\)"),
    ([[0, 2], [1, 3]], r"Y: label value 2 at row 0, column 1 is outside \{0, 1\} / \{-1, 1\} "
                       r"\(label indices\? .*MultiLabelBinarizer"),
    ([[0.5, 1], [1]], r"Y: ragged: row 1 has 1 values, expected 2"),
    ([['a', 'b']], r"Y: 'a' at row 0, column 0 is text, not a number"),
    ([[0, 1], [1, None]], r"Y: None at row 1, column 1 is not a real number"),
    ([0, 1, 1], r"got shape \(3,\) \(one label per bag: pass Y.reshape\(-1, 1\)\)"),
    (np.array([[1j, 0]]), r"Y: 1j at row 0, column 0 is a complex number"),
    ([[np.inf, 1]], r"Y: label value inf at row 0, column 0 is NaN or inf"),
    (np.zeros((2, 0)), r"Y: has no label columns"),
    ([[0, 1], [-1, 1]], r"Y: labels mix the \{0, 1\} and \{-1, 1\} codings: 0 at row 0, "
                        r"column 0, -1 at row 1, column 0; use one of them"),
])
def test_check_labels_names_the_bad_value(Y, match):
    with pytest.raises(ValueError, match=match):
        check_labels(Y)


def test_check_labels_scipy_sparse_and_torch():
    import scipy.sparse as sp
    np.testing.assert_array_equal(check_labels(sp.csr_matrix([[0, 1], [1, 0]])),
                                  [[0, 1], [1, 0]])
    np.testing.assert_array_equal(check_labels(torch.tensor([[-1, 1]])), [[0, 1]])
