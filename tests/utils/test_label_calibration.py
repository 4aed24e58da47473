import numpy as np
import pytest

from gmiml.utils.label_calibration import (calibrated_distribution, fit_rule_temperature,
                                           neighbour_label_average,
                                           rule_consistent_calibration,
                                           rule_consistent_temperatures, threshold_rule)


def test_threshold_rule_marks_smallest_top_set_reaching_the_mass():
    D = np.array([[0.6, 0.3, 0.1],      # one label reaches .5
                  [0.3, 0.25, 0.45],    # .45 < .5, .45 + .3 >= .5
                  [0.2, 0.2, 0.6],
                  [0.5, 0.25, 0.25]])   # exactly .5 counts as reaching
    np.testing.assert_array_equal(threshold_rule(D), [[1, 0, 0], [1, 0, 1], [0, 0, 1],
                                                      [1, 0, 0]])
    np.testing.assert_array_equal(threshold_rule(D, mass=0.8).sum(1), [2, 3, 2, 3])
    with pytest.raises(ValueError, match='mass'):
        threshold_rule(D, mass=0.0)


def test_neighbour_label_average_leaves_the_query_out():
    ref = np.array([[0.0], [1.0], [2.0], [10.0]])
    Y = np.array([[1, 0], [0, 1], [0, 1], [1, 1]])
    # each reference row's two nearest *other* rows
    got = neighbour_label_average(ref, ref, Y, k=2)
    np.testing.assert_allclose(got, [[0, 1], [0.5, 0.5], [0.5, 0.5], [0, 1]])
    # a new point: its own two nearest
    np.testing.assert_allclose(neighbour_label_average([[9.0]], ref, Y, k=2), [[0.5, 1]])
    with pytest.raises(ValueError, match='k'):
        neighbour_label_average(ref, ref, Y, k=0)


def test_calibrated_distribution_rows_and_order():
    Y = np.array([[1, 0, 0], [1, 1, 0]])
    c = np.array([[0.0, 0.5, 0.0], [0.2, 0.9, 0.1]])
    D = calibrated_distribution(Y, c, temperature=0.5, weight=1.0)
    np.testing.assert_allclose(D.sum(1), 1.0)
    z = (Y + c) / 0.5
    np.testing.assert_allclose(D, np.exp(z) / np.exp(z).sum(1, keepdims=True))
    assert D[1, 1] > D[1, 0] > D[1, 2]
    with pytest.raises(ValueError, match='temperature'):
        calibrated_distribution(Y, c, temperature=0.0)


def test_rule_temperature_lies_where_the_logical_labels_are_read_back():
    # 6 labels, no content: relevant labels share e^{1/t} / (r e^{1/t} + 6 - r). The rule
    # reads r = 1 back for t <= 1/ln 5, r = 2 for t <= 1/ln 2, r = 3 for t > 1/ln 3.
    rows = [[1, 0, 0, 0, 0, 0]] + [[1, 1, 0, 0, 0, 0]] * 2 + [[1, 1, 1, 0, 0, 0]] * 3
    Y = np.array(rows, dtype=np.uint8)
    t = fit_rule_temperature(Y, np.zeros(Y.shape))
    assert 1 / np.log(3) < t <= 1 / np.log(2)
    back = threshold_rule(calibrated_distribution(Y, np.zeros(Y.shape), t))
    assert (back == Y).all(1).sum() == 5
    # more one-label rows move the optimum to the sharp side
    Y2 = np.array([rows[0]] * 6 + rows[1:], dtype=np.uint8)
    assert fit_rule_temperature(Y2, np.zeros(Y2.shape)) <= 1 / np.log(5)


