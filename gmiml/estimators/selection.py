r"""Model selection on validation data: the epoch criterion and the decision threshold of
the neural estimators, as functions on arrays."""
import math
import warnings

import numpy as np

__all__ = ['METRIC_KEYS', 'validation_metrics', 'criterion', 'fit_threshold']

#: Validation criteria an estimator can select epochs on, besides ``'auto'`` and
#: ``'loss'``: keys of :func:`gmiml.metrics.evaluate`.
METRIC_KEYS = ('hamming_loss', 'ranking_loss', 'mean_average_precision', 'macro_f1',
               'micro_f1', 'one_error', 'coverage', 'average_precision', 'macro_auc')
_LOWER = ('hamming_loss', 'ranking_loss', 'one_error', 'coverage', 'loss')


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


def validation_metrics(Y: np.ndarray, logits: np.ndarray) -> dict:
    r""":func:`gmiml.metrics.evaluate` of the probabilities at threshold 0.5, plus
    ``'loss'``: the mean binary cross-entropy :math:`L_{LC}` of the logits."""
    from gmiml.metrics import evaluate
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        m = evaluate(Y, _sigmoid(logits), threshold=0.5)
    # validation L_LC (mean binary cross-entropy), numerically stable
    m['loss'] = float(np.mean(np.logaddexp(0, logits) - Y * logits))
    return m


def criterion(m: dict, metric: str) -> float:
    r"""The validation criterion ``metric`` of the metrics ``m``, oriented so that higher
    is better (NaN: :math:`-\infty`). ``'auto'`` is the mean of :math:`1 - HL`,
    :math:`1 - RL`, mAP and Ma-F1, the GLEMIML paper's four metrics."""
    if metric == 'auto':
        vals = [1.0 - m['hamming_loss'], 1.0 - m['ranking_loss'],
                m['mean_average_precision'], m['macro_f1']]
        vals = [v for v in vals if not math.isnan(v)]
        return float(np.mean(vals)) if vals else -math.inf
    v = m[metric]
    if math.isnan(v):
        return -math.inf
    return -v if metric in _LOWER else v


def fit_threshold(Y: np.ndarray, logits: np.ndarray) -> float:
    r"""The global probability threshold in :math:`\{0.05, 0.075, \ldots, 0.95\}` that
    maximises the mean of Ma-F1 and :math:`1 - HL` on validation data (the first on
    ties)."""
    from gmiml.metrics import hamming_loss, macro_f1
    P = _sigmoid(logits)
    best_t, best_s = 0.5, -math.inf
    for t in np.round(np.arange(0.05, 0.951, 0.025), 4):
        H = (P >= t).astype(np.uint8)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            s = 0.5 * (macro_f1(Y, H) + 1.0 - hamming_loss(Y, H))
        if s > best_s + 1e-12:
            best_t, best_s = float(t), s
    return best_t
