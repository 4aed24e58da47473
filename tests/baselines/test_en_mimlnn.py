import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from gmiml.baselines.en_mimlnn import EnMIMLNN
from gmiml.baselines.mimlrbf import MIMLRBF


@pytest.fixture(scope='module')
def fitted(data):
    bags, Y, *_ = data
    return EnMIMLNN(random_state=0).fit(bags, Y)


def test_learns_planted_structure_and_beats_label_frequency(data, fitted, check_learns):
    *_, bags_te, Y_te = data
    S = check_learns(fitted, data, 0.1, 0.5, 0.4)
    pred = fitted.predict(bags_te)
    np.testing.assert_array_equal(pred, (S >= 0).astype(np.uint8))
    assert (pred != Y_te).mean() < 0.1
    P = fitted.predict_proba(bags_te)
    assert ((P >= 0) & (P <= 1)).all()


def test_is_the_mean_of_three_mimlrbf_networks(data, fitted):
    bags, Y, bags_te, _ = data
    assert [e.variant for e in fitted.estimators_] == ['max', 'avg', 'min']
    members = [MIMLRBF(variant=v, random_state=0).fit(bags, Y).decision_function(bags_te)
               for v in ('max', 'avg', 'min')]
    np.testing.assert_allclose(fitted.decision_function(bags_te), np.mean(members, 0),
                               rtol=1e-10, atol=1e-10)


def test_contract_and_bad_input(data):
    bags, Y, bags_te, _ = data
    est = EnMIMLNN(variants=('max',), random_state=0)
    assert clone(est).get_params()['variants'] == ('max',)
    with pytest.raises(NotFittedError):
        est.predict(bags_te)
    with pytest.raises(ValueError, match=r'^EnMIMLNN: parameter variants=\(\) is invalid; expected one of '):
        EnMIMLNN(variants=()).fit(bags, Y)
    with pytest.raises(ValueError, match=r"variants=\('max', 'foo'\) is invalid; expected one of 'max', 'avg', 'min' or a non-empty list of \(one of 'max', 'avg', 'min'\)$"):
        EnMIMLNN(variants=('max', 'foo')).fit(bags[:20], Y[:20])
    a = est.fit(bags[:60], Y[:60]).decision_function(bags_te)
    b = MIMLRBF(random_state=0).fit(bags[:60], Y[:60]).decision_function(bags_te)
    np.testing.assert_array_equal(a, b)
