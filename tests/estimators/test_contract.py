"""The estimator contract, checked on every estimator of gmiml (``REGISTRY``): pickle
round trip with identical outputs, ``clone``, refit with the same seed gives the same
result, no work in ``__init__`` (parameters stored as given, keyword-only),
``NotFittedError`` before ``fit``, ``predict`` consistent with the scores and
``predict_proba`` monotone in ``decision_function``, ``score``, scikit-learn tags, and one
message style for invalid parameters; and scikit-learn's estimator checks that apply.

scikit-learn's estimator checks (``sklearn.utils.estimator_checks``) that apply to
MIML estimators, run on every estimator of the contract test's ``REGISTRY``.

gmiml's input is a list of bags (``[n_i, d]`` arrays of different lengths) and its target
a binary label matrix ``[N, L]``; ``__sklearn_tags__`` says so (``input_tags.two_d_array =
False``), so ``check_estimator`` itself runs only ``check_estimator_cloneable`` and skips
the rest. The checks below do not feed 2-D data sets, so they apply as they are and are
run here.

Not applicable (each one builds a 2-D ``X`` of samples and features, or a 1-D ``y`` of
classes, and tests behaviour defined on that form; gmiml rejects a 2-D ``X`` as "not a
list of bags"). What each would test is covered for bags by ``test_contract.py``:

* fitting and predicting on 2-D data: ``check_fit_score_takes_y``,
  ``check_estimators_overwrite_params``, ``check_dont_overwrite_parameters``,
  ``check_estimators_fit_returns_self``, ``check_readonly_memmap_input``,
  ``check_n_features_in_after_fitting``, ``check_estimators_dtypes``,
  ``check_pipeline_consistency``, ``check_estimators_pickle``,
  ``check_f_contiguous_array_estimator``, ``check_dict_unchanged``,
  ``check_fit_idempotent``, ``check_fit_check_is_fitted``, ``check_n_features_in``,
  ``check_fit2d_predict1d``, ``check_methods_sample_order_invariance``,
  ``check_methods_subset_invariance``, ``check_non_transformer_estimators_n_iter``,
  ``check_decision_proba_consistency`` (covered: pickle, refit, clone, monotone proba);
* classifier checks on 1-D class targets: ``check_classifiers_train``,
  ``check_classifiers_classes``, ``check_classifiers_one_label``,
  ``check_classifiers_regression_target``, ``check_classifier_not_supporting_multiclass``,
  ``check_classifier_multioutput``, ``check_classifier_data_not_an_array``,
  ``check_classifiers_multilabel_*`` (they expect ``classes_`` and per-output
  ``predict_proba`` lists of the multi-output meta-estimators; gmiml returns one
  ``[N, L]`` score matrix);
* input-error messages worded for 2-D arrays: ``check_complex_data``,
  ``check_dtype_object``, ``check_estimators_empty_data_messages``,
  ``check_estimators_nan_inf``, ``check_fit2d_1sample``, ``check_fit2d_1feature``,
  ``check_requires_y_none``, ``check_positive_only_tag_during_fit`` (gmiml's own messages
  name the bag, instance and feature: ``tests/estimators/test_bad_inputs.py``);
* vacuous for bags (they pass only because a 2-D ``X`` is refused first):
  ``check_supervised_y_no_nan``, ``check_fit1d``, ``check_estimator_sparse_array``,
  ``check_estimator_sparse_matrix``, ``check_classifiers_one_label_sample_weights``,
  ``check_estimators_partial_fit_n_features``; ``check_array_api_input`` (no array API).
"""
import inspect
import pickle
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks as ec
from sklearn.utils import get_tags

from gmiml.baselines import (KISAR, MIFLEM, MIMLNN, MIMLRBF, MIMLSVM, MIMLWEL, EnMIMLNN,
                             LabelFrequencyPrior)
from gmiml.datasets import make_synthetic_miml
from gmiml.estimators import GLEMIMLClassifier
from gmiml.estimators.constraints import InvalidParameterError
from gmiml.metrics import mean_average_precision


