r"""MIMLNN: k-medoids bag features and a regularised linear output layer (Zhou et al.,
AIJ 2012)."""
from numbers import Integral, Real

import numpy as np

from gmiml.estimators.base import BaseMIMLEstimator
from gmiml.estimators.constraints import HAUSDORFF_VARIANTS, RANDOM_STATE, Interval
from gmiml.utils.hausdorff import hausdorff_distances
from gmiml.utils.k_medoids import k_medoids

__all__ = ['MIMLNN']


class MIMLNN(BaseMIMLEstimator):
    r"""MIMLNN from `"Multi-Instance Multi-Label Learning"
    <https://doi.org/10.1016/j.artint.2011.10.002>`_ (Zhou, Zhang, Huang & Li, Artificial
    Intelligence 2012), as used as a baseline by Chen et al. 2013 and the GLEMIML paper.

    Like :class:`~gmiml.baselines.MIMLSVM`, the training bags are clustered by k-medoids
    under the maximal Hausdorff distance :math:`H` into :math:`k = \lceil rN \rceil`
    clusters with medoids :math:`M_1..M_k`, and every bag becomes
    :math:`\phi(X) = (H(X, M_1), \ldots, H(X, M_k), 1)` (distances plus a bias input). The
    output layer is linear, :math:`f(X) = W^\top \phi(X)`, fitted by regularised least
    squares to the targets :math:`t_{il} \in \{-1, +1\}`:

    .. math::
        W = \arg\min_W \|\Phi W - T\|_F^2 + \lambda \|W_{1:k}\|_F^2
          = (\Phi^\top \Phi + \lambda I')^{-1} \Phi^\top T,

    with :math:`I'` the identity with a 0 at the bias. All :math:`L` labels are solved with
    one factorisation (many right-hand sides). A label is predicted when
    :math:`f_l(X) \ge 0`.

    Followed exactly: maximal Hausdorff distance, medoid ratio :math:`r = 0.4`, distances
    to the medoids as the hidden layer, a linear output layer fitted by least squares to
    :math:`\pm 1` targets, regularisation :math:`\lambda = 1`, threshold 0.

    Choices the reference leaves open:

    * The bias weight is not penalised (only the :math:`k` distance weights are).
    * :obj:`lam=0` gives the plain least-squares (minimum-norm, SVD) solution.
    * No T-criterion (an all-negative bag predicts no label), as in the reference rule
      "label on if output :math:`\ge 0`".
    * Distance features are used unscaled; k-medoids is :func:`gmiml.utils.k_medoids`
      (alternate rounds from a k-medoids++ start, seeded by :obj:`random_state`).
    * :obj:`eval_set` is accepted and validated but unused (nothing is tuned).

    Tuning grid (``param_grid``, used by the benchmark's ``--selection tuned``;
    configuration 0 is the reference): the reference settings; medoid ratio 0.2; ridge
    penalty :math:`\lambda = 10`; :math:`\lambda = 100` (stronger shrinkage for data
    with few bags per label).

    Args:
        ratio (float, optional): number of medoids as a fraction of the training bags.
            (default: :obj:`0.4`)
        lam (float, optional): ridge penalty :math:`\lambda \ge 0`. (default: :obj:`1.0`)
        variant (str, optional): Hausdorff variant. (default: :obj:`"max"`)
        max_iter (int, optional): k-medoids rounds. (default: :obj:`100`)
        random_state (int, optional): seed of the k-medoids initialisation.
            (default: :obj:`None`)

    Attributes:
        medoid_bags_ (list): the :math:`k` medoid bags.
        medoid_indices_ (numpy.ndarray): their indices in the training data.
        coef_ (numpy.ndarray): ``[k, L]`` output weights of the distances.
        intercept_ (numpy.ndarray): ``[L]`` bias weights.
    """

    param_grid = [{}, {'ratio': 0.2}, {'lam': 10.0}, {'lam': 100.0}]

    _parameter_constraints = {
        'ratio': [Interval(Real, 0, 1, closed='right')],
        'lam': [Interval(Real, 0, None)],
        'variant': [HAUSDORFF_VARIANTS],
        'max_iter': [Interval(Integral, 1, None)],
        'random_state': RANDOM_STATE,
    }

    def __init__(self, *, ratio: float = 0.4, lam: float = 1.0, variant: str = 'max',
                 max_iter: int = 100, random_state=None):
        self.ratio = ratio
        self.lam = lam
        self.variant = variant
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, bags, Y, eval_set=None):
        r"""Clusters the training bags and solves the output layer (Zhou et al. 2012,
        Sec. 6).

        Args:
            bags (sequence): training bags ``[n_i, d]``.
            Y (array-like): labels ``[N, L]`` in :math:`\{0, 1\}` or :math:`\{-1, 1\}`.
            eval_set (tuple, optional): ``(bags, Y)`` validation data; validated, unused.
        """
        import scipy.linalg

        bags, Y, _ = self._validate_fit_data(bags, Y, eval_set)
        n = len(bags)
        D = hausdorff_distances(bags, variant=self.variant)
        k = min(n, max(1, int(np.ceil(self.ratio * n - 1e-9))))
        medoids, _ = k_medoids(D, k, random_state=self.random_state,
                               max_iter=self.max_iter)
        Phi = np.hstack([D[:, medoids], np.ones((n, 1))])
        T = 2.0 * Y.astype(np.float64) - 1.0
        if self.lam > 0:
            G = Phi.T @ Phi
            G[np.arange(k), np.arange(k)] += self.lam
            W = scipy.linalg.solve(G, Phi.T @ T, assume_a='pos')
        else:
            W = scipy.linalg.lstsq(Phi, T)[0]
        self.medoid_indices_ = medoids
        self.medoid_bags_ = [bags[i] for i in medoids]
        self.coef_ = W[:k]
        self.intercept_ = W[k]
        return self

    def decision_function(self, bags) -> np.ndarray:
        r"""Network outputs ``[N, L]`` (:math:`\ge 0` means the label is predicted)."""
        bags = self._validate_bags(bags)
        Z = hausdorff_distances(bags, self.medoid_bags_, variant=self.variant)
        return Z @ self.coef_ + self.intercept_
