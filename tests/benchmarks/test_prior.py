"""The label-frequency prior of Table 2: training frequencies as scores, a label on only
when its frequency exceeds 0.5; shown as a reference row, never ranked."""
import json

import numpy as np
import pytest


def test_scores_are_the_training_frequencies():
    from suite.prior import LabelFrequencyPrior
    Y = np.array([[1, 0, 1], [1, 0, 0], [0, 0, 1], [1, 1, 1]])
    bags = [np.zeros((2, 3))] * 4
    p = LabelFrequencyPrior().fit(bags, Y)
    s = p.predict_proba([np.ones((1, 3))] * 2)
    assert np.allclose(s, [[0.75, 0.25, 0.75]] * 2)
    assert (p.predict([np.ones((5, 3))]) == [[1, 0, 1]]).all()
    half = LabelFrequencyPrior().fit(bags[:2], np.array([[1, 0], [0, 0]]))
    assert half.predict(bags[:1]).sum() == 0  # 0.5 is not > 0.5
    signed = LabelFrequencyPrior().fit(bags, 2 * Y - 1)  # {-1, 1} labels
    assert np.allclose(signed.frequency_, p.frequency_)


def test_bad_labels_are_refused():
    from suite.prior import LabelFrequencyPrior
    with pytest.raises(ValueError, match='expected \\[2, L\\] labels'):
        LabelFrequencyPrior().fit([np.zeros((1, 2))] * 2, np.zeros(2))
    with pytest.raises(ValueError):
        LabelFrequencyPrior().fit([], np.zeros((0, 3)))


def test_prior_is_a_reference_row(run, no_data):
    out = no_data / 'o'
    assert run('--methods', 'MIMLNN', 'MIMLSVM', 'Prior', '--seeds', '0', '1', out=out) == 0
    t = json.loads((out / 'table2.json').read_text())
    assert t['reference_methods'] == ['Prior'] and 'Prior' not in t['average_rank']
    prior = [c for c in t['cells'] if c['method'] == 'Prior']
    assert prior and all(c['rank'] is None and c['reference'] for c in prior)
    assert t['friedman_nemenyi']['n_methods'] == 2
    md = (out / 'table2.md').read_text()
    assert '(ref)' in md and 'take no part in the ranks or the Friedman test' in md
