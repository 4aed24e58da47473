r"""Label-distribution metrics, for label enhancement evaluated on data with known
distributions (`Geng, 2016 <https://doi.org/10.1109/TKDE.2016.2545658>`_).

Every metric compares a true distribution :math:`d_i` with a recovered one
:math:`\hat{d}_i` row by row and averages over the :math:`N` rows. Rows must be
non-negative and sum to 1 (within ``1e-6`` relative to :math:`L`), unless
``normalize=True`` asks to divide each row by its sum; nothing is repaired silently.

Zeros are guarded with ``eps`` (default ``1e-12``): in Clark and Canberra a term whose
denominator :math:`d_j + \hat{d}_j` is 0 has numerator 0 too and counts 0 (the limit); in
KL a term with :math:`d_j = 0` counts 0 (:math:`0 \log 0 = 0`) and a predicted
:math:`\hat{d}_j = 0` is read as ``eps`` (so the value is finite but large); in cosine the
norms are clamped below by ``eps``.
"""
import numpy as np

from ._validation import _to_numpy, real_matrix

__all__ = ['chebyshev', 'clark', 'canberra', 'kl_divergence', 'cosine', 'intersection',
           'evaluate_distribution']

EPS = 1e-12


def _check_distribution(D, name: str, normalize: bool) -> np.ndarray:
    D = real_matrix(_to_numpy(D), name)
    if D.shape[0] == 0 or D.shape[1] == 0:
        raise ValueError(f"{name}: empty matrix of shape {D.shape}")
    bad = ~np.isfinite(D)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueError(f"{name}: non-finite value {D[r, c]} at row {r}, column {c}")
    if (D < 0).any():
        r, c = np.argwhere(D < 0)[0]
        raise ValueError(f"{name}: negative value {D[r, c]} at row {r}, column {c}; a "
                         f"label distribution is non-negative")
    sums = D.sum(axis=1)
    if normalize:
        if (sums <= 0).any():
            r = int(np.argmax(sums <= 0))
            raise ValueError(f"{name}: row {r} sums to 0 and cannot be normalised")
        return D / sums[:, None]
    off = np.abs(sums - 1.0) > 1e-6 * max(1, D.shape[1])
    if off.any():
        r = int(np.argmax(off))
        raise ValueError(f"{name}: row {r} sums to {sums[r]:.6g}, not 1; pass "
                         f"normalize=True to divide each row by its sum")
    return D


def _check_pair(D_true, D_pred, normalize: bool):
    D = _check_distribution(D_true, 'D_true', normalize)
    P = _check_distribution(D_pred, 'D_pred', normalize)
    if P.shape != D.shape:
        raise ValueError(f"D_pred: has shape {P.shape} but D_true has shape {D.shape}")
    return D, P


def chebyshev(D_true, D_pred, *, normalize: bool = False) -> float:
    r"""Chebyshev distance (lower is better),
    :math:`\frac{1}{N}\sum_i \max_j |d_{ij} - \hat{d}_{ij}|`.

    Args:
        D_true (array-like): true label distributions.
        D_pred (array-like): recovered label distributions.
        normalize (bool, optional): divide each row by its sum first instead of requiring
            rows summing to 1. (default: :obj:`False`)

    Shapes:
        - **inputs:** ``D_true`` and ``D_pred`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, 1]`.
    """
    D, P = _check_pair(D_true, D_pred, normalize)
    return float(np.abs(D - P).max(axis=1).mean())


def clark(D_true, D_pred, *, normalize: bool = False, eps: float = EPS) -> float:
    r"""Clark distance (lower is better),

    .. math::
        \frac{1}{N} \sum_i \sqrt{\sum_j \frac{(d_{ij} - \hat{d}_{ij})^2}
        {(d_{ij} + \hat{d}_{ij})^2}},

    a term with :math:`d_{ij} + \hat{d}_{ij} = 0` counting 0 (denominator clamped by
    ``eps``).

    Args:
        D_true (array-like): true label distributions.
        D_pred (array-like): recovered label distributions.
        normalize (bool, optional): see :func:`chebyshev`. (default: :obj:`False`)
        eps (float, optional): zero guard. (default: ``1e-12``)

    Shapes:
        - **inputs:** ``D_true`` and ``D_pred`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, \sqrt{L}]`.
    """
    D, P = _check_pair(D_true, D_pred, normalize)
    ratio = (D - P) / np.maximum(D + P, eps)
    return float(np.sqrt(np.sum(ratio ** 2, axis=1)).mean())


