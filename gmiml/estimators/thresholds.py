r"""Per-label decision thresholds chosen on held-out predictions."""
from typing import Tuple

import numpy as np

__all__ = ['label_thresholds']

#: the candidate thresholds (probabilities)
GRID = np.round(np.arange(0.05, 0.951, 0.025), 4)


def _counts(y: np.ndarray, p: np.ndarray, grid: np.ndarray):
    """True and false positives and F1 of one label at every threshold of ``grid``."""
    pred = p[None, :] >= grid[:, None]  # [T, n], as predict: p >= t
    tp = (pred & y[None, :]).sum(1)
    fp = pred.sum(1) - tp
    f1 = 2.0 * tp / np.maximum(pred.sum(1) + y.sum(), 1)
    return tp, fp, f1


def _best(score: np.ndarray, grid: np.ndarray) -> float:
    """The median of the thresholds that reach the best ``score``."""
    top = np.flatnonzero(score >= score.max() - 1e-12)
    return float(grid[top[len(top) // 2]])


def label_thresholds(Y, P, shrinkage: float = 2.0,
                     grid: np.ndarray = GRID) -> Tuple[np.ndarray, float]:
    r"""Per-label probability thresholds from held-out labels ``Y`` and probabilities
    ``P`` (a validation part), chosen to minimise the Hamming loss there:

    1. A global threshold :math:`t_g` minimises the Hamming loss of all labels together
       over ``grid`` (ties: the larger macro-F1, then the median threshold).
    2. For a label with :math:`n_l \ge 1` held-out positives, :math:`t^*_l` minimises
       its own Hamming loss, i.e. maximises :math:`TP_l - FP_l` (ties: the larger F1,
       then the median threshold), and is shrunk toward :math:`t_g` by its evidence,

       .. math::
           t_l = \frac{n_l\, t^*_l + m\, t_g}{n_l + m},

       :math:`m` = ``shrinkage``, so a threshold seen on one or two positives moves only
       part of the way.
    3. A label without held-out positives gets :math:`t_g`.

    Minimising the Hamming loss (rather than maximising F1) keeps a label off unless
    its true positives outnumber its false positives on held-out data: the thresholds
    never trade Hamming loss for macro-F1.

    Args:
        Y (array-like): held-out labels :math:`(n, L)` in :math:`\{0, 1\}`.
        P (array-like): held-out probabilities :math:`(n, L)`.
        shrinkage (float, optional): :math:`m`. (default: :obj:`2.0`)
        grid (array-like, optional): candidate thresholds. (default: 0.05, 0.075, ...,
            0.95)

    Returns:
        ``(thresholds, t_g)``: ``float64`` :math:`(L)` and the global threshold.
    """
    Y = np.asarray(Y) > 0
    P = np.asarray(P, dtype=np.float64)
    if Y.shape != P.shape or Y.ndim != 2:
        raise ValueError(f"label_thresholds: Y {Y.shape} and P {P.shape} must be equal "
                         f"2-D shapes")
    if shrinkage < 0:
        raise ValueError(f"shrinkage: expected >= 0, got {shrinkage!r}")
    grid = np.asarray(grid, dtype=np.float64)
    errors = np.zeros(len(grid))
    f1_sum = np.zeros(len(grid))
    per_label = []
    for lab in range(Y.shape[1]):
        tp, fp, f1 = _counts(Y[:, lab], P[:, lab], grid)
        errors += fp + (Y[:, lab].sum() - tp)
        if Y[:, lab].any():
            f1_sum += f1
            per_label.append((lab, tp - fp + 1e-3 * f1))
    t_g = _best(-errors + 1e-3 * f1_sum / max(1, len(per_label)), grid)
    out = np.full(Y.shape[1], t_g)
    for lab, score in per_label:
        n = float(Y[:, lab].sum())
        out[lab] = (n * _best(score, grid) + shrinkage * t_g) / (n + shrinkage)
    return out, t_g
