r"""GLLE: graph Laplacian label enhancement (Xu, Tao & Geng, IJCAI 2018; TKDE 2019)."""
from typing import Optional

from numbers import Integral, Real

import numpy as np

from gmiml.estimators.constraints import RANDOM_STATE, Interval

from ._le_common import (BaseLabelEnhancer, check_le_input, check_max_iter, softmax_rows,
                         squared_distances)

__all__ = ['glle', 'GLLE']


def _knn_laplacian(d2: np.ndarray, k: int, sigma: float):
    r"""The Laplacian :math:`G = \operatorname{diag}(S\mathbf{1}) - S` of the symmetrised
    k-nearest-neighbour graph :math:`S = (A + A^\top)/2` (sparse CSR), where
    :math:`a_{ij} = e^{-\|x_i - x_j\|^2 / 2\sigma^2}` for the :math:`k` nearest other
    instances :math:`j` of :math:`i` (ties by index) and 0 elsewhere."""
    import scipy.sparse as sp

    n = d2.shape[0]
    d = d2.copy()
    np.fill_diagonal(d, np.inf)
    nbr = np.argsort(d, axis=1, kind='stable')[:, :k]
    rows = np.repeat(np.arange(n), k)
    cols = nbr.ravel()
    A = sp.csr_matrix((np.exp(-d2[rows, cols] / (2.0 * sigma ** 2)), (rows, cols)),
                      shape=(n, n))
    S = (A + A.T) * 0.5
    return (sp.diags(np.asarray(S.sum(axis=1)).ravel()) - S).tocsr()


def glle(X, L, lam: float = 0.01, sigma: float = 1.0, n_neighbors: Optional[int] = None,
         kernel_width: Optional[float] = None, max_iter: Optional[int] = 50,
         random_state=None) -> np.ndarray:
    r"""Recovers label distributions as a kernel model of the features, fitted to the
    logical labels and smoothed over the instances' neighbourhood graph.

    With a Gaussian kernel :math:`K_{ij} = \exp(-\|x_i - x_j\|^2 / 2 s^2)` (width
    :math:`s` = ``kernel_width``, by default the mean distance between instances), the
    model is :math:`D = K\beta` (the representer form of :math:`d_i = W^\top
    \varphi(x_i)`), and :math:`\beta` minimises

    .. math::
        \|K\beta - L\|_F^2 + \lambda\, \operatorname{tr}(D^\top G D),
        \qquad \operatorname{tr}(D^\top G D) = \tfrac{1}{2} \sum_{i,j} s_{ij}
        \|d_i - d_j\|^2,

    :math:`G` the Laplacian of the symmetrised :math:`k`-NN graph with
    :math:`a_{ij} = \exp(-\|x_i - x_j\|^2 / 2\sigma^2)` for :math:`x_j` among the
    :math:`k` nearest neighbours of :math:`x_i` (:math:`k = C + 1` by default); then
    :math:`d_i = \operatorname{softmax}(K_i \beta)`. The optimiser is L-BFGS from a
    Glorot-uniform start, ``max_iter`` iterations (python-ldl 0.1.2 stops after 50).

    The objective is a convex quadratic; for nonsingular :math:`K` its minimiser is
    :math:`D^* = (I + \lambda G)^{-1} L`, which ``max_iter=None`` solves directly (sparse,
    deterministic, independent of the kernel). L-BFGS stopped after 50 iterations is an
    early-stopped fit that the kernel does shape; it is what the anchors measure.

    Args:
        X (array-like): features :math:`[N, F]`.
        L (array-like): logical labels :math:`[N, C]` in :math:`\{0, 1\}`.
        lam (float, optional): :math:`\lambda \ge 0`. (default: ``0.01``)
        sigma (float, optional): width of the graph weights. (default: ``1.0``)
        n_neighbors (int, optional): :math:`k`; :obj:`None` for :math:`C + 1`.
            (default: :obj:`None`)
        kernel_width (float, optional): :math:`s`; :obj:`None` for the mean pairwise
            distance. (default: :obj:`None`)
        max_iter (int, optional): L-BFGS iterations; :obj:`None` solves the minimiser
            directly. (default: ``50``)
        random_state (int, optional): seed of the L-BFGS start. (default: :obj:`None`)

    Returns:
        numpy.ndarray: ``float64`` distributions :math:`[N, C]` (rows sum to 1).
    """
    if not lam >= 0 or not sigma > 0:
        raise ValueError(f"lam must be >= 0 and sigma > 0, got lam={lam}, sigma={sigma}")
    check_max_iter(max_iter)
    X, L = check_le_input(X, L)
    n, c = L.shape
    k = c + 1 if n_neighbors is None else n_neighbors
    if not isinstance(k, (int, np.integer)) or not 1 <= k < n:
        raise ValueError(f"n_neighbors: must be an integer in [1, {n - 1}] for {n} "
                         f"instances, got {k!r}")
    d2 = squared_distances(X)
    G = _knn_laplacian(d2, int(k), sigma)
    if max_iter is None:
        import scipy.sparse as sp
        from scipy.sparse.linalg import spsolve

        F = spsolve((sp.identity(n, format='csc') + lam * G).tocsc(), L)
        return softmax_rows(F.reshape(n, c))
    s = kernel_width
    if s is None:
        iu = np.triu_indices(n, 1)
        s = float(np.sqrt(d2[iu]).mean()) if n > 1 else 1.0
        s = s if s > 0 else 1.0
    elif not s > 0:
        raise ValueError(f"kernel_width: must be > 0, got {s}")
    K = np.exp(-d2 / (2.0 * s ** 2))
    beta = _lbfgs(K, L, G, lam, max_iter, random_state)
    return softmax_rows(K @ beta)


