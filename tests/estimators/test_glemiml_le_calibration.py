"""GLEMIMLClassifier's calibrated label enhancement (``le_calibration``)."""
import numpy as np
import pytest

from gmiml import GLEMIMLClassifier
from gmiml.datasets import make_synthetic_miml
from gmiml.utils.label_calibration import threshold_rule

FAST = dict(hidden_channels=32, enhancer_channels=32, max_epochs=6, patience=5)


@pytest.fixture(scope='module')
def data():
    d = make_synthetic_miml(n_bags=160, n_labels=5, n_features=8,
                            instances_per_bag=(2, 5), random_state=1)
    return d.bags[:120], d.Y[:120], d.bags[120:], d.Y[120:]


def test_calibration_leaves_training_alone(data):
    bags, Y, bt, yt = data
    rule = GLEMIMLClassifier(random_state=0, **FAST).fit(bags, Y)
    paper = GLEMIMLClassifier(random_state=0, le_calibration=None, **FAST).fit(bags, Y)
    np.testing.assert_array_equal(rule.decision_function(bt), paper.decision_function(bt))
    assert not hasattr(paper, 'le_temperature_')
    assert rule.le_temperature_ > 0
    D = rule.label_distribution(bt, yt)
    np.testing.assert_allclose(D.sum(1), 1.0, rtol=1e-9)
    assert np.abs(D - paper.label_distribution(bt, yt)).max() > 1e-3
    # the rule reads the training bags' recovered distributions back as their labels
    # for more bags than it does the paper's (uncalibrated) ones
    agree = (threshold_rule(rule.label_distribution(bags, Y)) == Y).all(1).mean()
    agree_paper = (threshold_rule(paper.label_distribution(bags, Y)) == Y).all(1).mean()
    assert agree > agree_paper
    glob = rule.set_params(le_calibration='global')
    agree_glob = (threshold_rule(glob.label_distribution(bags, Y)) == Y).all(1).mean()
    assert agree >= agree_glob > agree_paper and agree > 0.9
    rule.set_params(le_calibration='rule')
    # the paper-reading model calibrated afterwards is the calibrated model
    with pytest.raises(ValueError, match='calibrate_label_distribution'):
        paper.set_params(le_calibration='rule').label_distribution(bt, yt)
    paper.calibrate_label_distribution(bags, Y)
    np.testing.assert_array_equal(paper.label_distribution(bt, yt), D)
    assert paper.set_params(le_content_weight=0.5).calibrate_label_distribution(
        bags, Y).le_temperature_ != rule.le_temperature_


def test_save_load_keeps_the_calibration(data, tmp_path):
    bags, Y, bt, yt = data
    a = GLEMIMLClassifier(random_state=0, **FAST).fit(bags, Y)
    a.save(tmp_path / 'm.pt')
    r = GLEMIMLClassifier.load(tmp_path / 'm.pt')
    assert r.le_temperature_ == a.le_temperature_
    np.testing.assert_array_equal(r.label_distribution(bt, yt), a.label_distribution(bt, yt))
    p = GLEMIMLClassifier(random_state=0, le_calibration=None, **FAST).fit(bags, Y)
    p.save(tmp_path / 'p.pt')
    np.testing.assert_array_equal(GLEMIMLClassifier.load(tmp_path / 'p.pt')
                                  .label_distribution(bt, yt), p.label_distribution(bt, yt))


@pytest.mark.parametrize('params, msg', [
    ({'le_calibration': 'temperature'}, 'le_calibration'),
    ({'le_neighbors': 0}, 'le_neighbors'),
    ({'le_content_weight': -1.0}, 'le_content_weight'),
    ({'le_content_weight': float('nan')}, 'le_content_weight'),
    ({'le_mass': 0.0}, 'le_mass'),
    ({'le_mass': 1.5}, 'le_mass'),
])
def test_bad_le_params(data, params, msg):
    bags, Y, *_ = data
    with pytest.raises(ValueError, match=msg):
        GLEMIMLClassifier(max_epochs=1, **params).fit(bags, Y)


