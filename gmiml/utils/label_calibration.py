r"""Calibrated label enhancement: label distributions from logical labels and
feature-driven label scores, with the scale learnt from the logical labels alone.

The label-enhancement (LE) literature reads a label distribution :math:`\mathbf{d}` as
logical labels by the *threshold rule*: sort the labels by descending significance and
mark the smallest top set whose mass reaches ``mass`` (0.5 by default). The functions here
use that definition in reverse. A recovered distribution is

.. math::
    \mathbf{d}_i = \mathrm{softmax}\big((\mathbf{y}_i + \lambda\,\mathbf{c}_i) / \tau\big),

with :math:`\mathbf{y}_i` the logical labels, :math:`\mathbf{c}_i \in [0, 1]^L`
feature-driven label scores that did not see :math:`\mathbf{y}_i` (e.g. a classifier's
probabilities and the labels of the bag's nearest neighbours in feature space, the bag
itself left out), :math:`\lambda` their weight, and the temperature :math:`\tau` chosen
so that the threshold rule, applied to the recovered distributions, gives back the
logical labels of as many bags as possible (:func:`fit_rule_temperature`), then moved, bag
by bag, to the nearest temperature under which the rule gives back that bag's own logical
labels (:func:`rule_consistent_temperatures`); where the content contradicts the logical
labels so that no temperature does, the bag's content weight is shrunk until one does
(:func:`rule_consistent_calibration`). Only features and logical labels enter; the true
distributions are never looked at.

See ``docs/method.md`` ("Label enhancement: departures from the paper").
"""
from typing import Optional

import numpy as np

__all__ = [
    'threshold_rule',
    'neighbour_label_average',
    'calibrated_distribution',
    'fit_rule_temperature',
    'rule_consistent_temperatures',
    'rule_consistent_calibration',
]

#: the default candidate temperatures: 121 values log-spaced over [0.02, 50]
_GRID = np.exp(np.linspace(np.log(0.02), np.log(50.0), 121))


def threshold_rule(D: np.ndarray, mass: float = 0.5, tol: float = 1e-12) -> np.ndarray:
    r"""Logical labels read from label distributions: per row, the smallest set of top
    labels (by descending significance, ties by column order) whose mass reaches
    ``mass``.

    Args:
        D (numpy.ndarray): distributions ``[N, L]`` (rows summing to 1).
        mass (float, optional): the share of the mass the relevant labels cover, in
            :math:`(0, 1]`. (default: :obj:`0.5`)
        tol (float, optional): rounding allowed when a top set's mass is compared with
            the share. (default: :obj:`1e-12`)

    Returns:
        numpy.ndarray: ``uint8 [N, L]`` logical labels.
    """
    if not 0.0 < mass <= 1.0:
        raise ValueError(f"mass: expected a share in (0, 1], got {mass!r}")
    D = np.asarray(D, dtype=np.float64)
    order = np.argsort(-D, axis=1, kind='stable')
    cum = np.cumsum(np.take_along_axis(D, order, axis=1), axis=1)
    # number of top labels needed: 1 + how many prefixes stay below the mass
    r = (cum < mass * D.sum(axis=1, keepdims=True) - tol).sum(axis=1) + 1
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(D.shape[1])[None, :].repeat(len(D), 0),
                      axis=1)
    return (ranks < r[:, None]).astype(np.uint8)


