r"""Metrics on real-valued label scores :math:`F \in \mathbb{R}^{N \times L}` (higher
means more relevant).

Signatures follow scikit-learn: ``metric(Y, scores)``. Conventions shared by all of them:

* **Ties are resolved pessimistically**, as scikit-learn's ranking metrics do: the rank of
  label :math:`l` in bag :math:`i` is the *largest* rank any of its tied labels could get,

  .. math::
      \mathrm{rank}_i(l) = \bigl|\{l' : f_i(l') \ge f_i(l)\}\bigr|,

  so a constant score function earns no credit from arbitrary tie-breaking (the LAMDA
  MATLAB code breaks ties by sort order instead, which makes results depend on label order).
* **Degenerate bags** (every label relevant, or none) are *excluded* from the mean of the
  example-based ranking metrics by default (``degenerate='exclude'``), as the LAMDA MATLAB
  code that the MIML literature (MIMLBoost/MIMLSVM, MIMLNN, EnMIMLNN, ...) reports with;
  ranking is meaningless there. ``degenerate='include'`` keeps them in the mean with the
  value scikit-learn gives them instead (ranking loss 0, average precision 1). When no bag
  is non-degenerate, ``'exclude'`` falls back to the ``'include'`` value, so the result is
  never NaN.
* The label-wise metrics (:func:`mean_average_precision`, :func:`macro_auc`) average over
  the labels on which they are defined (at least one positive; both classes) and return NaN
  only when no label qualifies.

All computations are vectorised (at most one sort of the score matrix per metric, none
for one-error and coverage); ``evaluate`` shares the sorts between metrics.
"""
import numpy as np

from ._validation import check_scored_pair

__all__ = ['ranking_loss', 'one_error', 'coverage', 'average_precision',
           'mean_average_precision', 'macro_auc']

_DEGENERATE = ('exclude', 'include')


def _tie_groups(S: np.ndarray, Y: np.ndarray):
    r"""Ranks every row of ``S`` in descending order, ties grouped, and describes the
    positives of ``Y`` in it.

    Returns four integer arrays with one entry per positive ``(r, c)`` of ``Y`` (in
    row-major order of the sorted matrix): its row ``r``, and, within that row, the
    0-based first and last positions ``start``/``end`` of its tie group in the descending
    order and ``n_pos`` = the number of positives scored at least as high. So
    ``start`` entries of the row score strictly higher, ``end + 1`` score at least as high.
    Costs one row-wise sort plus work proportional to the number of positives.
    """
    n, m = S.shape
    order = np.argsort(-S, axis=1)
    s = np.take_along_axis(S, order, axis=1)
    new_group = np.ones((n, m), dtype=bool)
    np.not_equal(s[:, 1:], s[:, :-1], out=new_group[:, 1:])
    del s
    starts = np.append(np.flatnonzero(new_group), n * m)  # every row start is one
    pos = np.flatnonzero(np.take_along_axis(Y, order, axis=1))  # sorted flat positions
    group = np.searchsorted(starts, pos, side='right') - 1
    row = pos // m
    row_start = row * m
    first = starts[group]
    last = starts[group + 1] - 1
    n_pos = (np.searchsorted(pos, last, side='right')
             - np.searchsorted(pos, row_start, side='left'))
    return row, first - row_start, last - row_start, n_pos


def _checked(Y, scores, degenerate: str):
    _check_degenerate(degenerate)
    return check_scored_pair(Y, scores)


def _check_degenerate(degenerate: str) -> None:
    if degenerate not in _DEGENERATE:
        raise ValueError(f"degenerate: must be one of {_DEGENERATE}, got {degenerate!r}")


def _mean_over_bags(values: np.ndarray, valid: np.ndarray, degenerate: str) -> float:
    # `values` already holds the 'include' value for degenerate bags.
    if degenerate == 'exclude' and valid.any():
        return float(values[valid].mean())
    return float(values.mean())