def canberra(D_true, D_pred, *, normalize: bool = False, eps: float = EPS) -> float:
    r"""Canberra distance (lower is better),
    :math:`\frac{1}{N} \sum_i \sum_j \frac{|d_{ij} - \hat{d}_{ij}|}{d_{ij} + \hat{d}_{ij}}`,
    a term with :math:`d_{ij} + \hat{d}_{ij} = 0` counting 0 (denominator clamped by
    ``eps``).

    Args:
        D_true (array-like): true label distributions.
        D_pred (array-like): recovered label distributions.
        normalize (bool, optional): see :func:`chebyshev`. (default: :obj:`False`)
        eps (float, optional): zero guard. (default: ``1e-12``)

    Shapes:
        - **inputs:** ``D_true`` and ``D_pred`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, L]`.
    """
    D, P = _check_pair(D_true, D_pred, normalize)
    return float(np.sum(np.abs(D - P) / np.maximum(D + P, eps), axis=1).mean())


def kl_divergence(D_true, D_pred, *, normalize: bool = False, eps: float = EPS) -> float:
    r"""Kullback-Leibler divergence of the recovered from the true distribution (lower is
    better),

    .. math::
        \frac{1}{N} \sum_i \sum_{j : d_{ij} > 0} d_{ij}
        \ln \frac{d_{ij}}{\max(\hat{d}_{ij}, \epsilon)}.

    Args:
        D_true (array-like): true label distributions.
        D_pred (array-like): recovered label distributions.
        normalize (bool, optional): see :func:`chebyshev`. (default: :obj:`False`)
        eps (float, optional): lower clamp of :math:`\hat{d}_{ij}`. (default: ``1e-12``)

    Shapes:
        - **inputs:** ``D_true`` and ``D_pred`` of shape :math:`[N, L]`.
        - **output:** a non-negative float (up to rounding).
    """
    D, P = _check_pair(D_true, D_pred, normalize)
    pos = D > 0
    terms = np.zeros_like(D)
    terms[pos] = D[pos] * (np.log(D[pos]) - np.log(np.maximum(P[pos], eps)))
    return float(terms.sum(axis=1).mean())


def cosine(D_true, D_pred, *, normalize: bool = False, eps: float = EPS) -> float:
    r"""Cosine similarity (higher is better),
    :math:`\frac{1}{N} \sum_i \frac{\langle d_i, \hat{d}_i \rangle}
    {\max(\|d_i\|, \epsilon)\,\max(\|\hat{d}_i\|, \epsilon)}`.

    Args:
        D_true (array-like): true label distributions.
        D_pred (array-like): recovered label distributions.
        normalize (bool, optional): see :func:`chebyshev`. (default: :obj:`False`)
        eps (float, optional): lower clamp of the norms. (default: ``1e-12``)

    Shapes:
        - **inputs:** ``D_true`` and ``D_pred`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, 1]`.
    """
    D, P = _check_pair(D_true, D_pred, normalize)
    den = (np.maximum(np.linalg.norm(D, axis=1), eps)
           * np.maximum(np.linalg.norm(P, axis=1), eps))
    return float((np.sum(D * P, axis=1) / den).mean())


def intersection(D_true, D_pred, *, normalize: bool = False) -> float:
    r"""Intersection similarity (higher is better),
    :math:`\frac{1}{N} \sum_i \sum_j \min(d_{ij}, \hat{d}_{ij})`.

    Args:
        D_true (array-like): true label distributions.
        D_pred (array-like): recovered label distributions.
        normalize (bool, optional): see :func:`chebyshev`. (default: :obj:`False`)

    Shapes:
        - **inputs:** ``D_true`` and ``D_pred`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, 1]`.
    """
    D, P = _check_pair(D_true, D_pred, normalize)
    return float(np.minimum(D, P).sum(axis=1).mean())


def evaluate_distribution(D_true, D_pred, *, normalize: bool = False,
                          eps: float = EPS) -> dict:
    r"""All six label-distribution metrics at once.

    Args:
        D_true (array-like): true label distributions.
        D_pred (array-like): recovered label distributions.
        normalize (bool, optional): see :func:`chebyshev`. (default: :obj:`False`)
        eps (float, optional): zero guard, see the module docs. (default: ``1e-12``)

    Returns:
        dict: ``{'chebyshev', 'clark', 'canberra', 'kl_divergence', 'cosine',
        'intersection'}`` -> float; the first four are lower-is-better (listed in
        :data:`gmiml.metrics.LOWER_IS_BETTER`).
    """
    D, P = _check_pair(D_true, D_pred, normalize)
    return {
        'chebyshev': chebyshev(D, P),
        'clark': clark(D, P, eps=eps),
        'canberra': canberra(D, P, eps=eps),
        'kl_divergence': kl_divergence(D, P, eps=eps),
        'cosine': cosine(D, P, eps=eps),
        'intersection': intersection(D, P),
    }
