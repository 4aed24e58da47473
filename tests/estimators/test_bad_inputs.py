"""Bad input to the estimators and baselines (#12): each case asserts the exact message.
Parameters are checked at the start of ``fit`` (before any data preparation or training);
data errors name the bag, instance and feature. Checkpoint and file cases are in
``test_checkpoint.py``."""
import re

import numpy as np
import pytest

from gmiml.baselines import KISAR, MIFLEM, MIMLNN, MIMLRBF, MIMLSVM, MIMLWEL, EnMIMLNN
from gmiml.datasets import make_synthetic_miml
from gmiml.estimators import GLEMIMLClassifier
from gmiml.estimators.constraints import InvalidParameterError

POOLS = ("one of 'mean', 'max', 'min', 'sum', 'add', 'mul', 'var', 'std', 'median', or "
         "several joined by '+' (e.g. 'mean+max')")


@pytest.fixture(scope='module')
def small():
    d = make_synthetic_miml(n_bags=30, n_labels=3, n_features=2,
                            instances_per_bag=(1, 3), random_state=0)
    return d.bags, d.Y


def _exact(msg):
    return '^' + re.escape(msg) + '$'


G = 'GLEMIMLClassifier: parameter '
PARAM_CASES = [
    (GLEMIMLClassifier, {'batch_size': 1}, G + 'batch_size=1 is invalid; expected an '
     'integer >= 2 (batch normalisation needs 2 bags a batch)'),
    (GLEMIMLClassifier, {'batch_size': 0}, G + 'batch_size=0 is invalid; expected an '
     'integer >= 2 (batch normalisation needs 2 bags a batch)'),
    (GLEMIMLClassifier, {'batch_size': 32.0}, G + 'batch_size=32.0 is invalid; expected an '
     'integer >= 2 (batch normalisation needs 2 bags a batch)'),
    (GLEMIMLClassifier, {'pool': 'foo'}, G + f"pool='foo' is invalid; expected {POOLS}"),
    (GLEMIMLClassifier, {'pool': 'mean+foo'},
     G + f"pool='mean+foo' is invalid; expected {POOLS}"),
    (GLEMIMLClassifier, {'pool': ['mean']},
     G + f"pool=['mean'] is invalid; expected {POOLS}"),
    (GLEMIMLClassifier, {'lr': 0}, G + 'lr=0 is invalid; expected a number > 0'),
    (GLEMIMLClassifier, {'lr': float('nan')}, G + 'lr=nan is invalid; expected a number > 0'),
    (GLEMIMLClassifier, {'lr': '1e-3'},
     G + "lr='1e-3' is invalid; expected a number > 0"),
    (GLEMIMLClassifier, {'weight_decay': -0.1},
     G + 'weight_decay=-0.1 is invalid; expected a number >= 0'),
    (GLEMIMLClassifier, {'dropout': 1.0},
     G + 'dropout=1.0 is invalid; expected a number in [0, 1)'),
    (GLEMIMLClassifier, {'rho': 1.5}, G + 'rho=1.5 is invalid; expected a number in [0, 1]'),
    (GLEMIMLClassifier, {'betas': (0.5, 0.5, 0.5)}, G + 'betas=(0.5, 0.5, 0.5) is invalid; '
     'expected 3 non-negative weights summing to 1'),
    (GLEMIMLClassifier, {'betas': (1.0, 0.0)}, G + 'betas=(1.0, 0.0) is invalid; '
     'expected 3 non-negative weights summing to 1'),
    (GLEMIMLClassifier, {'betas': 'abc'}, G + "betas='abc' is invalid; "
     'expected 3 non-negative weights summing to 1'),
    (GLEMIMLClassifier, {'betas': (1.2, -0.1, -0.1)}, G + 'betas=(1.2, -0.1, -0.1) is '
     'invalid; expected 3 non-negative weights summing to 1'),
    (GLEMIMLClassifier, {'classifier_layers': 4},
     G + 'classifier_layers=4 is invalid; expected one of 1, 2, 3'),
    (GLEMIMLClassifier, {'classifier_layers': True},
     G + 'classifier_layers=True is invalid; expected one of 1, 2, 3'),
    (GLEMIMLClassifier, {'hidden_channels': 0},
     G + 'hidden_channels=0 is invalid; expected an integer >= 1'),
    (GLEMIMLClassifier, {'hidden_channels': 8.5},
     G + 'hidden_channels=8.5 is invalid; expected an integer >= 1'),
    (GLEMIMLClassifier, {'k': 0}, G + 'k=0 is invalid; expected an integer >= 1'),
    (GLEMIMLClassifier, {'label_k': -1}, G + 'label_k=-1 is invalid; expected an integer >= 0'),
    (GLEMIMLClassifier, {'patience': 0},
     G + 'patience=0 is invalid; expected an integer >= 1 or None'),
    (GLEMIMLClassifier, {'max_epochs': 0},
     G + 'max_epochs=0 is invalid; expected an integer >= 1'),
    (GLEMIMLClassifier, {'validation_fraction': 1.0},
     G + 'validation_fraction=1.0 is invalid; expected a number in [0, 1)'),
    (GLEMIMLClassifier, {'selection_metric': 'acc'}, G + "selection_metric='acc' is "
     "invalid; expected one of 'auto', 'loss', 'hamming_loss', 'ranking_loss', "
     "'mean_average_precision', 'macro_f1', 'micro_f1', 'one_error', 'coverage', "
     "'average_precision', 'macro_auc'"),
    (GLEMIMLClassifier, {'threshold': 0}, G + "threshold=0 is invalid; expected a number "
     "in (0, 1) or one of 'val', 'auto'"),
    (GLEMIMLClassifier, {'threshold': 'best'}, G + "threshold='best' is invalid; expected "
     "a number in (0, 1) or one of 'val', 'auto'"),
    (GLEMIMLClassifier, {'graph': 'knn'},
     G + "graph='knn' is invalid; expected one of 'input', 'embedding'"),
    (GLEMIMLClassifier, {'gamma_neg': -1.0},
     G + 'gamma_neg=-1.0 is invalid; expected a number >= 0'),
    (GLEMIMLClassifier, {'device': 'tpu9'},
     G + "device='tpu9' is invalid; expected 'cpu', 'cuda', 'cuda:N' or 'auto'"),
    (GLEMIMLClassifier, {'device': 0},
     G + "device=0 is invalid; expected 'cpu', 'cuda', 'cuda:N' or 'auto'"),
    (GLEMIMLClassifier, {'distributed': 'yes'},
     G + "distributed='yes' is invalid; expected True or False"),
    (GLEMIMLClassifier, {'enhancement': 1},
     G + 'enhancement=1 is invalid; expected True or False'),
    (GLEMIMLClassifier, {'random_state': -1},
     G + 'random_state=-1 is invalid; expected an integer >= 0 or None'),
    (GLEMIMLClassifier, {'checkpoint': 5},
     G + 'checkpoint=5 is invalid; expected a file path or None'),
    (MIFLEM, {'batch_size': 1}, 'MIFLEM: parameter batch_size=1 is invalid; expected an '
     'integer >= 2 (batch normalisation needs 2 bags a batch)'),
    (MIFLEM, {'alpha': 2}, 'MIFLEM: parameter alpha=2 is invalid; expected a number in '
     '[0, 1]'),
    (MIFLEM, {'method': 'x'}, "MIFLEM: parameter method='x' is invalid; expected one of "
     "'ld', 'threshold', 'sim'"),
    (MIMLSVM, {'gamma': 'auto'}, "MIMLSVM: parameter gamma='auto' is invalid; expected a "
     "number > 0 or one of 'scale'"),
    (MIMLSVM, {'gamma': 0}, "MIMLSVM: parameter gamma=0 is invalid; expected a number > 0 "
     "or one of 'scale'"),
    (MIMLNN, {'ratio': 0}, 'MIMLNN: parameter ratio=0 is invalid; expected a number in '
     '(0, 1]'),
    (MIMLNN, {'variant': 'l2'}, "MIMLNN: parameter variant='l2' is invalid; expected one "
     "of 'max', 'avg', 'min'"),
    (MIMLNN, {'random_state': 'seed'}, "MIMLNN: parameter random_state='seed' is invalid; "
     "expected an integer >= 0 or a numpy RandomState or Generator or None"),
    (KISAR, {'C': 0}, 'KISAR: parameter C=0 is invalid; expected a number > 0'),
    (KISAR, {'max_iter': 1.5}, 'KISAR: parameter max_iter=1.5 is invalid; expected an '
     'integer >= 1'),
    (EnMIMLNN, {'variants': []}, "EnMIMLNN: parameter variants=[] is invalid; expected one "
     "of 'max', 'avg', 'min' or a non-empty list of (one of 'max', 'avg', 'min')"),
    (MIMLRBF, {'mu': -1}, 'MIMLRBF: parameter mu=-1 is invalid; expected a number > 0'),
    (MIMLWEL, {'distance': 'avg'}, "MIMLWEL: parameter distance='avg' was renamed variant "
     "(as in the other baselines); use variant='avg'"),
    (MIMLWEL, {'tol': -1.0}, 'MIMLWEL: parameter tol=-1.0 is invalid; expected a number '
     '>= 0'),
]


