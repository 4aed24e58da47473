r"""Metrics on hard multi-label predictions :math:`H \in \{0, 1\}^{N \times L}`.

Signatures follow scikit-learn: ``metric(Y, Y_pred)``. ``Y`` and ``Y_pred`` may be numpy
arrays, torch tensors or nested lists coded :math:`\{0, 1\}`, :math:`\{-1, 1\}` or boolean.
"""
import numpy as np

from ._validation import check_hard_pair

__all__ = ['hamming_loss', 'macro_f1', 'micro_f1']


def _confusion(Y: np.ndarray, H: np.ndarray):
    Yb, Hb = Y.astype(bool), H.astype(bool)
    tp = np.count_nonzero(Yb & Hb, axis=0).astype(np.float64)
    fp = np.count_nonzero(~Yb & Hb, axis=0).astype(np.float64)
    fn = np.count_nonzero(Yb & ~Hb, axis=0).astype(np.float64)
    return tp, fp, fn


def hamming_loss(Y, Y_pred) -> float:
    r"""Hamming loss (HL, lower is better): the fraction of misclassified bag-label pairs
    (`Schapire & Singer, 2000 <https://doi.org/10.1023/A:1007649029923>`_),

    .. math::
        \mathrm{HL}(Y, H) = \frac{1}{N L} \sum_{i=1}^{N} \sum_{l=1}^{L}
        [\![ y_{il} \neq h_{il} ]\!].

    Equal to :func:`sklearn.metrics.hamming_loss` on multi-label indicator matrices.

    Args:
        Y (array-like): true labels.
        Y_pred (array-like): predicted labels.

    Shapes:
        - **inputs:** ``Y`` and ``Y_pred`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, 1]`.
    """
    return _hamming_loss(*check_hard_pair(Y, Y_pred))


def _hamming_loss(Y, H):
    return float(np.count_nonzero(Y != H) / Y.size)


def macro_f1(Y, Y_pred) -> float:
    r"""Macro-averaged F1 (Ma-F1, higher is better): the mean over all :math:`L` labels of
    the per-label F1,

    .. math::
        \mathrm{MaF1}(Y, H) = \frac{1}{L} \sum_{l=1}^{L}
        \frac{2\,\mathrm{TP}_l}{2\,\mathrm{TP}_l + \mathrm{FP}_l + \mathrm{FN}_l},

    where a label with :math:`2\mathrm{TP}_l + \mathrm{FP}_l + \mathrm{FN}_l = 0` (no
    positive and no prediction in the evaluated set) scores **0** and still counts in the
    mean. This is :func:`sklearn.metrics.f1_score` with ``average='macro'`` and
    ``zero_division=0``; on sparse protein data, where many labels have no positive in a
    test split, it keeps Ma-F1 small, as the values reported for GLEMIML imply.

    Args:
        Y (array-like): true labels.
        Y_pred (array-like): predicted labels.

    Shapes:
        - **inputs:** ``Y`` and ``Y_pred`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, 1]`.
    """
    return _macro_f1(*check_hard_pair(Y, Y_pred))


def _macro_f1(Y, H):
    tp, fp, fn = _confusion(Y, H)
    den = 2.0 * tp + fp + fn
    f1 = np.divide(2.0 * tp, den, out=np.zeros_like(den), where=den > 0)
    return float(f1.mean())


def micro_f1(Y, Y_pred) -> float:
    r"""Micro-averaged F1 (higher is better): F1 of the pooled counts,

    .. math::
        \mathrm{MiF1}(Y, H) = \frac{2 \sum_l \mathrm{TP}_l}
        {2 \sum_l \mathrm{TP}_l + \sum_l \mathrm{FP}_l + \sum_l \mathrm{FN}_l},

    and 0 when the denominator is 0 (no positive and no prediction at all), as
    :func:`sklearn.metrics.f1_score` with ``average='micro'`` and ``zero_division=0``.

    Args:
        Y (array-like): true labels.
        Y_pred (array-like): predicted labels.

    Shapes:
        - **inputs:** ``Y`` and ``Y_pred`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, 1]`.
    """
    return _micro_f1(*check_hard_pair(Y, Y_pred))


def _micro_f1(Y, H):
    tp, fp, fn = (v.sum() for v in _confusion(Y, H))
    den = 2.0 * tp + fp + fn
    return float(2.0 * tp / den) if den > 0 else 0.0
