r"""Multi-instance multi-label evaluation metrics.

Hard-prediction metrics take ``(Y, Y_pred)``, ranking metrics ``(Y, scores)``, as in
scikit-learn; :func:`evaluate` returns all of them in one dict. Conventions (ties count as
errors, degenerate bags, labels without positives) are documented in
:mod:`gmiml.metrics.ranking` and in each function.
"""
from .classification import hamming_loss, macro_f1, micro_f1
from .ranking import (
    ranking_loss,
    one_error,
    coverage,
    average_precision,
    mean_average_precision,
    macro_auc,
)
from .label_distribution import (
    chebyshev,
    clark,
    canberra,
    kl_divergence,
    cosine,
    intersection,
    evaluate_distribution,
)
from .evaluate import evaluate, PAPER_METRICS, LOWER_IS_BETTER

__all__ = [
    'hamming_loss',
    'macro_f1',
    'micro_f1',
    'ranking_loss',
    'one_error',
    'coverage',
    'average_precision',
    'mean_average_precision',
    'macro_auc',
    'chebyshev',
    'clark',
    'canberra',
    'kl_divergence',
    'cosine',
    'intersection',
    'evaluate_distribution',
    'evaluate',
    'PAPER_METRICS',
    'LOWER_IS_BETTER',
]