def ranking_loss(Y, scores, *, degenerate: str = 'exclude') -> float:
    r"""Ranking loss (RL, lower is better): the fraction of (relevant, irrelevant) label
    pairs that are misordered, averaged over bags
    (`Schapire & Singer, 2000 <https://doi.org/10.1023/A:1007649029923>`_). **Ties count
    as errors**:

    .. math::
        \mathrm{RL}(Y, F) = \frac{1}{|\mathcal{B}|} \sum_{i \in \mathcal{B}}
        \frac{\bigl|\{(l, l') \in Y_i \times \bar{Y}_i : f_i(l) \le f_i(l')\}\bigr|}
        {|Y_i|\,|\bar{Y}_i|},

    with :math:`Y_i` the relevant and :math:`\bar{Y}_i` the irrelevant labels of bag
    :math:`i`, and :math:`\mathcal{B}` the bags with :math:`0 < |Y_i| < L` (LAMDA
    convention, ``degenerate='exclude'``). With ``degenerate='include'``,
    :math:`\mathcal{B}` is every bag and degenerate bags score 0: this is exactly
    :func:`sklearn.metrics.label_ranking_loss`. Both agree when no bag is degenerate.

    Args:
        Y (array-like): true labels.
        scores (array-like): label scores, higher = more relevant.
        degenerate (str, optional): ``'exclude'`` or ``'include'`` bags whose labels are
            all relevant or all irrelevant (see module docs). (default: ``'exclude'``)

    Shapes:
        - **inputs:** ``Y`` and ``scores`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, 1]`.
    """
    Y, S = _checked(Y, scores, degenerate)
    return _ranking_loss(Y, _tie_groups(S, Y), degenerate)


def _ranking_loss(Y, groups, degenerate):
    n, L = Y.shape
    row, _, end, n_pos = groups
    # for relevant l: the irrelevant l' with f_i(l') >= f_i(l)
    errors = np.bincount(row, weights=end + 1 - n_pos, minlength=n)
    n_rel = Y.sum(axis=1, dtype=np.int64)
    pairs = n_rel * (L - n_rel)
    valid = pairs > 0
    values = np.divide(errors, pairs, out=np.zeros(n), where=valid)
    return _mean_over_bags(values, valid, degenerate)


def one_error(Y, scores, *, degenerate: str = 'exclude') -> float:
    r"""One-error (lower is better): the fraction of bags whose top-ranked label is not
    relevant. Ties at the top are resolved pessimistically: a bag counts as an error when
    *any* label sharing its maximal score is irrelevant,

    .. math::
        \mathrm{OE}(Y, F) = \frac{1}{|\mathcal{B}|} \sum_{i \in \mathcal{B}}
        \Bigl[\!\Bigl[ \exists\, l \notin Y_i : f_i(l) = \max_{l'} f_i(l') \Bigr]\!\Bigr],

    with :math:`\mathcal{B}` the bags with :math:`0 < |Y_i| < L` (``degenerate='exclude'``,
    LAMDA) or all bags (``degenerate='include'``; a bag with every label relevant then
    scores 0, one with none scores 1).

    Args:
        Y (array-like): true labels.
        scores (array-like): label scores, higher = more relevant.
        degenerate (str, optional): ``'exclude'`` or ``'include'``. (default: ``'exclude'``)

    Shapes:
        - **inputs:** ``Y`` and ``scores`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, 1]`.
    """
    return _one_error(*_checked(Y, scores, degenerate), degenerate)


def _one_error(Y, S, degenerate):
    L = Y.shape[1]
    at_top = S == S.max(axis=1, keepdims=True)
    values = np.any(at_top & (Y == 0), axis=1).astype(np.float64)
    n_rel = Y.sum(axis=1, dtype=np.int64)
    valid = (n_rel > 0) & (n_rel < L)
    return _mean_over_bags(values, valid, degenerate)