def test_rule_consistent_temperatures_project_each_row_onto_its_interval():
    rows = [[1, 0, 0, 0, 0, 0]] + [[1, 1, 0, 0, 0, 0]] * 2 + [[1, 1, 1, 0, 0, 0]] * 3
    Y = np.array(rows, dtype=np.uint8)
    c = np.zeros(Y.shape)
    t = fit_rule_temperature(Y, c)
    ti = rule_consistent_temperatures(Y, c, t)
    assert ti.shape == (6,)
    np.testing.assert_allclose(ti[1:], t)               # already consistent: unchanged
    assert ti[0] <= 1 / np.log(5) and ti[0] > 0.9 / np.log(5)  # nearest consistent value
    D = calibrated_distribution(Y, c, ti)
    np.testing.assert_array_equal(threshold_rule(D), Y)  # every row is read back
    np.testing.assert_allclose(D[1:], calibrated_distribution(Y, c, t)[1:])


def test_rule_consistent_calibration_reads_a_contradicting_row_back():
    # only label 0 relevant; the content says label 1 (the 'desert' bag whose content
    # says 'sunset'): no temperature is consistent at weight 2
    Y = np.array([[1, 0, 0, 0, 0], [1, 1, 0, 0, 0]], dtype=np.uint8)
    c = np.array([[0.0, 0.9, 0.0, 0.0, 0.0], [0.3, 0.5, 0.1, 0.0, 0.2]])
    t_old = rule_consistent_temperatures(Y, c, 0.5, weight=2.0)
    assert not (threshold_rule(calibrated_distribution(Y, c, t_old, 2.0))[0] == Y[0]).all()
    w, t = rule_consistent_calibration(Y, c, 0.5, weight=2.0)
    assert 0 <= w[0] < 2.0 and w[1] == 2.0
    D = calibrated_distribution(Y, c, t, w)
    np.testing.assert_array_equal(threshold_rule(D), Y)
    assert D[0].argmax() == 0
    # the largest weight on the halving grid that admits a consistent temperature
    assert w[0] in 2.0 * 2.0 ** -np.arange(6) or w[0] == 0
    bigger = 2 * w[0] if w[0] > 0 else 2.0 / 32
    assert not (threshold_rule(calibrated_distribution(
        Y[:1], c[:1], rule_consistent_temperatures(Y[:1], c[:1], 0.5, bigger), bigger))
        == Y[:1]).all()
    # consistent rows: the same temperature and distribution, bit for bit
    assert t[1] == t_old[1]
    assert (D[1] == calibrated_distribution(Y, c, t_old, 2.0)[1]).all()


@pytest.mark.parametrize('L', [3, 6, 9, 40, 1000])
def test_rule_consistent_calibration_weight_zero_covers_many_relevant_labels(L):
    # content against every relevant label forces weight 0, where the temperature comes
    # in closed form (it can lie outside the grid: 1000 labels, 500 relevant)
    r = np.arange(1, L + 1)
    Y = (np.arange(L)[None, :] < r[:, None]).astype(np.uint8)
    c = 1.0 - Y.astype(float)
    w, t = rule_consistent_calibration(Y, c, 0.5, weight=50.0)
    back = (threshold_rule(calibrated_distribution(Y, c, t, w)) == Y).all(axis=1)
    readable = (r - 1) / L < 0.5           # r - 1 tied labels must stay below the mass
    np.testing.assert_array_equal(back, readable)
    # rows the rule can never read back keep the shared temperature and weight
    assert (w[~readable] == 50.0).all() and (t[~readable] == 0.5).all()


def test_rule_consistent_calibration_reads_back_every_row_of_a_random_case():
    rng = np.random.default_rng(0)
    Y = (rng.random((400, 7)) < 0.3).astype(np.uint8)
    Y[np.arange(400), rng.integers(0, 7, 400)] = 1
    Y = Y[(Y.sum(1) - 1) / 7 < 0.5]
    c = rng.random(Y.shape)                 # content unrelated to the labels
    t0 = fit_rule_temperature(Y, c, 2.0)
    w, t = rule_consistent_calibration(Y, c, t0, weight=2.0)
    np.testing.assert_array_equal(threshold_rule(calibrated_distribution(Y, c, t, w)), Y)
    assert (w < 2.0).any() and (w == 2.0).any()
    keep = w == 2.0
    np.testing.assert_array_equal(t[keep], rule_consistent_temperatures(Y, c, t0, 2.0)[keep])