def _lbfgs(K, L, G, lam, max_iter, random_state) -> np.ndarray:
    r""":math:`\beta` after ``max_iter`` L-BFGS iterations on the GLLE objective."""
    from scipy.optimize import minimize
    from sklearn.utils import check_random_state

    n, c = L.shape
    rng = check_random_state(random_state)
    limit = np.sqrt(6.0 / (n + c))
    beta0 = rng.uniform(-limit, limit, size=(n, c))

    def objective(b):
        D = K @ b.reshape(n, c)
        R = D - L
        GD = G @ D
        value = float((R * R).sum() + lam * (D * GD).sum())
        return value, (K @ (2.0 * R + 2.0 * lam * GD)).ravel()

    res = minimize(objective, beta0.ravel(), jac=True, method='L-BFGS-B',
                   options={'maxiter': int(max_iter)})
    return res.x.reshape(n, c)


class GLLE(BaseLabelEnhancer):
    r"""GLLE from "Label enhancement for label distribution learning" (Xu, Tao & Geng,
    IJCAI 2018; extended in IEEE TKDE 2019): a kernel model of the features fitted to the
    logical labels with a graph-Laplacian smoothness term over the instances' k-NN graph;
    see :func:`glle` for the math.

    Defaults are those of python-ldl 0.1.2 (the anchors of this project): ``lam=0.01``,
    ``sigma=1``, :math:`k = C + 1`, a Gaussian kernel whose width is the mean distance,
    50 L-BFGS iterations. python-ldl adds a small cluster term (weight ``1e-4``, not in
    the paper); it is left out here.

    Transductive: :meth:`fit_transform` returns a distribution for every given instance.

    Args:
        lam (float, optional): weight :math:`\lambda` of the Laplacian term.
            (default: ``0.01``)
        sigma (float, optional): width of the graph weights. (default: ``1.0``)
        n_neighbors (int, optional): :math:`k`, :obj:`None` for :math:`C + 1`.
            (default: :obj:`None`)
        kernel_width (float, optional): kernel width, :obj:`None` for the mean
            distance. (default: :obj:`None`)
        max_iter (int, optional): L-BFGS iterations, :obj:`None` for the exact
            minimiser. (default: ``50``)
        random_state (int, optional): seed of the L-BFGS start. (default: :obj:`None`)

    Shapes:
        - **input:** ``X`` :math:`[N, F]`, ``L`` :math:`[N, C]` in :math:`\{0, 1\}`.
        - **output:** ``fit_transform`` :math:`[N, C]`, rows summing to 1.
    """

    _parameter_constraints = {
        'lam': [Interval(Real, 0, None)],
        'sigma': [Interval(Real, 0, None, closed='neither')],
        'n_neighbors': [Interval(Integral, 1, None), None],
        'kernel_width': [Interval(Real, 0, None, closed='neither'), None],
        'max_iter': [Interval(Integral, 1, None), None],
        'random_state': RANDOM_STATE,
    }

    def __init__(self, *, lam: float = 0.01, sigma: float = 1.0,
                 n_neighbors: Optional[int] = None, kernel_width: Optional[float] = None,
                 max_iter: Optional[int] = 50, random_state=None):
        self.lam = lam
        self.sigma = sigma
        self.n_neighbors = n_neighbors
        self.kernel_width = kernel_width
        self.max_iter = max_iter
        self.random_state = random_state

    def _enhance(self, X, L):
        return glle(X, L, lam=self.lam, sigma=self.sigma, n_neighbors=self.n_neighbors,
                    kernel_width=self.kernel_width, max_iter=self.max_iter,
                    random_state=self.random_state)