@pytest.mark.parametrize('cls, params, msg', PARAM_CASES,
                         ids=[f'{c.__name__}-{next(iter(p))}-{i}'
                              for i, (c, p, _) in enumerate(PARAM_CASES)])
def test_invalid_parameter(cls, params, msg, small, monkeypatch):
    est = cls(**params)  # stored as given, no error yet
    for k, v in params.items():
        assert getattr(est, k) is v
    with pytest.raises(InvalidParameterError, match=_exact(msg)):
        est.fit(*small)


def test_parameters_checked_before_the_data(small):
    with pytest.raises(InvalidParameterError, match='pool'):
        GLEMIMLClassifier(pool='foo').fit([np.zeros((0, 2))], [[1, 0]])


def test_pool_mean_max_is_valid(small):
    est = GLEMIMLClassifier(pool='mean+max', hidden_channels=4, enhancer_channels=4,
                            max_epochs=1, random_state=0).fit(*small)
    assert est.predict(small[0]).shape == small[1].shape


@pytest.mark.filterwarnings('ignore:Y. label column')
def test_batch_size_two_trains_with_batch_norm(small):
    """The smallest allowed batch (2 bags) trains, also with an odd number of bags (the
    last bag joins the batch before it)."""
    bags, Y = small
    est = GLEMIMLClassifier(batch_size=2, hidden_channels=4, enhancer_channels=4,
                            max_epochs=1, validation_fraction=0, random_state=0)
    est.fit(bags[:7], Y[:7])
    assert len(est.history_) == 1


