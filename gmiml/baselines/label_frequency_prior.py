r"""The label-frequency prior: what a MIML method must beat to have learnt anything."""
import zlib

import numpy as np

from gmiml.estimators.base import BaseMIMLEstimator
from gmiml.estimators.constraints import RANDOM_STATE

__all__ = ['LabelFrequencyPrior']

#: Size of the tie-breaking jitter: far below the smallest gap 1/N between two different
#: frequencies of any data set of fewer than 10^8 bags, so it only orders tied labels.
_JITTER = 1e-9


class LabelFrequencyPrior(BaseMIMLEstimator):
    r"""Scores label :math:`l` of every bag with its frequency in the training part,

    .. math::
        s_{il} = \hat p_l + \epsilon\, u_{il}, \qquad
        \hat p_l = \frac{1}{N} \sum_{j=1}^{N} [\![ y_{jl} = 1 ]\!], \qquad
        u_{il} \sim U[0, 1),\ \epsilon = 10^{-9},

    and predicts label :math:`l` when :math:`\hat p_l > 0.5` (on MIML data sets usually no
    label at all, which is what the prior knows). The bags' contents are ignored.

    **Ties.** Labels of equal training frequency (on sparse data, many labels with one or
    no positive) tie in every bag. gmiml's ranking metrics count a tie as an error
    (:mod:`gmiml.metrics.ranking`), which would make the prior's ranking loss about .3 on
    the protein data where "ranking by frequency, ties in any order" gives about .19. The
    prior here is the second reading: with ``tie_break=True`` (default) a jitter
    :math:`\epsilon u_{il}` orders tied labels at random. It is deterministic: :math:`u_i`
    is drawn from a generator seeded by ``random_state`` and the CRC32 of bag :math:`i`'s
    bytes, so a bag gets the same scores in any batch. :math:`\epsilon` is far below the
    gap :math:`1/N` between different frequencies, so the order by frequency is kept.
    ``tie_break=False`` gives the constant scores :math:`\hat p_l` (every tie an error).

    Nothing is tuned: ``param_grid`` has the one configuration (the benchmark shows the
    prior as a reference row, not ranked).

    Args:
        tie_break (bool, optional): break ties between labels of equal frequency at
            random (see above). (default: :obj:`True`)
        random_state (int, RandomState, Generator or None, optional): seed of the
            tie-breaking jitter; :obj:`None` is 0, a generator gives one seed at
            :meth:`fit`. (default: :obj:`None`)

    Shapes:
        - **fit input:** ``bags`` a list of ``N`` arrays ``[n_i, d]``; ``Y`` ``[N, L]``
          in :math:`\{0, 1\}` or :math:`\{-1, 1\}`.
        - **decision_function / predict_proba output:** float64 ``[N, L]``.

    Attributes:
        frequency_ (numpy.ndarray): :math:`\hat p` ``[L]``.
        seed_ (int): the jitter's seed.
    """
    param_grid = [{}]

    _parameter_constraints = {'tie_break': ['boolean'], 'random_state': RANDOM_STATE}

    def __init__(self, *, tie_break: bool = True, random_state=None):
        self.tie_break = tie_break
        self.random_state = random_state

    def fit(self, bags, Y, eval_set=None):
        r"""Records the training label frequencies; returns ``self``."""
        bags, Y, _ = self._validate_fit_data(bags, Y, eval_set)
        self.frequency_ = (Y > 0).mean(axis=0)
        rs = self.random_state
        if rs is None or isinstance(rs, (int, np.integer)):
            self.seed_ = 0 if rs is None else int(rs)
        elif isinstance(rs, np.random.RandomState):
            self.seed_ = int(rs.randint(2 ** 31 - 1))
        else:  # a Generator
            self.seed_ = int(rs.integers(2 ** 31 - 1))
        return self

    def _jitter(self, bag: np.ndarray) -> np.ndarray:
        key = zlib.crc32(np.ascontiguousarray(bag).tobytes())
        return np.random.default_rng([self.seed_, key]).random(self.n_labels_)

    def decision_function(self, bags) -> np.ndarray:
        r"""The training frequencies (plus the tie-breaking jitter) ``float64 [N, L]``."""
        bags = self._validate_bags(bags)
        S = np.tile(self.frequency_.astype(np.float64), (len(bags), 1))
        if self.tie_break and len(bags):
            S += _JITTER * np.stack([self._jitter(b) for b in bags])
        return S

    def predict_proba(self, bags) -> np.ndarray:
        r"""The scores of :meth:`decision_function`, which are already in :math:`[0, 1]`
        (up to the jitter, clipped)."""
        return np.clip(self.decision_function(bags), 0.0, 1.0)

    def predict(self, bags) -> np.ndarray:
        r"""Hard labels ``uint8 [N, L]``: label :math:`l` when :math:`\hat p_l > 0.5`."""
        bags = self._validate_bags(bags)
        return np.tile(self.frequency_ > 0.5, (len(bags), 1)).astype(np.uint8)
