r"""Label distributions and logical labels: checking a distribution matrix, the threshold
rule that turns a distribution into logical labels (the recovery protocol of label
enhancement), and the two fixed functions of logical labels every label-enhancement
method should beat.

A label distribution of :math:`N` instances over :math:`L` labels is a matrix
:math:`D \in [0, 1]^{N \times L}` whose rows sum to 1; logical labels are a
:math:`\{0, 1\}^{N \times L}` matrix.
"""
from typing import Optional

import numpy as np

__all__ = [
    'check_real_matrix',
    'check_distribution',
    'logical_from_distribution',
    'softmax_labels',
    'normalized_labels',
    'check_logical_labels',
]


def check_real_matrix(A, name: str, columns: str) -> np.ndarray:
    """``A`` as a ``float64`` matrix after checking that it is a non-empty, finite, 2-D
    real matrix ``[n_instances, <columns>]``; a :class:`ValueError` starting with
    ``name`` and naming the first bad row and column otherwise."""
    arr = np.asarray(A)
    if arr.dtype.kind not in 'biuf':
        raise ValueError(f"{name}: must be real-valued, got dtype {arr.dtype}")
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"{name}: expected a non-empty 2-D matrix [n_instances, "
                         f"{columns}], got shape {arr.shape}")
    arr = arr.astype(np.float64)
    bad = np.argwhere(~np.isfinite(arr))
    if len(bad):
        r, c = bad[0]
        raise ValueError(f"{name}: non-finite value {arr[r, c]} at row {r}, column {c}")
    return arr


def check_distribution(D, name: str = 'D', atol: float = 1e-5,
                       where: Optional[str] = None) -> np.ndarray:
    r"""Checks a label-distribution matrix and returns it as ``float64`` with every row
    divided by its sum (so rows sum to 1 to machine precision; data stored in
    ``float32`` sum to 1 only within about ``1e-7``).

    Args:
        D (array-like): the matrix :math:`[N, L]`.
        name (str, optional): what to call it in messages. (default: ``'D'``)
        atol (float, optional): how far a row sum may be from 1 before it is an error.
            (default: ``1e-5``)
        where (str, optional): a prefix for messages, e.g. the file it came from.
            (default: :obj:`None`)

    Raises:
        ValueError: not numeric or not 2-D, empty, NaN/inf, a negative value, or a row
            whose sum is off 1 by more than ``atol``; the message names the row (and
            column).
    """
    pre = f"{where}: " if where else ''
    arr = check_real_matrix(D, f"{pre}{name}", 'n_labels')
    neg = np.argwhere(arr < 0)
    if len(neg):
        r, c = neg[0]
        raise ValueError(f"{pre}{name}: negative value {arr[r, c]:.6g} at row {r}, column "
                         f"{c}; a label distribution is non-negative")
    sums = arr.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > atol)
    if off.size:
        r = int(off[0])
        raise ValueError(f"{pre}{name}: row {r} sums to {sums[r]:.6g}, not 1 (tolerance "
                         f"{atol:g}); {off.size} of {len(arr)} rows are off; is this a "
                         f"label-distribution matrix?")
    return arr / sums[:, None]


def logical_from_distribution(D, threshold: float = 0.5) -> np.ndarray:
    r"""Logical labels from label distributions by the threshold rule of the
    label-enhancement recovery protocol (e.g. Xu, Tao & Geng, IJCAI 2018): sort a row's
    labels by descending description degree and mark the smallest top set whose mass
    reaches ``threshold``,

    .. math::
        l_{ij} = 1 \iff \text{rank}_i(j) \le k_i, \qquad
        k_i = \min\Big\{k : \sum_{r=1}^{k} d_{i, \pi_i(r)} \ge \tau\Big\},

    where :math:`\pi_i` orders row :math:`i` descending (ties by label index). The
    comparison allows ``1e-9`` of rounding, so a top set summing to ``0.5`` in exact
    arithmetic counts as reaching it.

    Args:
        D (array-like): label distributions :math:`[N, L]` (checked with
            :func:`check_distribution`).
        threshold (float, optional): the mass :math:`\tau \in (0, 1]` the relevant
            labels must reach. (default: ``0.5``)

    Returns:
        numpy.ndarray: ``uint8`` logical labels :math:`[N, L]`, at least one 1 per row.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold: must be in (0, 1], got {threshold}")
    from gmiml.utils.label_calibration import threshold_rule
    return threshold_rule(check_distribution(D), threshold, tol=1e-9)


def check_logical_labels(L, name: str = 'L') -> np.ndarray:
    r"""``L`` as a ``float64`` matrix after checking it is a non-empty 2-D matrix of 0s and
    1s; the message names the row and column of a bad value."""
    arr = np.asarray(L)
    if arr.dtype.kind not in 'biuf' or arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"{name}: expected a non-empty 2-D numeric matrix [n_instances, "
                         f"n_labels], got shape {arr.shape} and dtype {arr.dtype}")
    bad = np.argwhere((arr != 0) & (arr != 1))
    if len(bad):
        r, c = bad[0]
        raise ValueError(f"{name}: logical labels must be 0 or 1, got {arr[r, c]} at row "
                         f"{r}, column {c}")
    return arr.astype(np.float64)


def softmax_labels(L) -> np.ndarray:
    r"""The softmax of the logical labels, :math:`d_{ij} = e^{l_{ij}} / \sum_k e^{l_{ik}}`:
    a fixed function that ignores the features (relevant labels get :math:`e` times the
    mass of irrelevant ones).

    Args:
        L (array-like): logical labels :math:`[N, L]` in :math:`\{0, 1\}`.

    Returns:
        numpy.ndarray: ``float64`` distributions :math:`[N, L]`.
    """
    from scipy.special import softmax

    return softmax(check_logical_labels(L), axis=1)


def normalized_labels(L) -> np.ndarray:
    r"""The logical labels divided by their row sum, :math:`d_{ij} = l_{ij} / \sum_k
    l_{ik}`: uniform over the relevant labels, 0 elsewhere.

    Args:
        L (array-like): logical labels :math:`[N, L]` in :math:`\{0, 1\}`.

    Raises:
        ValueError: a row without a relevant label (it has no such distribution).

    Returns:
        numpy.ndarray: ``float64`` distributions :math:`[N, L]`.
    """
    L = check_logical_labels(L)
    sums = L.sum(axis=1)
    if (sums == 0).any():
        raise ValueError(f"L: row {int(np.argmax(sums == 0))} has no relevant label; "
                         f"L/|L| is undefined there")
    return L / sums[:, None]