def neighbour_label_average(query: np.ndarray, reference: np.ndarray,
                            Y_ref: np.ndarray, k: int = 10) -> np.ndarray:
    r"""The mean logical labels of each query row's ``k`` nearest reference rows
    (Euclidean), skipping reference rows identical to the query (the query itself when
    the queries are the reference rows, so the estimate is leave-one-out).

    .. math::
        \mathbf{c}_i = \frac{1}{k} \sum_{j \in \mathcal{N}_k(i),\ \mathbf{x}_j \neq
        \mathbf{x}_i} \mathbf{y}_j

    Args:
        query (numpy.ndarray): ``[N, F]`` feature rows.
        reference (numpy.ndarray): ``[M, F]`` feature rows with known labels.
        Y_ref (numpy.ndarray): ``[M, L]`` logical labels of the reference rows.
        k (int, optional): neighbours. (default: :obj:`10`)

    Returns:
        numpy.ndarray: ``float64 [N, L]`` in :math:`[0, 1]`.
    """
    # scikit-learn's exact neighbour search (a k-d / ball tree or brute force by size)
    from sklearn.neighbors import NearestNeighbors
    if not (isinstance(k, (int, np.integer)) and k >= 1):
        raise ValueError(f"k: expected a positive integer, got {k!r}")
    reference = np.asarray(reference, dtype=np.float64)
    Y_ref = np.asarray(Y_ref, dtype=np.float64)
    if len(reference) < 2:
        raise ValueError(f"neighbour_label_average: needs at least 2 reference rows, got "
                         f"{len(reference)}")
    extra = 4  # room for duplicates of the query among the reference rows
    n_nb = min(k + extra, len(reference))
    nn = NearestNeighbors(n_neighbors=n_nb).fit(reference)
    dist, idx = nn.kneighbors(np.asarray(query, dtype=np.float64))
    scale = max(float(np.abs(reference).max()), 1.0)
    keep = dist > 1e-9 * scale
    # the first k kept neighbours of each row (fewer only if the reference is tiny)
    keep &= np.cumsum(keep, axis=1) <= k
    w = keep / np.maximum(keep.sum(axis=1, keepdims=True), 1)
    return np.einsum('nk,nkl->nl', w, Y_ref[idx])


def calibrated_distribution(Y: np.ndarray, content: np.ndarray, temperature: float,
                            weight: float = 1.0) -> np.ndarray:
    r""":math:`\mathrm{softmax}((\mathbf{y} + \lambda\mathbf{c}) / \tau)` row by row.

    Args:
        Y (numpy.ndarray): ``[N, L]`` logical labels in :math:`\{0, 1\}`.
        content (numpy.ndarray): ``[N, L]`` feature-driven label scores
            :math:`\mathbf{c}`.
        temperature (float or numpy.ndarray): :math:`\tau > 0`, one for all rows or one
            per row (``[N]``).
        weight (float or numpy.ndarray, optional): :math:`\lambda \ge 0`, one for all
            rows or one per row (``[N]``). (default: :obj:`1.0`)

    Returns:
        numpy.ndarray: ``float64 [N, L]``, rows summing to 1.
    """
    t = np.asarray(temperature, dtype=np.float64)
    if not (t > 0).all():
        raise ValueError(f"temperature: expected positive numbers, got {temperature!r}")
    w = np.asarray(weight, dtype=np.float64)
    z = (np.asarray(Y, dtype=np.float64)
         + (w[:, None] if w.ndim == 1 else w) * np.asarray(content, np.float64))
    z = z / (t[:, None] if t.ndim == 1 else t)
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_rule_temperature(Y: np.ndarray, content: np.ndarray, weight: float = 1.0,
                         mass: float = 0.5, grid: Optional[np.ndarray] = None) -> float:
    r"""The temperature :math:`\tau` under which the threshold rule (:func:`threshold_rule`)
    reads the recovered distributions :func:`calibrated_distribution` back as the given
    logical labels for the largest share of rows:

    .. math::
        \tau^* = \arg\max_{\tau} \frac{1}{N} \sum_i \big[\mathrm{rule}_{m}\big(
        \mathrm{softmax}((\mathbf{y}_i + \lambda\mathbf{c}_i)/\tau)\big) =
        \mathbf{y}_i\big].

    A small :math:`\tau` puts the mass on one label (the rule then marks one label per
    row), a large one spreads it (the rule marks many); the logical labels' own counts
    fix the scale between. Ties (a plateau of equally good values) are broken by the
    geometric middle of the plateau.

    Args:
        Y (numpy.ndarray): ``[N, L]`` logical labels.
        content (numpy.ndarray): ``[N, L]`` feature-driven label scores.
        weight (float, optional): :math:`\lambda`. (default: :obj:`1.0`)
        mass (float, optional): the rule's mass. (default: :obj:`0.5`)
        grid (numpy.ndarray, optional): candidate temperatures. (default: 121 values
            log-spaced over :math:`[0.02, 50]`)

    Returns:
        float: :math:`\tau^*`.
    """
    grid = _GRID if grid is None else np.asarray(grid, dtype=np.float64)
    acc = _read_back(Y, content, weight, mass, grid).mean(axis=0)
    best = np.flatnonzero(acc >= acc.max() - 1e-12)
    # the longest run of consecutive best values, then its geometric middle
    runs = np.split(best, np.flatnonzero(np.diff(best) > 1) + 1)
    run = max(runs, key=len)
    return float(np.exp(np.log(grid[run]).mean()))