DATA_CASES = [
    ('overflow', lambda b: b[:1] + [np.array([[1e300, 1.0]])] + b[2:],
     'bags[1]: feature value 1e+300 at instance 0, feature 0 overflows float32 '
     '(|x| > 3.402823e+38, the largest float32); rescale the data'),
    ('overflow-negative', lambda b: b[:3] + [np.array([[0.0, 1.0], [0.0, -1e39]])] + b[4:],
     'bags[3]: feature value -1e+39 at instance 1, feature 1 overflows float32 '
     '(|x| > 3.402823e+38, the largest float32); rescale the data'),
    ('ragged', lambda b: b[:2] + [[[1.0, 2.0], [3.0]]] + b[3:],
     'bags[2]: ragged: instance 1 has 1 values, expected 2 (as most instances); every '
     'instance needs the same number of values'),
    ('strings', lambda b: [[['1.0', 'x']]] + b[1:],
     "bags[0]: 'x' at instance 0, feature 1 is text, not a number; convert the input to a "
     "real-valued numeric array first"),
    ('numeric-strings', lambda b: b[:4] + [np.array([['1.0', '2.0']])] + b[5:],
     "bags[4]: '1.0' at instance 0, feature 0 is text, not a number; convert the input to "
     "a real-valued numeric array first"),
    ('string-bag', lambda b: b[:5] + ['abc'] + b[6:],
     "bags[5]: 'abc' at the place of the whole array (a single value) is text, not a "
     "number; convert the input to a real-valued numeric array first"),
    ('none', lambda b: b[:1] + [[[None, 1.0]]] + b[2:],
     'bags[1]: None at instance 0, feature 0 is not a real number; convert the input to a '
     'real-valued numeric array first'),
    ('nan', lambda b: b[:2] + [np.array([[np.nan, 1.0]])] + b[3:],
     'bags[2]: non-finite feature value nan at instance 0, feature 0 (NaN/inf are not '
     'allowed; impute or drop them explicitly first)'),
    ('empty-bag', lambda b: b[:1] + [np.zeros((0, 2))] + b[2:],
     'bags[1]: empty bag (0 instances); every bag needs at least one instance'),
    ('dimension', lambda b: b[:1] + [np.zeros((2, 3))] + b[2:],
     'bags[1]: has 3 features per instance, expected 2 (as in the first bag or the fitted '
     'model)'),
]


@pytest.mark.parametrize('make, msg', [c[1:] for c in DATA_CASES], ids=[c[0] for c in DATA_CASES])
@pytest.mark.parametrize('cls', [GLEMIMLClassifier, MIFLEM, MIMLNN])
def test_bad_bags(cls, make, msg, small):
    bags, Y = small
    with pytest.raises(ValueError, match=_exact(msg)):
        cls().fit(make(list(bags)), Y)


def test_labels_as_index_lists(small):
    bags, _ = small
    with pytest.raises(ValueError, match=r'^Y: rows of different lengths that look like '
                                         r'label indices \(row 0: \[0, 1\]\)'):
        GLEMIMLClassifier().fit(bags[:3], [[0, 1], [2], [1]])


@pytest.mark.filterwarnings('ignore:Y. label column')
def test_predict_threshold_and_enhancement(small):
    bags, Y = small
    est = GLEMIMLClassifier(enhancement=False, hidden_channels=4, max_epochs=1,
                            random_state=0).fit(bags, Y)
    with pytest.raises(ValueError, match=_exact(
            'threshold: expected a probability in (0, 1), got 1.5')):
        est.predict(bags, threshold=1.5)
    with pytest.raises(ValueError, match=_exact(
            'label_distribution: this model was fitted with enhancement=False and has no '
            'label enhancer')):
        est.label_distribution(bags, Y)
    with pytest.raises(ValueError, match=_exact(
            'bags[0]: has 3 features per instance, expected 2 (as in the first bag or the '
            'fitted model)')):
        est.predict([np.zeros((1, 3))])
