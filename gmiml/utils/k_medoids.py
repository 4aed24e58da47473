r"""k-medoids clustering on a precomputed distance matrix (vectorised)."""
from typing import Optional, Tuple

import numpy as np

__all__ = ['k_medoids']

_INITS = ('k-medoids++', 'random', 'build')
_METHODS = ('alternate', 'pam')


def k_medoids(
    D,
    n_clusters: int,
    random_state=None,
    max_iter: int = 100,
    init: str = 'k-medoids++',
    method: str = 'alternate',
    max_swaps: Optional[int] = None,
) -> Tuple[np.ndarray, np.ndarray]:
    r"""k-medoids on a precomputed distance matrix (`Kaufman & Rousseeuw, 1990
    <https://doi.org/10.1002/9780470316801.ch2>`_), the clustering step of MIMLSVM, MIMLNN
    and MIMLRBF, which cluster bags under a Hausdorff distance.

    Finds :math:`k` medoids :math:`M \subset \{1..n\}` (data points) that (locally) minimise

    .. math::
        \mathrm{TD}(M) = \sum_{i=1}^{n} \min_{m \in M} D_{i m}.

    :obj:`method="alternate"` (Voronoi iteration, the scheme of the LAMDA MIML MATLAB code):
    assign every point to its nearest medoid, then move each medoid to the member of its
    cluster with the smallest sum of distances to the other members; repeat until the
    medoids no longer change or :obj:`max_iter` rounds. Each round is :math:`O(n^2)` numpy
    work (a segment sum over the columns sorted by cluster).

    :obj:`method="pam"` runs "alternate" first, then PAM's SWAP phase: repeatedly performs
    the (medoid, non-medoid) exchange that lowers :math:`\mathrm{TD}` most, until none does
    (or :obj:`max_swaps`). The gain of all :math:`k (n - k)` swaps is evaluated at once in
    :math:`O(n (n - k))` with the FastPAM1 decomposition of `Schubert & Rousseeuw (2019)
    <https://doi.org/10.1007/978-3-030-32047-8_16>`_. The result is a PAM local optimum
    (no single swap improves it), usually a slightly lower :math:`\mathrm{TD}` than
    "alternate" at a higher cost.

    Ties are broken towards the lower index, so the result depends only on :obj:`D`,
    :obj:`n_clusters` and :obj:`random_state`.

    Args:
        D (array-like): square matrix ``[n, n]`` of non-negative, finite distances (the
            diagonal is ignored and treated as 0).
        n_clusters (int): number of medoids :math:`k`, :math:`1 \le k \le n`.
        random_state (int, numpy.random.RandomState or Generator, optional): seed of the
            initialisation. (default: :obj:`None`)
        max_iter (int, optional): maximal number of assign/update rounds. (default: 100)
        init (str, optional): :obj:`"k-medoids++"` (first medoid uniformly at random, each
            next one with probability proportional to the squared distance to the nearest
            chosen medoid, as k-means++), :obj:`"random"` (:math:`k` distinct points
            uniformly) or :obj:`"build"` (PAM's deterministic greedy BUILD, :math:`O(k n^2)`).
            (default: :obj:`"k-medoids++"`)
        method (str, optional): :obj:`"alternate"` or :obj:`"pam"`.
            (default: :obj:`"alternate"`)
        max_swaps (int, optional): at most this many swaps in :obj:`method="pam"`.
            (default: :obj:`None`, i.e. :math:`10 k`)

    Returns:
        (numpy.ndarray, numpy.ndarray): the medoid indices ``int64 [k]`` (in increasing
        order) and the cluster of every point ``int64 [n]`` (an index into the medoid
        array; each medoid is in its own cluster).

    Raises:
        ValueError: :obj:`D` not square, not finite, negative; :obj:`n_clusters` out of
            range; unknown :obj:`init` or :obj:`method`.
    """
    D = np.asarray(D, dtype=np.float64)
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise ValueError(f"D: expected a square distance matrix [n, n], got shape "
                         f"{D.shape}")
    n = D.shape[0]
    if n == 0:
        raise ValueError("D: empty distance matrix (no points to cluster)")
    if not np.isfinite(D).all():
        r, c = np.argwhere(~np.isfinite(D))[0]
        raise ValueError(f"D: non-finite distance {D[r, c]} at ({r}, {c})")
    if (D < 0).any():
        r, c = np.argwhere(D < 0)[0]
        raise ValueError(f"D: negative distance {D[r, c]} at ({r}, {c})")
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)):
        raise ValueError(f"n_clusters: expected an integer, got {n_clusters!r}")
    if not 1 <= n_clusters <= n:
        raise ValueError(f"n_clusters={n_clusters} must be between 1 and the number of "
                         f"points ({n})")
    if init not in _INITS:
        raise ValueError(f"init: unknown initialisation {init!r}; expected one of "
                         f"{_INITS}")
    if method not in _METHODS:
        raise ValueError(f"method: unknown method {method!r}; expected one of {_METHODS}")
    if max_iter < 1:
        raise ValueError(f"max_iter={max_iter} must be at least 1")
    k = int(n_clusters)
    if not (np.diagonal(D) == 0).all():
        D = D.copy()
        np.fill_diagonal(D, 0.0)

    if k == n:
        medoids = np.arange(n, dtype=np.int64)
        return medoids, medoids.copy()

    medoids = _initialise(D, k, init, random_state)
    for _ in range(max_iter):
        labels = _assign(D, medoids)
        new = _update(D, labels, k)
        if np.array_equal(np.sort(new), np.sort(medoids)):
            break
        medoids = new
    if method == 'pam':
        medoids = _swap(D, medoids, 10 * k if max_swaps is None else int(max_swaps))
    medoids = np.sort(medoids).astype(np.int64)
    return medoids, _assign(D, medoids)


