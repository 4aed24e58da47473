r"""The label-frequency prior: a reference row of Table 2 (what "learning" must beat).

Stand-in until the package ships :class:`gmiml.baselines.LabelFrequencyPrior`; the
``Prior`` entry of :mod:`suite.methods` then points there.
"""
import numpy as np

__all__ = ['LabelFrequencyPrior']


class LabelFrequencyPrior:
    r"""Scores label :math:`l` of every bag with its frequency in the training part,

    .. math::
        s_{il} = \hat p_l = \frac{1}{N} \sum_{j=1}^{N} y_{jl},

    and predicts label :math:`l` on when :math:`\hat p_l > 0.5` (on MIML data sets usually
    no label at all, which is what the prior knows). The bags themselves are ignored.
    """

    def __init__(self):
        pass

    def get_params(self, deep=True):
        return {}

    def fit(self, bags, Y, eval_set=None):
        Y = np.asarray(Y)
        if Y.ndim != 2 or Y.shape[0] != len(bags) or Y.shape[0] == 0:
            raise ValueError(f'Y: expected [{len(bags)}, L] labels, got shape {Y.shape}')
        self.frequency_ = (Y > 0).mean(axis=0)
        return self

    def predict_proba(self, bags) -> np.ndarray:
        return np.tile(self.frequency_, (len(bags), 1))

    def predict(self, bags) -> np.ndarray:
        return (self.predict_proba(bags) > 0.5).astype(np.uint8)

    def __repr__(self):
        return 'LabelFrequencyPrior()'
