"""Each baseline must beat the label-frequency prior on mAP on a small real data set, so a
broken baseline cannot slip into the benchmark's Table 2."""
import numpy as np
import pytest

import gmiml.baselines as B
from gmiml.metrics import mean_average_precision

pytestmark = pytest.mark.real_data

MARGIN = 0.05  # over the prior's mAP (.29 here); the baselines reach .50-.66


@pytest.fixture(scope='module')
def image300(data_root):
    """A fixed 300-bag subset of the image data: 210 training bags, 90 test bags."""
    from gmiml.datasets import load_bags
    d = load_bags('image', root=data_root)
    idx = np.random.default_rng(0).permutation(len(d.bags))[:300]
    bags, Y = [d.bags[i] for i in idx], d.Y[idx]
    return bags[:210], Y[:210], bags[210:], Y[210:]


@pytest.fixture(scope='module')
def prior_map(image300):
    bags, Y, bags_te, Y_te = image300
    p = B.LabelFrequencyPrior(random_state=0).fit(bags, Y)
    return mean_average_precision(Y_te, p.predict_proba(bags_te))


def _map(cls, params, data):
    bags, Y, bags_te, Y_te = data
    est = cls(random_state=0, **params).fit(bags, Y)
    return mean_average_precision(Y_te, est.predict_proba(bags_te))


REFERENCE = ['MIFLEM', 'MIMLNN', 'EnMIMLNN', 'MIMLRBF', 'MIMLWEL', 'KISAR', pytest.param(
    'MIMLSVM', marks=pytest.mark.xfail(strict=True, reason=(
        'the reference gamma 0.2 on raw Hausdorff distances makes the kernel nearly the '
        'identity on image: mAP .25, the prior .29 (test_mimlsvm_tuned_beats_prior '
        'shows the tuned gamma passing)')))]


@pytest.mark.parametrize('name', REFERENCE)
def test_reference_settings_beat_prior(name, image300, prior_map):
    assert _map(getattr(B, name), {}, image300) > prior_map + MARGIN


def test_mimlsvm_tuned_beats_prior(image300, prior_map):
    grid = B.MIMLSVM.param_grid
    assert {'gamma': 'scale'} in grid
    assert _map(B.MIMLSVM, {'gamma': 'scale'}, image300) > prior_map + MARGIN