def _initialise(D, k, init, random_state):
    from sklearn.utils import check_random_state

    n = D.shape[0]
    if init == 'build':
        # BUILD: the most central point, then greedily the point that lowers TD most
        medoids = [int(np.argmin(D.sum(axis=0)))]
        nearest = D[:, medoids[0]].copy()
        for _ in range(1, k):
            gain = np.maximum(nearest[:, None] - D, 0.0).sum(axis=0)
            gain[medoids] = -1.0
            medoids.append(int(np.argmax(gain)))
            np.minimum(nearest, D[:, medoids[-1]], out=nearest)
        return np.asarray(medoids, dtype=np.int64)
    rng = random_state if isinstance(random_state, np.random.Generator) else None
    if rng is None:
        rs = check_random_state(random_state)
    choice = (rng.choice if rng is not None else rs.choice)
    if init == 'random':
        return np.asarray(choice(n, size=k, replace=False), dtype=np.int64)
    # k-medoids++
    chosen = np.zeros(n, dtype=bool)
    medoids = [int(choice(n))]
    chosen[medoids[0]] = True
    nearest = D[:, medoids[0]].copy()
    for _ in range(1, k):
        w = nearest ** 2
        w[chosen] = 0.0
        total = w.sum()
        if total > 0:
            m = int(choice(n, p=w / total))
        else:  # every remaining point duplicates a medoid: pick uniformly among them
            m = int(choice(np.flatnonzero(~chosen)))
        medoids.append(m)
        chosen[m] = True
        np.minimum(nearest, D[:, m], out=nearest)
    return np.asarray(medoids, dtype=np.int64)


def _assign(D, medoids):
    """Index (into ``medoids``) of every point's nearest medoid; medoids own themselves."""
    labels = np.argmin(D[:, medoids], axis=1)
    labels[medoids] = np.arange(len(medoids))
    return labels.astype(np.int64)


def _update(D, labels, k):
    """Per cluster, the member with the smallest sum of distances to the members."""
    order = np.argsort(labels, kind='stable')
    counts = np.bincount(labels, minlength=k)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # cost[i, c] = sum of distances from point i to the members of cluster c
    cost = np.add.reduceat(D[:, order], starts, axis=1)
    own = cost[np.arange(len(labels)), labels]
    # smallest own cost per cluster, ties to the lower point index
    best = np.lexsort((np.arange(len(labels)), own, labels))
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return best[first].astype(np.int64)


def _swap(D, medoids, max_swaps):
    """PAM SWAP with FastPAM1's all-medoids-at-once gain computation."""
    n = D.shape[0]
    k = len(medoids)
    medoids = medoids.copy()
    is_medoid = np.zeros(n, dtype=bool)
    is_medoid[medoids] = True
    for _ in range(max_swaps):
        dm = D[:, medoids]  # [n, k]
        near = np.argmin(dm, axis=1)
        d1 = dm[np.arange(n), near]
        if k > 1:
            dm2 = dm.copy()
            dm2[np.arange(n), near] = np.inf
            d2 = dm2.min(axis=1)
        else:
            d2 = np.full(n, np.inf)
        cand = np.flatnonzero(~is_medoid)
        dc = D[:, cand]  # [n, c]: distance of every point to every candidate
        # change common to every removed medoid: points that move to the candidate
        shared = np.minimum(dc - d1[:, None], 0.0).sum(axis=0)  # [c]
        # extra change when point o's own medoid is the one removed and it does not move
        # to the candidate: it goes to min(candidate, second nearest)
        extra = np.where(dc >= d1[:, None],
                         np.minimum(dc, d2[:, None]) - d1[:, None], 0.0)  # [n, c]
        order = np.argsort(near, kind='stable')
        counts = np.bincount(near, minlength=k)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        per_medoid = np.add.reduceat(extra[order], starts, axis=0)  # [k, c]
        per_medoid[counts == 0] = 0.0  # (cannot happen: medoids own themselves)
        delta = per_medoid + shared[None, :]
        i, j = np.unravel_index(np.argmin(delta), delta.shape)
        if delta[i, j] >= -1e-12 * max(1.0, d1.sum()):
            break
        is_medoid[medoids[i]] = False
        medoids[i] = cand[j]
        is_medoid[cand[j]] = True
    return medoids