def coverage(Y, scores, *, normalize: bool = False) -> float:
    r"""Coverage (lower is better) as the MIML papers report it: how many steps down the
    ranking one must go, on average, to cover every relevant label of a bag,

    .. math::
        \mathrm{Cov}(Y, F) = \frac{1}{N} \sum_{i=1}^{N}
        \Bigl(\max_{l \in Y_i} \mathrm{rank}_i(l) - 1\Bigr),
        \qquad \mathrm{rank}_i(l) = \bigl|\{l' : f_i(l') \ge f_i(l)\}\bigr|,

    with ties given the maximal rank (pessimistic). A bag with no relevant label needs no
    step and contributes 0; it stays in the mean (LAMDA's ``Coverage.m`` would give it
    :math:`-1`). Relation to :func:`sklearn.metrics.coverage_error`, which is 1-based and
    uses the same tie rule: ``coverage(Y, F) == coverage_error(Y, F) - 1`` whenever every bag
    has a relevant label. ``normalize=True`` divides by :math:`L` (as FLEM reports it).

    Args:
        Y (array-like): true labels.
        scores (array-like): label scores, higher = more relevant.
        normalize (bool, optional): divide by the number of labels :math:`L`.
            (default: :obj:`False`)

    Shapes:
        - **inputs:** ``Y`` and ``scores`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, L - 1]` (:math:`[0, 1)` if normalised).
    """
    Y, S = check_scored_pair(Y, scores)
    return _coverage(Y, S, normalize)


def _coverage(Y, S, normalize):
    L = Y.shape[1]
    has_rel = Y.any(axis=1)
    lowest_rel = np.where(Y == 1, S, np.inf).min(axis=1, keepdims=True)
    steps = np.count_nonzero(S >= lowest_rel, axis=1) - 1
    values = np.where(has_rel, steps, 0).astype(np.float64)
    out = float(values.mean())
    return out / L if normalize else out


def average_precision(Y, scores, *, degenerate: str = 'exclude') -> float:
    r"""Example-based average precision (AP, higher is better; LAMDA's
    ``Average_precision.m``): for each relevant label, the fraction of labels ranked at or
    above it that are relevant, averaged over the relevant labels and then over bags,

    .. math::
        \mathrm{AP}(Y, F) = \frac{1}{|\mathcal{B}|} \sum_{i \in \mathcal{B}}
        \frac{1}{|Y_i|} \sum_{l \in Y_i}
        \frac{\bigl|\{l' \in Y_i : f_i(l') \ge f_i(l)\}\bigr|}{\mathrm{rank}_i(l)},

    with ties given the maximal rank. With ``degenerate='include'`` (degenerate bags score
    1) this is exactly :func:`sklearn.metrics.label_ranking_average_precision_score`; the two
    conventions agree when no bag is degenerate. Not to be confused with the label-wise
    :func:`mean_average_precision` (the paper's mAP).

    Args:
        Y (array-like): true labels.
        scores (array-like): label scores, higher = more relevant.
        degenerate (str, optional): ``'exclude'`` or ``'include'``. (default: ``'exclude'``)

    Shapes:
        - **inputs:** ``Y`` and ``scores`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`(0, 1]`.
    """
    Y, S = _checked(Y, scores, degenerate)
    return _average_precision(Y, _tie_groups(S, Y), degenerate)


def _average_precision(Y, groups, degenerate):
    n, L = Y.shape
    row, _, end, n_pos = groups
    sums = np.bincount(row, weights=n_pos / (end + 1.0), minlength=n)
    n_rel = Y.sum(axis=1, dtype=np.int64)
    valid = (n_rel > 0) & (n_rel < L)
    values = np.divide(sums, n_rel, out=np.ones(n), where=valid)
    return _mean_over_bags(values, valid, degenerate)


def _label_groups(Y: np.ndarray, S: np.ndarray):
    # column-wise tie groups: work on the contiguous transposes ([L, N])
    return _tie_groups(np.ascontiguousarray(S.T), np.ascontiguousarray(Y.T))


