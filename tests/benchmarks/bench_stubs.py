"""Small estimators with gmiml's estimator contract whose behaviour the runner tests
control: validation quality per configuration, failures, delays."""
import hashlib
import os
import time

import numpy as np


def _key(bag) -> str:
    return hashlib.sha1(np.ascontiguousarray(bag, dtype=np.float32).tobytes()).hexdigest()


class GridStub:
    """Configuration ``quality`` q in {0, 1, 2}: scores on the validation bags are the true
    labels blended with 0.5 by q / 2 (q = 2: perfect, q = 0: no information); elsewhere
    constant. So the validation criterion orders the configurations by q."""
    param_grid = [{'quality': 0}, {'quality': 2}, {'quality': 1}, {'quality': 2}]

    def __init__(self, quality=0, random_state=None):
        self.quality = quality
        self.random_state = random_state

    def get_params(self, deep=True):
        return {'quality': self.quality, 'random_state': self.random_state}

    def fit(self, bags, Y, eval_set=None):
        self.n_labels_ = Y.shape[1]
        self.known_ = {}
        if eval_set is not None:
            self.known_ = {_key(b): np.asarray(y, float) for b, y in zip(*eval_set)}
        self.history_ = [{'epoch': e, 'train_loss': 1.0 / (e + 1)} for e in range(3)]
        return self

    def predict_proba(self, bags):
        w = self.quality / 2.0
        return np.stack([w * self.known_[_key(b)] + (1 - w) * 0.5 if _key(b) in self.known_
                         else np.full(self.n_labels_, 0.5) for b in bags])

    def predict(self, bags):
        return (self.predict_proba(bags) > 0.75).astype(np.uint8)


class FailingStub(GridStub):
    """Raises in fit while the file named by ``$STUB_FAIL_FILE`` exists and its text
    lists the seed (one per line) or says ``all``."""
    param_grid = None

    def fit(self, bags, Y, eval_set=None):
        f = os.environ.get('STUB_FAIL_FILE')
        if f and os.path.exists(f):
            words = open(f).read().split()
            if 'all' in words or str(self.random_state) in words:
                raise RuntimeError(f'planned failure (seed {self.random_state})')
        return super().fit(bags, Y, eval_set)


class SlowStub(GridStub):
    """Writes its pid to ``$STUB_PID_DIR`` (if set) and sleeps ``$STUB_DELAY`` seconds in
    fit."""
    param_grid = None

    def fit(self, bags, Y, eval_set=None):
        d = os.environ.get('STUB_PID_DIR')
        if d:
            with open(os.path.join(d, f'{os.getpid()}.pid'), 'w') as f:
                f.write(str(os.getpid()))
        time.sleep(float(os.environ.get('STUB_DELAY', '0.5')))
        return super().fit(bags, Y, eval_set)


class NoReferenceGrid(GridStub):
    """Like :class:`GridStub` but without eval_set in fit (the runner must cope)."""
    param_grid = None

    def fit(self, bags, Y):
        return super().fit(bags, Y)


class KwargsStub(GridStub):
    param_grid = None

    def __init__(self, **kwargs):
        super().__init__(kwargs.pop('quality', 0), kwargs.pop('random_state', None))
        self.extra = kwargs


class WarningStub(GridStub):
    """Warns in fit, as estimators do (convergence and the like)."""
    param_grid = None

    def fit(self, bags, Y, eval_set=None):
        import warnings
        warnings.warn('planned warning: did not converge', RuntimeWarning)
        print('noise on stdout from fit')
        return super().fit(bags, Y, eval_set)


class NoPredictProba:
    def fit(self, bags, Y, eval_set=None):
        return self

    def predict(self, bags):
        return None


class BadGrid(GridStub):
    param_grid = {'quality': [0, 1]}  # a dict of lists, not a list of dicts


def not_a_class():
    return None


BROKEN = 1