def test_new_bags_with_contradicting_labels_are_read_back(data):
    # new bags given the label their content is least sure of, with a content weight
    # large enough that no temperature alone reads them back: the distributions must
    # still keep the logical labels relevant
    from gmiml.utils.label_calibration import (calibrated_distribution,
                                               rule_consistent_temperatures)
    bags, Y, bt, _ = data
    clf = GLEMIMLClassifier(random_state=0, **FAST).fit(bags, Y)
    clf.set_params(le_content_weight=8.0).calibrate_label_distribution(bags, Y)
    chk = clf._validate_bags(bt)
    c = clf._le_content(clf._bag_means(chk), clf._logits(clf._prepare(chk)))
    least = c.argmin(axis=1)
    yc = np.zeros((len(bt), Y.shape[1]), dtype=np.uint8)
    yc[np.arange(len(bt)), least] = 1
    # the contradiction is real: a per-bag temperature alone fails on some bags
    t = rule_consistent_temperatures(yc, c, clf.le_temperature_, 8.0, clf.le_mass)
    assert (threshold_rule(calibrated_distribution(yc, c, t, 8.0)) != yc).any(1).sum() > 0
    D = clf.label_distribution(bt, yc)
    np.testing.assert_array_equal(threshold_rule(D, clf.le_mass), yc)
    np.testing.assert_array_equal(D.argmax(1), least)


def test_calibration_content_leaves_the_bag_graph_evidence_out(data):
    """The content's classifier part is the network's own prediction: with the bag graph
    on, it differs from the propagated logits, and the calibration uses it."""
    bags, Y, bt, yt = data
    clf = GLEMIMLClassifier(random_state=0, **FAST).fit(bags, Y)
    assert clf.bag_graph is not None
    batcher = clf._prepare(bt, yt)
    own, full = clf._logits(batcher, propagate=False), clf._logits(batcher)
    assert np.abs(own - full).max() > 1e-6
    np.testing.assert_array_equal(full, clf.decision_function(bt))
    content = clf._le_content(clf._bag_means(bt), own)
    D = clf.label_distribution(bt, yt)
    from gmiml.utils.label_calibration import calibrated_distribution, \
        rule_consistent_calibration
    w, t = rule_consistent_calibration(yt, content, clf.le_temperature_,
                                       clf.le_content_weight, clf.le_mass)
    np.testing.assert_allclose(D, calibrated_distribution(yt, content, t, w), rtol=1e-12)


def test_reference_bags_are_capped(data):
    # beyond le_max_reference training bags the neighbour references are a seeded subset;
    # every training bag is still a query of the temperature fit, and the result is a
    # distribution that the rule reads back
    bags, Y, bt, yt = data
    full = GLEMIMLClassifier(random_state=0, **FAST).fit(bags, Y)
    assert full.le_reference_.shape[0] == len(bags)
    capped = GLEMIMLClassifier(random_state=0, **FAST)
    capped.le_max_reference = 50
    capped.fit(bags, Y)
    ref, lab = capped.le_reference_, capped.le_reference_labels_
    assert ref.shape[0] == 50 and lab.shape == (50, Y.shape[1])
    means = capped._bag_means(bags)
    rows = [int(np.flatnonzero((means == r).all(1))[0]) for r in ref]
    assert rows == sorted(rows) and len(set(rows)) == 50  # distinct training bags
    np.testing.assert_array_equal(lab, Y[rows])
    again = GLEMIMLClassifier(random_state=0, **FAST)
    again.le_max_reference = 50
    np.testing.assert_array_equal(again.fit(bags, Y).le_reference_, ref)  # seeded
    D = capped.label_distribution(bt, yt)
    np.testing.assert_allclose(D.sum(1), 1.0, rtol=1e-9)
    assert (threshold_rule(D) == yt).all(1).mean() > 0.9
    # the network is untouched by the cap
    np.testing.assert_array_equal(capped.decision_function(bt), full.decision_function(bt))