def mean_average_precision(Y, scores) -> float:
    r"""Mean average precision (mAP, higher is better) as the GLEMIML paper and FLEM compute
    it: the average precision of each label's ranking of the bags, averaged over the labels
    :math:`\mathcal{L}` that have at least one positive in the evaluated set,

    .. math::
        \mathrm{mAP}(Y, F) = \frac{1}{|\mathcal{L}|} \sum_{l \in \mathcal{L}}
        \frac{1}{P_l} \sum_{i : y_{il} = 1}
        \frac{\bigl|\{j : y_{jl} = 1,\ f_j(l) \ge f_i(l)\}\bigr|}
        {\bigl|\{j : f_j(l) \ge f_i(l)\}\bigr|},
        \qquad P_l = \sum_i y_{il},\ \mathcal{L} = \{l : P_l > 0\}.

    Each term is :func:`sklearn.metrics.average_precision_score` of column :math:`l` (the
    step-wise area under the precision-recall curve, tied scores forming one threshold);
    labels without a positive are left out because AP is undefined there (on protein data
    many labels have no positive in a test split). Returns ``float('nan')`` only when
    *no* label has a positive; otherwise never NaN and emits no warning.

    Args:
        Y (array-like): true labels.
        scores (array-like): label scores, higher = more relevant.

    Shapes:
        - **inputs:** ``Y`` and ``scores`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`(0, 1]`, or NaN as above.
    """
    Y, S = check_scored_pair(Y, scores)
    return _mean_average_precision(Y, S)


def _mean_average_precision(Y, S, groups=None):
    # `groups`: optional precomputed `_label_groups(Y, S)`
    L = Y.shape[1]
    P = Y.sum(axis=0, dtype=np.int64)
    valid = P > 0
    if not valid.any():
        return float('nan')
    label, _, end, n_pos = _label_groups(Y, S) if groups is None else groups
    ap = np.bincount(label, weights=n_pos / (end + 1.0), minlength=L)
    return float(np.mean(ap[valid] / P[valid]))


def macro_auc(Y, scores) -> float:
    r"""Macro-averaged area under the ROC curve (higher is better): the per-label AUC (the
    Mann-Whitney statistic, ties counting 1/2), averaged over the labels :math:`\mathcal{L}`
    that have both positive and negative bags in the evaluated set,

    .. math::
        \mathrm{MaAUC}(Y, F) = \frac{1}{|\mathcal{L}|} \sum_{l \in \mathcal{L}}
        \frac{\bigl|\{(i, j) : y_{il} = 1, y_{jl} = 0, f_i(l) > f_j(l)\}\bigr|
        + \frac{1}{2}\bigl|\{(i, j) : y_{il} = 1, y_{jl} = 0, f_i(l) = f_j(l)\}\bigr|}
        {P_l\,(N - P_l)}.

    Each term is :func:`sklearn.metrics.roc_auc_score` of column :math:`l`. Returns
    ``float('nan')`` only when no label has both classes; otherwise never NaN.

    Args:
        Y (array-like): true labels.
        scores (array-like): label scores, higher = more relevant.

    Shapes:
        - **inputs:** ``Y`` and ``scores`` of shape :math:`[N, L]`.
        - **output:** a float in :math:`[0, 1]`, or NaN as above.
    """
    Y, S = check_scored_pair(Y, scores)
    return _macro_auc(Y, S)


def _macro_auc(Y, S, groups=None):
    N, L = Y.shape
    P = Y.sum(axis=0, dtype=np.int64)
    valid = (P > 0) & (P < N)
    if not valid.any():
        return float('nan')
    label, start, end, _ = _label_groups(Y, S) if groups is None else groups
    # descending mid-rank (1-based) of each positive -> ascending mid-rank
    asc_rank = N - (start + end) / 2.0
    rank_sum = np.bincount(label, weights=asc_rank, minlength=L)[valid]
    P = P[valid].astype(np.float64)
    u = rank_sum - P * (P + 1) / 2.0
    return float(np.mean(u / (P * (N - P))))
