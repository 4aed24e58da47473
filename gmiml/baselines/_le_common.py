r"""Pieces shared by the label-enhancement baselines (LP, GLLE): input checks, squared
distances, the softmax read-out, and the transductive estimator contract."""
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from gmiml.estimators.constraints import validate_params
from gmiml.utils.label_distribution import check_logical_labels, check_real_matrix

__all__ = ['check_le_input', 'check_max_iter', 'squared_distances', 'softmax_rows',
           'BaseLabelEnhancer']


def check_le_input(X, L):
    r"""``(X, L)`` as ``float64`` arrays after checking: ``X`` a finite 2-D numeric
    matrix :math:`[N, F]`, ``L`` a :math:`\{0, 1\}` matrix :math:`[N, C]` with the same
    number of rows. Raises :class:`ValueError` naming the row and column of a bad
    value."""
    Xa = check_real_matrix(X, 'X', 'n_features')
    La = check_logical_labels(L)
    if La.shape[0] != Xa.shape[0]:
        raise ValueError(f"L: has {La.shape[0]} rows but X has {Xa.shape[0]}; one row of "
                         f"logical labels per instance")
    return Xa, La


def check_max_iter(max_iter) -> None:
    """``max_iter`` must be :obj:`None` (solve exactly) or an integer >= 1."""
    if max_iter is not None and (not isinstance(max_iter, (int, np.integer))
                                 or max_iter < 1):
        raise ValueError(f"max_iter: must be None or an integer >= 1, got {max_iter!r}")


def squared_distances(X: np.ndarray) -> np.ndarray:
    r"""All pairwise squared Euclidean distances :math:`[N, N]` (scipy's ``cdist``,
    exact zeros on the diagonal, no negative rounding as with the Gram-matrix trick)."""
    from scipy.spatial.distance import cdist

    return cdist(X, X, 'sqeuclidean')


def softmax_rows(F: np.ndarray) -> np.ndarray:
    r"""Row-wise softmax, the read-out the LE papers use to turn scores into
    distributions."""
    from scipy.special import softmax

    return softmax(F, axis=1)


class BaseLabelEnhancer(BaseEstimator):
    r"""Transductive label enhancer: ``fit(X, L)`` recovers a distribution for every
    given instance (stored as ``label_distribution_``); :meth:`fit_transform` returns
    it. Subclasses declare ``_parameter_constraints`` (checked by ``fit``) and implement
    ``_enhance(X, L) -> D``."""
    _parameter_constraints: dict = {}

    def _enhance(self, X, L):  # pragma: no cover - abstract
        raise NotImplementedError

    def fit(self, X, L):
        r"""Recovers the label distributions of the instances ``X`` :math:`[N, F]` from
        their logical labels ``L`` :math:`[N, C]`; returns ``self``."""
        validate_params(self)
        X, L = check_le_input(X, L)
        self.label_distribution_ = self._enhance(X, L)
        self.n_features_in_ = X.shape[1]
        return self

    def fit_transform(self, X, L) -> np.ndarray:
        r"""``fit(X, L)`` and the recovered distributions ``float64 [N, C]`` (rows sum to
        1)."""
        return self.fit(X, L).label_distribution_

    def transform(self, X=None) -> np.ndarray:
        r"""The distributions recovered by the last :meth:`fit` (the method is
        transductive: there is no model of new instances, so ``X`` must be :obj:`None`
        or the fitted matrix itself)."""
        if not hasattr(self, 'label_distribution_'):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet: "
                                 f"call 'fit(X, L)' (or 'fit_transform') first")
        if X is not None and np.shape(X) != (len(self.label_distribution_),
                                             self.n_features_in_):
            raise ValueError(f"X: {type(self).__name__} is transductive and was fitted on "
                             f"{len(self.label_distribution_)} instances; it cannot "
                             f"transform a matrix of shape {np.shape(X)}")
        return self.label_distribution_