def _read_back(Y, content, weight, mass, grid) -> np.ndarray:
    """``bool [N, G]``: whether the rule reads row ``i`` back as ``Y[i]`` at ``grid[g]``."""
    Y = np.asarray(Y, dtype=np.uint8)
    return np.stack([(threshold_rule(calibrated_distribution(Y, content, t, weight), mass)
                      == Y).all(axis=1) for t in grid], axis=1)


def rule_consistent_temperatures(Y: np.ndarray, content: np.ndarray, temperature: float,
                                 weight: float = 1.0, mass: float = 0.5,
                                 grid: Optional[np.ndarray] = None) -> np.ndarray:
    r"""Per row, the temperature nearest (in :math:`\log \tau`) to ``temperature`` under
    which the threshold rule reads the row's recovered distribution back as its own
    logical labels: the projection of the shared temperature onto the row's
    rule-consistent set. A row that no candidate makes consistent keeps
    ``temperature``.

    .. math::
        \tau_i = \arg\min_{\tau \in \mathcal{T}_i} |\log\tau - \log\tau^*|, \qquad
        \mathcal{T}_i = \{\tau : \mathrm{rule}_{m}(\mathrm{softmax}(
        (\mathbf{y}_i + \lambda\mathbf{c}_i)/\tau)) = \mathbf{y}_i\}.

    Args:
        Y (numpy.ndarray): ``[N, L]`` logical labels.
        content (numpy.ndarray): ``[N, L]`` feature-driven label scores.
        temperature (float): the shared temperature :math:`\tau^*`
            (:func:`fit_rule_temperature`).
        weight (float, optional): :math:`\lambda`. (default: :obj:`1.0`)
        mass (float, optional): the rule's mass. (default: :obj:`0.5`)
        grid (numpy.ndarray, optional): candidate temperatures. (default: as in
            :func:`fit_rule_temperature`)

    Returns:
        numpy.ndarray: ``float64 [N]`` temperatures.
    """
    grid = _GRID if grid is None else np.asarray(grid, dtype=np.float64)
    return _project(_read_back(Y, content, weight, mass, grid), grid, temperature)[0]


def _project(ok, grid, temperature):
    """Per row, the grid value nearest ``temperature`` (in log) among those marked ``ok``
    (``temperature`` where none is), and whether one was."""
    dist = np.where(ok, np.abs(np.log(grid) - np.log(temperature))[None, :], np.inf)
    found = np.isfinite(dist.min(axis=1))
    return np.where(found, grid[dist.argmin(axis=1)], float(temperature)), found


def _tied_temperatures(Y, temperature, mass):
    r"""Content weight 0, in closed form: per row, the temperature nearest ``temperature``
    (in log) under which the rule reads :math:`\mathrm{softmax}(\mathbf{y}/\tau)` back as
    :math:`\mathbf{y}`, and whether one exists. With :math:`r` of :math:`L` labels
    relevant and :math:`e = e^{1/\tau} > 1`, the top :math:`r` labels reach the mass
    :math:`m` iff :math:`r e (1 - m) \ge m (L - r)` and the top :math:`r - 1` stay below
    it iff :math:`e\,(r - 1 - m r) < m (L - r)`: an interval of :math:`\tau`, empty when
    :math:`r = 0` or when :math:`r - 1` tied labels already hold the mass (e.g. all
    labels relevant)."""
    Y = np.asarray(Y, dtype=np.float64)
    L, r = Y.shape[1], Y.sum(axis=1)
    # the rule compares with the mass less 1e-12; keep clear of both ends
    m_top, m_below = min(mass, 1.0 - 1e-10), mass - 1e-9
    with np.errstate(divide='ignore', invalid='ignore'):
        # e in [lo, hi), also e > 1
        lo = np.where(r >= 1, m_top * (L - r) / (r * (1.0 - m_top)), np.inf)
        coef = r - 1 - m_below * r
        hi = np.where(coef > 0, m_below * (L - r) / coef,
                      np.where((coef < 0) | (r < L), np.inf, 0.0))
        t_min = np.where(hi > 1, 1.0 / np.log(hi), np.inf)       # tau > t_min
        t_max = np.where(lo > 1, 1.0 / np.log(lo), np.inf)       # tau <= t_max
    found = (r >= 1) & (hi > np.maximum(lo, 1.0)) & (t_min < t_max)
    # nearest point a hair inside the interval (its ends are where the rule flips)
    t = np.clip(float(temperature), t_min * (1 + 1e-6), t_max * (1 - 1e-6))
    t = np.where(t_min * (1 + 1e-6) < t_max * (1 - 1e-6), t, np.sqrt(t_min * t_max))
    return np.where(found, t, float(temperature)), found


