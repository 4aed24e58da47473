r"""All MIML metrics of a prediction at once, as the benchmarks report them."""
import math
from typing import Optional

import numpy as np

from ._validation import check_hard_pair, check_scored_pair
from .classification import _hamming_loss, _macro_f1, _micro_f1
from .ranking import (
    _average_precision,
    _check_degenerate,
    _coverage,
    _label_groups,
    _macro_auc,
    _mean_average_precision,
    _one_error,
    _ranking_loss,
    _tie_groups,
)

__all__ = ['evaluate', 'PAPER_METRICS', 'LOWER_IS_BETTER']

#: The four columns of the GLEMIML paper's Table 2, short name -> :func:`evaluate` key.
PAPER_METRICS = {
    'HL': 'hamming_loss',
    'RL': 'ranking_loss',
    'mAP': 'mean_average_precision',
    'Ma-F1': 'macro_f1',
}

#: Keys of :func:`evaluate` and :func:`evaluate_distribution` where lower is better
#: (every other key: higher is better).
LOWER_IS_BETTER = frozenset({
    'hamming_loss', 'ranking_loss', 'one_error', 'coverage',
    'chebyshev', 'clark', 'canberra', 'kl_divergence',
})


def evaluate(Y, scores, threshold: float = 0.5, Y_pred=None, *,
             degenerate: str = 'exclude') -> dict:
    r"""Computes every MIML metric of one prediction.

    The threshold metrics (Hamming loss, macro-/micro-F1) use the hard predictions
    :math:`h_{il} = [\![ f_{il} > \theta ]\!]`, or ``Y_pred`` when it is given (e.g. an
    estimator's :meth:`predict`, which may apply its own threshold or the T-criterion);
    the ranking metrics use ``scores``. Each row and column sort is done once and shared.

    Args:
        Y (array-like): true labels in :math:`\{0, 1\}` (or :math:`\{-1, 1\}`).
        scores (array-like): real-valued label scores, higher = more relevant.
        threshold (float, optional): :math:`\theta`, used only when ``Y_pred`` is
            :obj:`None`. (default: ``0.5``, for probabilities)
        Y_pred (array-like, optional): hard predictions overriding the threshold.
            (default: :obj:`None`)
        degenerate (str, optional): how ranking loss, one-error and average precision
            treat bags with all or no labels, see :mod:`gmiml.metrics.ranking`.
            (default: ``'exclude'``)

    Returns:
        dict: ``'hamming_loss'``, ``'ranking_loss'``, ``'mean_average_precision'``,
        ``'macro_f1'``, ``'micro_f1'``, ``'one_error'``, ``'coverage'``,
        ``'average_precision'``, ``'macro_auc'`` -> float (see the functions of the same
        names; only ``'mean_average_precision'`` and ``'macro_auc'`` can be NaN, when no
        label is evaluable).

    Shapes:
        - **inputs:** ``Y``, ``scores`` and ``Y_pred`` of shape :math:`[N, L]`.
    """
    _check_degenerate(degenerate)
    Y, S = check_scored_pair(Y, scores)
    if Y_pred is None:
        try:
            threshold = float(threshold)
        except (TypeError, ValueError):
            raise ValueError(f"threshold: must be a real number, got {threshold!r}")
        if math.isnan(threshold):
            raise ValueError("threshold: must not be NaN")
        H = (S > threshold).astype(np.uint8)
    else:
        _, H = check_hard_pair(Y, Y_pred)
    rows = _tie_groups(S, Y)
    cols = _label_groups(Y, S)
    return {
        'hamming_loss': _hamming_loss(Y, H),
        'ranking_loss': _ranking_loss(Y, rows, degenerate),
        'mean_average_precision': _mean_average_precision(Y, S, cols),
        'macro_f1': _macro_f1(Y, H),
        'micro_f1': _micro_f1(Y, H),
        'one_error': _one_error(Y, S, degenerate),
        'coverage': _coverage(Y, S, False),
        'average_precision': _average_precision(Y, rows, degenerate),
        'macro_auc': _macro_auc(Y, S, cols),
    }
