import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from gmiml.baselines import LabelFrequencyPrior
from gmiml.metrics import ranking_loss

Y = np.array([[1, 0, 1], [1, 0, 0], [0, 0, 1], [1, 1, 1]])
BAGS = [np.full((2, 3), i, np.float32) for i in range(4)]


def test_scores_are_the_training_frequencies():
    p = LabelFrequencyPrior().fit(BAGS, Y)
    np.testing.assert_allclose(p.frequency_, [0.75, 0.25, 0.75])
    s = p.predict_proba(BAGS[:2])
    np.testing.assert_allclose(s, [[0.75, 0.25, 0.75]] * 2, atol=1e-8)
    assert (p.predict([np.ones((5, 3))]) == [[1, 0, 1]]).all()
    half = LabelFrequencyPrior().fit(BAGS[:2], np.array([[1, 0], [0, 0]]))
    assert half.predict(BAGS[:1]).sum() == 0  # 0.5 is not > 0.5
    signed = LabelFrequencyPrior().fit(BAGS, 2 * Y - 1)  # {-1, 1} labels
    np.testing.assert_allclose(signed.frequency_, p.frequency_)
    flat = LabelFrequencyPrior(tie_break=False).fit(BAGS, Y)
    np.testing.assert_array_equal(flat.decision_function(BAGS), np.tile(p.frequency_, (4, 1)))


def test_ties_are_broken_at_random_and_deterministically():
    rng = np.random.default_rng(0)
    L, n = 40, 400
    Ytr = np.zeros((n, L), np.uint8)
    Ytr[:, 0] = 1  # one common label; all others tie at frequency 0
    bags = [rng.normal(size=(3, 4)).astype(np.float32) for _ in range(n)]
    p = LabelFrequencyPrior(random_state=3).fit(bags, Ytr)
    S = p.decision_function(bags)
    assert (S[:, 0] > S[:, 1:].max(1)).all()  # the order by frequency is kept
    assert len({tuple(np.argsort(r)) for r in S[:20]}) == 20  # ties ordered per bag
    # the same bag gets the same scores in any batch and order
    np.testing.assert_array_equal(p.decision_function(bags[5:2:-1]), S[5:2:-1])
    Yte = (rng.random((n, L)) < 0.05).astype(np.uint8)
    Yte[:, 0] = 1
    flat = LabelFrequencyPrior(tie_break=False).fit(bags, Ytr).decision_function(bags)
    # the pairs of a rare positive with a rare negative: all errors when tied, about
    # half in a random order
    assert ranking_loss(Yte, flat) == pytest.approx(2 * ranking_loss(Yte, S), rel=0.1)
    other = LabelFrequencyPrior(random_state=4).fit(bags, Ytr).decision_function(bags)
    assert not np.array_equal(np.argsort(other, 1), np.argsort(S, 1))


def test_contract_and_bad_input():
    p = LabelFrequencyPrior()
    assert clone(p).get_params() == {'random_state': None, 'tie_break': True}
    assert LabelFrequencyPrior.param_grid == [{}]
    with pytest.raises(NotFittedError):
        p.predict(BAGS)
    with pytest.raises(ValueError):
        p.fit(BAGS[:2], np.zeros(2))
    with pytest.raises(ValueError):
        p.fit([], np.zeros((0, 3)))
    p.fit(BAGS, Y)
    with pytest.raises(ValueError, match='features'):
        p.predict_proba([np.zeros((1, 5), np.float32)])