@dataclass
class Case:
    """An estimator of the registry: ``make()`` builds it with small settings; ``bad`` is
    an invalid ``(parameter, value)``."""
    name: str
    make: Callable
    bad: tuple
    extra: dict = field(default_factory=dict)


REGISTRY = [
    Case('GLEMIMLClassifier', lambda: GLEMIMLClassifier(
        hidden_channels=4, enhancer_channels=4, max_epochs=2, batch_size=16,
        random_state=0), ('pool', 'foo')),
    Case('MIFLEM', lambda: MIFLEM(hidden_channels=8, max_epochs=2, random_state=0),
         ('method', 'xx')),
    Case('MIMLNN', lambda: MIMLNN(random_state=0), ('lam', -1.0)),
    Case('MIMLSVM', lambda: MIMLSVM(random_state=0), ('C', 0)),
    Case('EnMIMLNN', lambda: EnMIMLNN(random_state=0), ('mu', 0)),
    Case('MIMLRBF', lambda: MIMLRBF(random_state=0), ('ratio', 1.5)),
    Case('MIMLWEL', lambda: MIMLWEL(max_iter=2, random_state=0), ('variant', 'l2')),
    Case('KISAR', lambda: KISAR(max_iter=2, max_prototypes=20, random_state=0),
         ('relation', 'foo')),
    Case('LabelFrequencyPrior', lambda: LabelFrequencyPrior(random_state=0),
         ('tie_break', 'yes')),
]
IDS = [c.name for c in REGISTRY]


@pytest.fixture(scope='module')
def data():
    d = make_synthetic_miml(n_bags=60, n_labels=3, n_features=4,
                            instances_per_bag=(1, 4), random_state=0)
    return d.bags[:40], d.Y[:40], d.bags[40:], d.Y[40:]


@pytest.fixture(scope='module')
def fitted(data):
    bags, Y, *_ = data
    return {c.name: c.make().fit(bags, Y) for c in REGISTRY}


def _outputs(est, bags):
    return [est.decision_function(bags), est.predict_proba(bags), est.predict(bags)]


def test_registry_covers_every_estimator():
    import gmiml.baselines as B
    names = {n for n in B.__all__ if isinstance(getattr(B, n), type)} | {'GLEMIMLClassifier'}
    assert names == set(IDS)


@pytest.mark.parametrize('case', REGISTRY, ids=IDS)
def test_pickle_round_trip(case, fitted, data):
    est = fitted[case.name]
    r = pickle.loads(pickle.dumps(est))
    for a, b in zip(_outputs(est, data[2]), _outputs(r, data[2])):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize('case', REGISTRY, ids=IDS)
def test_clone_and_refit_same_seed(case, fitted, data):
    est = fitted[case.name]
    c = clone(est)
    assert c.get_params() == est.get_params() and not hasattr(c, 'n_features_in_')
    c.fit(data[0], data[1])
    for a, b in zip(_outputs(est, data[2]), _outputs(c, data[2])):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize('case', REGISTRY, ids=IDS)
def test_init_only_stores_keyword_only_params(case):
    est = case.make()
    params = est.get_params(deep=False)
    sig = inspect.signature(type(est).__init__).parameters
    assert all(p.kind == p.KEYWORD_ONLY for n, p in sig.items() if n != 'self')
    assert set(vars(est)) == set(params)  # nothing else set in __init__
    with pytest.raises(TypeError):
        type(est)(*[params[n] for n in list(sig)[1:2]])  # positional: refused
    # an invalid value is stored as given, and refused only by fit
    key, value = case.bad
    bad = clone(est).set_params(**{key: value})
    assert getattr(bad, key) == value


@pytest.mark.parametrize('case', REGISTRY, ids=IDS)
def test_not_fitted(case, data):
    est = case.make()
    for method in (est.decision_function, est.predict_proba, est.predict):
        with pytest.raises(NotFittedError, match=f'This {case.name} instance is not '
                                                 f'fitted yet'):
            method(data[2])
    with pytest.raises(NotFittedError):
        est.score(data[2], data[3])