def rule_consistent_calibration(Y: np.ndarray, content: np.ndarray, temperature: float,
                                weight: float = 1.0, mass: float = 0.5,
                                grid: Optional[np.ndarray] = None,
                                halvings: int = 6):
    r"""Per row, the largest content weight and then the temperature nearest the shared
    one under which the threshold rule reads the row's recovered distribution back as
    its own logical labels.

    A row whose content contradicts its logical labels (the content puts an irrelevant
    label far above a relevant one) has no rule-consistent temperature at weight
    :math:`\lambda` (:func:`rule_consistent_temperatures`); the distribution would then
    put most of its mass on labels the row does not have. Such a row's weight is shrunk
    along :math:`\lambda 2^{-k}`, :math:`k = 0, \dots, K - 1`, then :math:`0`:

    .. math::
        \lambda_i = \max\{\lambda' \in \Lambda : \mathcal{T}_i(\lambda') \neq
        \emptyset\}, \qquad
        \tau_i = \arg\min_{\tau \in \mathcal{T}_i(\lambda_i)} |\log\tau - \log\tau^*|,

    with :math:`\mathcal{T}_i(\lambda') = \{\tau : \mathrm{rule}_m(\mathrm{softmax}(
    (\mathbf{y}_i + \lambda'\mathbf{c}_i)/\tau)) = \mathbf{y}_i\}` searched on ``grid``
    for :math:`\lambda' > 0` and in closed form at :math:`\lambda' = 0`, where the
    relevant labels tie and :math:`\mathcal{T}_i(0)` is an interval whenever the rule can
    mark :math:`r` tied labels at all (:math:`r \ge 1` and :math:`(r - 1)/L < m` for
    :math:`m = 0.5`). Rows consistent at :math:`\lambda` get exactly
    :func:`rule_consistent_temperatures`' value. Rows the rule cannot read back at any
    weight (no relevant label, or too many for the mass) keep :math:`\lambda` and
    :math:`\tau^*`.

    Args:
        Y (numpy.ndarray): ``[N, L]`` logical labels.
        content (numpy.ndarray): ``[N, L]`` feature-driven label scores.
        temperature (float): the shared temperature :math:`\tau^*`.
        weight (float, optional): :math:`\lambda`. (default: :obj:`1.0`)
        mass (float, optional): the rule's mass. (default: :obj:`0.5`)
        grid (numpy.ndarray, optional): candidate temperatures. (default: as in
            :func:`fit_rule_temperature`)
        halvings (int, optional): :math:`K`, the positive weights tried. (default:
            :obj:`6`)

    Returns:
        (numpy.ndarray, numpy.ndarray): ``float64 [N]`` weights :math:`\lambda_i` and
        ``float64 [N]`` temperatures :math:`\tau_i`.
    """
    grid = _GRID if grid is None else np.asarray(grid, dtype=np.float64)
    Y, content = np.asarray(Y, dtype=np.uint8), np.asarray(content, dtype=np.float64)
    w = np.full(len(Y), float(weight))
    t, found = _project(_read_back(Y, content, weight, mass, grid), grid, temperature)
    for k in range(1, halvings + 1):
        todo = np.flatnonzero(~found)
        if len(todo) == 0:
            break
        if k < halvings and weight > 0:
            wk = weight * 2.0 ** -k
            tk, fk = _project(_read_back(Y[todo], content[todo], wk, mass, grid), grid,
                              temperature)
        else:
            wk, (tk, fk) = 0.0, _tied_temperatures(Y[todo], temperature, mass)
            # the closed form checked by the rule itself
            fk &= (threshold_rule(calibrated_distribution(Y[todo], content[todo], tk, 0.0),
                                  mass) == Y[todo]).all(axis=1)
        w[todo[fk]], t[todo[fk]], found[todo[fk]] = wk, tk[fk], True
    return w, t
