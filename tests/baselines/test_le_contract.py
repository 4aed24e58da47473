"""The estimator contract of the label-enhancement baselines (``LABEL_ENHANCERS``), the
counterpart of tests/estimators/test_contract.py for estimators that take a feature
matrix and logical labels: keyword-only parameters stored as given, clone and pickle,
refit with the same seed gives the same result, NotFittedError, one message style for
invalid parameters, rows summing to 1."""
import inspect
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import gmiml.baselines as B
from gmiml.datasets import make_synthetic_ldl
from gmiml.estimators.constraints import InvalidParameterError
from gmiml.utils import logical_from_distribution

BAD = {'LP': ('sigma', 0.0), 'GLLE': ('n_neighbors', 0)}
MAKE = {'LP': lambda: B.LP(alpha=0.4), 'GLLE': lambda: B.GLLE(max_iter=10, random_state=0)}


@pytest.fixture(scope='module')
def data():
    X, D = make_synthetic_ldl(50, 4, 3, random_state=0)
    return X, logical_from_distribution(D)


def test_every_label_enhancer_is_covered():
    assert set(B.LABEL_ENHANCERS) == set(MAKE) == set(BAD)
    assert set(B.LABEL_ENHANCERS) <= set(B.__all__)


@pytest.mark.parametrize('name', sorted(MAKE))
def test_contract(name, data):
    X, L = data
    est = MAKE[name]()
    sig = inspect.signature(type(est).__init__).parameters
    assert all(p.kind == p.KEYWORD_ONLY for n, p in sig.items() if n != 'self')
    assert set(vars(est)) == set(est.get_params())
    with pytest.raises(NotFittedError, match=f'This {name} instance is not fitted yet'):
        est.transform()
    D = est.fit_transform(X, L)
    assert D.shape == L.shape and D.dtype == np.float64
    np.testing.assert_allclose(D.sum(1), 1)
    np.testing.assert_array_equal(clone(est).fit_transform(X, L), D)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).transform(), D)
    key, value = BAD[name]
    bad = clone(est).set_params(**{key: value})
    assert getattr(bad, key) == value  # stored as given, refused by fit
    with pytest.raises(InvalidParameterError,
                       match=rf'^{name}: parameter {key}={value!r} is invalid; expected \S'):
        bad.fit(X, L)