@pytest.mark.parametrize('case', REGISTRY, ids=IDS)
def test_predict_consistent_with_scores(case, fitted, data):
    est = fitted[case.name]
    D, P, H = _outputs(est, data[2])
    assert D.dtype == np.float64 and D.shape == P.shape == H.shape == data[3].shape
    assert H.dtype == np.uint8 and set(np.unique(H)) <= {0, 1}
    assert ((P >= 0) & (P <= 1)).all()
    for d, p, h in zip(D, P, H):
        order = np.argsort(d, kind='stable')
        assert (np.diff(p[order]) >= 0).all()  # proba monotone in the decision values
        if h.any() and not h.all():  # every label on scores at least every label off
            assert d[h == 1].min() >= d[h == 0].max()


@pytest.mark.parametrize('case', REGISTRY, ids=IDS)
def test_score_is_mean_average_precision(case, fitted, data):
    est = fitted[case.name]
    s = est.score(data[2], data[3])
    assert isinstance(s, float) and 0 <= s <= 1
    assert s == mean_average_precision(data[3], est.decision_function(data[2]))
    with pytest.raises(ValueError, match='rows'):
        est.score(data[2], data[3][:-1])


@pytest.mark.parametrize('case', REGISTRY, ids=IDS)
def test_sklearn_tags(case):
    tags = get_tags(case.make())
    assert tags.estimator_type == 'classifier'
    assert tags.classifier_tags.multi_label and tags.target_tags.multi_output
    assert tags.target_tags.required and not tags.input_tags.two_d_array


@pytest.mark.parametrize('case', REGISTRY, ids=IDS)
def test_invalid_parameter_message(case, data):
    key, value = case.bad
    est = case.make().set_params(**{key: value})
    with pytest.raises(InvalidParameterError,
                       match=rf'^{case.name}: parameter {key}={value!r} is invalid; '
                             r'expected \S'):
        est.fit(data[0], data[1])
    assert issubclass(InvalidParameterError, ValueError)


# ---------------------------------------------------------- scikit-learn's checks
APPLICABLE = [
    'check_estimator_cloneable',
    'check_estimator_tags_renamed',
    'check_valid_tag_types',
    'check_estimator_repr',
    'check_no_attributes_set_in_init',
    'check_estimators_unfitted',
    'check_do_not_raise_errors_in_init_or_set_params',
    'check_mixin_order',
    'check_parameters_default_constructible',
    'check_get_params_invariance',
    'check_set_params',
]


@pytest.mark.parametrize('check', APPLICABLE)
@pytest.mark.parametrize('case', REGISTRY, ids=IDS)
def test_sklearn_check(case, check):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        getattr(ec, check)(case.name, case.make())


def test_check_estimator_runs_what_applies():
    """``check_estimator`` on a bag estimator: its tags say it takes no 2-D array, so
    only the cloneability check runs (and passes)."""
    from gmiml.estimators import GLEMIMLClassifier
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ec.check_estimator(GLEMIMLClassifier(max_epochs=1))


def test_cross_val_score_and_grid_search_with_default_scoring():
    """``score`` makes ``scoring=None`` work (#15.7)."""
    import numpy as np
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from gmiml.baselines import MIMLNN
    from gmiml.datasets import make_synthetic_miml
    d = make_synthetic_miml(n_bags=60, n_labels=3, n_features=4, random_state=0)
    s = cross_val_score(MIMLNN(random_state=0), d.bags, d.Y, cv=3)
    assert s.shape == (3,) and np.all((s >= 0) & (s <= 1))
    g = GridSearchCV(MIMLNN(random_state=0), {'ratio': [0.2, 0.4]}, cv=3).fit(d.bags, d.Y)
    assert g.best_params_['ratio'] in (0.2, 0.4) and 0 <= g.best_score_ <= 1
