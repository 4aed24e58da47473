r"""LP: label enhancement by label propagation (Li, Zhang & Geng, ICDM 2015), in the
form of the label-enhancement literature (Xu, Tao & Geng, IJCAI 2018 / TKDE 2019)."""
from typing import Optional

from numbers import Integral, Real

import numpy as np

from gmiml.estimators.constraints import Interval

from ._le_common import (BaseLabelEnhancer, check_le_input, check_max_iter, softmax_rows,
                         squared_distances)

__all__ = ['label_propagation', 'LP']


def label_propagation(X, L, alpha: float = 0.5, sigma: float = 1.0, self_loops: bool = True,
                      max_iter: Optional[int] = None) -> np.ndarray:
    r"""Recovers label distributions by propagating the logical labels over a fully
    connected Gaussian graph of the instances.

    .. math::
        a_{ij} = \exp\!\Big(-\frac{\|x_i - x_j\|^2}{2\sigma^2}\Big), \qquad
        P = \hat{A}^{-1/2} A \hat{A}^{-1/2}, \quad \hat{A} = \operatorname{diag}(A
        \mathbf{1}),

    .. math::
        F^{(t)} = \alpha P F^{(t-1)} + (1 - \alpha) L, \quad F^{(0)} = L
        \;\longrightarrow\; F^* = (1 - \alpha)(I - \alpha P)^{-1} L,

    and :math:`d_i = \operatorname{softmax}(F^*_i)`. The eigenvalues of :math:`P` lie in
    :math:`[-1, 1]`, so :math:`I - \alpha P` is positive definite for
    :math:`0 < \alpha < 1` and the limit is solved directly (``max_iter=None``);
    ``max_iter=t`` runs the iteration :math:`t` times instead (python-ldl runs 500, which
    differs from the limit by :math:`O(\alpha^{500})`).

    The paper sets :math:`a_{ii} = 0`; python-ldl 0.1.2, whose numbers are this
    project's anchors, keeps :math:`a_{ii} = e^0 = 1` (``self_loops=True``, the default,
    reproduces them; ``self_loops=False`` is the paper's graph). The cost is
    :math:`O(N^2)` memory and :math:`O(N^3)` time.

    Args:
        X (array-like): features :math:`[N, F]`.
        L (array-like): logical labels :math:`[N, C]` in :math:`\{0, 1\}`.
        alpha (float, optional): propagation weight :math:`\alpha \in (0, 1)`.
            (default: ``0.5``)
        sigma (float, optional): Gaussian width :math:`\sigma > 0`. (default: ``1.0``)
        self_loops (bool, optional): keep :math:`a_{ii} = 1`. (default: :obj:`True`)
        max_iter (int, optional): iterations; :obj:`None` solves the limit.
            (default: :obj:`None`)

    Returns:
        numpy.ndarray: ``float64`` distributions :math:`[N, C]` (rows sum to 1).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha: must be in (0, 1), got {alpha}")
    if not sigma > 0:
        raise ValueError(f"sigma: must be > 0, got {sigma}")
    check_max_iter(max_iter)
    X, L = check_le_input(X, L)
    A = np.exp(-squared_distances(X) / (2.0 * sigma ** 2))
    if not self_loops:
        np.fill_diagonal(A, 0.0)
    deg = A.sum(axis=1)
    if (deg <= 0).any():
        i = int(np.argmax(deg <= 0))
        raise ValueError(f"X: instance {i} has zero affinity to every other instance "
                         f"(sigma={sigma} is too small for its distances); use a larger "
                         f"sigma or self_loops=True")
    s = 1.0 / np.sqrt(deg)
    P = A * s[:, None] * s[None, :]
    if max_iter is None:
        from scipy.linalg import solve

        M = -alpha * P
        M[np.diag_indices_from(M)] += 1.0
        F = (1.0 - alpha) * solve(M, L, assume_a='pos')
    else:
        F = L.copy()
        for _ in range(max_iter):
            F = alpha * (P @ F) + (1.0 - alpha) * L
    return softmax_rows(F)


class LP(BaseLabelEnhancer):
    r"""LP label enhancement from "Leveraging implicit relative labeling-importance
    information for effective multi-label learning" (Li, Zhang & Geng, ICDM 2015), as used
    for label enhancement by Xu, Tao & Geng (IJCAI 2018): the logical labels are
    propagated over a Gaussian graph of the instances and read out by a softmax; see
    :func:`label_propagation` for the math.

    Transductive: :meth:`fit_transform` returns a distribution for every given instance.
    Deterministic.

    Args:
        alpha (float, optional): propagation weight :math:`\alpha \in (0, 1)`.
            (default: ``0.5``)
        sigma (float, optional): Gaussian width. (default: ``1.0``)
        self_loops (bool, optional): keep :math:`a_{ii} = 1` as python-ldl does; the
            paper's graph has none. (default: :obj:`True`)
        max_iter (int, optional): iterations, :obj:`None` for the limit.
            (default: :obj:`None`)

    Shapes:
        - **input:** ``X`` :math:`[N, F]`, ``L`` :math:`[N, C]` in :math:`\{0, 1\}`.
        - **output:** ``fit_transform`` :math:`[N, C]`, rows summing to 1.
    """

    _parameter_constraints = {
        'alpha': [Interval(Real, 0, 1, closed='neither')],
        'sigma': [Interval(Real, 0, None, closed='neither')],
        'self_loops': ['boolean'],
        'max_iter': [Interval(Integral, 1, None), None],
    }

    def __init__(self, *, alpha: float = 0.5, sigma: float = 1.0, self_loops: bool = True,
                 max_iter: Optional[int] = None):
        self.alpha = alpha
        self.sigma = sigma
        self.self_loops = self_loops
        self.max_iter = max_iter

    def _enhance(self, X, L):
        return label_propagation(X, L, alpha=self.alpha, sigma=self.sigma,
                                 self_loops=self.self_loops, max_iter=self.max_iter)
