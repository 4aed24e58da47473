r"""Seeded, label-stratified train/validation/test and k-fold splits for MIML data.

The protein data sets have hundreds of labels, most with a handful of positive bags; a
plain random split leaves many labels without any positive in the training part. The
splits here are built in two steps:

1. **Iterative stratification** (Sechidis, Tsoumakas & Vlahavas, "On the stratification
   of multi-label data", ECML PKDD 2011): labels are processed rarest first; each of the
   label's still unassigned bags goes to the part that most lacks positives of that label
   (ties: the part with the most free places, then at random). Part sizes are fixed in
   advance (largest-remainder rounding of ``ratios * N``) and a full part takes no more
   bags, so the sizes are exact.
2. **Repair**: every label that has a positive somewhere but none in the training part
   (for k folds: a label with at least two positives that all sit in one fold, so that
   fold's training part would lack it) gets one of its positive bags moved into the
   training part (another fold); to keep the sizes exact, a bag whose every label keeps
   a positive there is moved back the other way. The result: **every label with a positive
   bag has one in the training part** (k-fold: every label with >= 2 positives has a
   positive in every fold's training part), which a plain stratified draw does not
   guarantee. Should no such bag exist, the sizes are left one off rather than break
   the guarantee.

Everything is deterministic given ``seed`` (a :class:`numpy.random.Generator` seeded with
it breaks ties and orders the bags).
"""
from typing import List, Sequence, Tuple

import numpy as np

from gmiml.utils.validation import check_labels

__all__ = ['train_val_test_split', 'kfold_split', 'iterative_stratification']


def _as_labels(Y) -> np.ndarray:
    if hasattr(Y, 'Y') and hasattr(Y, 'bags'):  # a MIMLBags
        Y = Y.Y
    return check_labels(Y)


def _sizes(n: int, ratios: np.ndarray) -> np.ndarray:
    exact = ratios * n
    sizes = np.floor(exact).astype(np.int64)
    rest = n - sizes.sum()
    order = np.argsort(-(exact - sizes), kind='stable')
    sizes[order[:rest]] += 1
    return sizes


def iterative_stratification(Y, ratios: Sequence[float], seed: int = 0) -> np.ndarray:
    r"""Assigns every bag to one of ``len(ratios)`` parts by iterative stratification
    (step 1 of the module docstring; no repair).

    Args:
        Y (array-like): labels ``[N, L]`` in :math:`\{0, 1\}` or :math:`\{-1, 1\}`.
        ratios (sequence of float): the parts' shares (non-negative, sum 1).
        seed (int, optional): random seed. (default: :obj:`0`)

    Returns:
        numpy.ndarray: ``int64`` ``[N]``, the part of every bag; part ``k`` holds exactly
        the largest-remainder rounding of ``ratios[k] * N`` bags.
    """
    Y = _as_labels(Y)
    r = np.asarray(ratios, dtype=np.float64)
    if r.ndim != 1 or r.size < 2 or (r < 0).any() or not np.isclose(r.sum(), 1.0):
        raise ValueError(f"ratios must be >= 2 non-negative shares summing to 1, got "
                         f"{list(ratios)}")
    rng = np.random.default_rng(seed)
    N, L = Y.shape
    k = r.size
    Yb = Y.astype(bool)
    pos = Yb.sum(0)
    # plain Python lists in the per-bag loop: much faster than numpy calls on tiny arrays
    cap = _sizes(N, r).tolist()
    desired = (r[:, None] * pos[None, :]).tolist()
    remaining = pos.tolist()
    rows_nz, cols_nz = np.nonzero(Yb)
    ends = np.cumsum(np.bincount(rows_nz, minlength=N)).tolist()
    cols_nz = cols_nz.tolist()
    rows_of = _rows_per_label(Yb)
    label_rank = np.empty(L, dtype=np.int64)
    label_rank[rng.permutation(L)] = np.arange(L)
    bag_rank = np.empty(N, dtype=np.int64)
    bag_rank[rng.permutation(N)] = np.arange(N)
    assign = np.full(N, -1, dtype=np.int64)
    parts = range(k)
    while True:
        rem = np.asarray(remaining)
        active = np.flatnonzero(rem > 0)
        if active.size == 0:
            break
        rem = rem[active]
        ties = active[rem == rem.min()]
        lab = int(ties[np.argmin(label_rank[ties])])
        rows = rows_of[lab]
        rows = rows[assign[rows] < 0]
        rows = rows[np.argsort(bag_rank[rows])].tolist()
        for i in rows:
            best, best_d, best_c = [], -np.inf, -np.inf
            for s in parts:
                c = cap[s]
                if c <= 0:
                    continue
                d = desired[s][lab]
                if d > best_d or (d == best_d and c > best_c):
                    best, best_d, best_c = [s], d, c
                elif d == best_d and c == best_c:
                    best.append(s)
            s = best[0] if len(best) == 1 else best[int(rng.integers(len(best)))]
            assign[i] = s
            cap[s] -= 1
            ds = desired[s]
            for j in cols_nz[(ends[i - 1] if i else 0):ends[i]]:
                ds[j] -= 1
                remaining[j] -= 1
    rest = np.flatnonzero(assign < 0)
    rest = rest[np.argsort(bag_rank[rest])]
    assign[rest] = np.repeat(np.arange(k), cap)
    return assign


def _rows_per_label(Yb: np.ndarray) -> List[np.ndarray]:
    """For every label, the (sorted) rows where it is positive."""
    lab_nz, rows_nz = np.nonzero(Yb.T)
    bounds = np.cumsum(np.bincount(lab_nz, minlength=Yb.shape[1]))
    return np.split(rows_nz, bounds[:-1])


def _labels_per_row(Yb: np.ndarray) -> List[np.ndarray]:
    rows_nz, cols_nz = np.nonzero(Yb)
    bounds = np.cumsum(np.bincount(rows_nz, minlength=Yb.shape[0]))
    return np.split(cols_nz, bounds[:-1])


def _preference(Yb: np.ndarray, rng):
    """Rank of every bag as a bag to move: fewest labels first, ties at random."""
    order = np.lexsort((rng.permutation(Yb.shape[0]), Yb.sum(1)))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return order, rank


def _repair_train(Y: np.ndarray, part: np.ndarray, rng) -> np.ndarray:
    """Moves a positive bag of every label missing from part 0 into part 0, and moves a
    bag whose every label keeps a part-0 positive back the other way."""
    Yb = Y.astype(bool)
    part = part.copy()
    labs_of, rows_of = _labels_per_row(Yb), _rows_per_label(Yb)
    order, rank = _preference(Yb, rng)
    pos = Yb.sum(0)
    train_cnt = Yb[part == 0].sum(0).astype(np.int64)
    for lab in np.argsort(pos, kind='stable'):
        if pos[lab] == 0 or train_cnt[lab] > 0:
            continue
        cand = rows_of[lab]
        cand = cand[part[cand] != 0]
        r = cand[np.argmin(rank[cand])]
        donor = part[r]
        part[r] = 0
        train_cnt[labs_of[r]] += 1
        for q in order:
            if part[q] == 0 and q != r and (train_cnt[labs_of[q]] >= 2).all():
                part[q] = donor
                train_cnt[labs_of[q]] -= 1
                break
    return part


def train_val_test_split(Y, seed: int = 0, ratios: Sequence[float] = (0.7, 0.1, 0.2)
                         ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The paper's 7:2:1 train:test:validation protocol as a seeded, label-stratified split
    (see the module docstring for the method and its guarantee).

    Args:
        Y (array-like or MIMLBags): labels ``[N, L]`` (:math:`\{0, 1\}` or
            :math:`\{-1, 1\}`), or a :class:`~gmiml.io.MIMLBags`.
        seed (int, optional): random seed; equal seeds give equal splits.
            (default: :obj:`0`)
        ratios (tuple of float, optional): ``(train, val, test)`` shares summing to 1.
            (default: :obj:`(0.7, 0.1, 0.2)`)

    Returns:
        (numpy.ndarray, numpy.ndarray, numpy.ndarray): sorted ``int64`` bag indices
        ``train_idx, val_idx, test_idx``; disjoint, covering all bags, of sizes
        ``round(ratios * N)`` (largest remainder).
    """
    Y = _as_labels(Y)
    r = np.asarray(ratios, dtype=np.float64)
    if r.shape != (3, ) or (r < 0).any() or r[0] <= 0 or not np.isclose(r.sum(), 1.0):
        raise ValueError(f"ratios must be (train, val, test) >= 0 with train > 0, summing "
                         f"to 1; got {tuple(ratios)}")
    if Y.shape[0] < int((r > 0).sum()):
        raise ValueError(f"cannot split {Y.shape[0]} bag(s) into {int((r > 0).sum())} "
                         f"non-empty parts")
    part = iterative_stratification(Y, r, seed)
    part = _repair_train(Y, part, np.random.default_rng([seed, 1]))
    return tuple(np.flatnonzero(part == k).astype(np.int64) for k in range(3))


def _repair_folds(Y: np.ndarray, fold: np.ndarray, k: int, rng) -> np.ndarray:
    """Spreads the positives of every label with >= 2 of them over >= 2 folds, moving a
    bag back the other way whose labels all stay spread."""
    Yb = Y.astype(bool)
    fold = fold.copy()
    labs_of, rows_of = _labels_per_row(Yb), _rows_per_label(Yb)
    order, rank = _preference(Yb, rng)
    pos = Yb.sum(0)
    C = np.stack([Yb[fold == f].sum(0) for f in range(k)]).astype(np.int64)
    for lab in np.argsort(pos, kind='stable'):
        if pos[lab] < 2 or (C[:, lab] > 0).sum() >= 2:
            continue
        f = int(np.argmax(C[:, lab]))
        cand = rows_of[lab]
        r = cand[np.argmin(rank[cand])]
        others = [g for g in range(k) if g != f]
        g = others[int(rng.integers(len(others)))]
        fold[r] = g
        C[f, labs_of[r]] -= 1
        C[g, labs_of[r]] += 1
        for q in order:
            if fold[q] != g or q == r:
                continue
            labs = labs_of[q]
            C[g, labs] -= 1
            C[f, labs] += 1
            if ((pos[labs] < 2) | ((C[:, labs] > 0).sum(0) >= 2)).all():
                fold[q] = f
                break
            C[g, labs] += 1
            C[f, labs] -= 1
    return fold


def kfold_split(Y, n_splits: int = 5, seed: int = 0
                ) -> List[Tuple[np.ndarray, np.ndarray]]:
    r"""Seeded, label-stratified k-fold cross-validation (iterative stratification into
    ``n_splits`` equal folds, then the repair of the module docstring: every label with at
    least two positive bags has a positive in every fold's training part).

    Args:
        Y (array-like or MIMLBags): labels ``[N, L]``.
        n_splits (int, optional): number of folds, >= 2. (default: :obj:`5`)
        seed (int, optional): random seed. (default: :obj:`0`)

    Returns:
        list of (numpy.ndarray, numpy.ndarray): for every fold, the sorted ``int64``
        ``(train_idx, test_idx)``; the test parts are disjoint and cover all bags, their
        sizes differ by at most one.
    """
    Y = _as_labels(Y)
    if int(n_splits) != n_splits or n_splits < 2:
        raise ValueError(f"n_splits must be an integer >= 2, got {n_splits}")
    if Y.shape[0] < n_splits:
        raise ValueError(f"cannot make {n_splits} folds of {Y.shape[0]} bag(s)")
    k = int(n_splits)
    fold = iterative_stratification(Y, np.full(k, 1.0 / k), seed)
    fold = _repair_folds(Y, fold, k, np.random.default_rng([seed, 2]))
    return [(np.flatnonzero(fold != f).astype(np.int64),
             np.flatnonzero(fold == f).astype(np.int64)) for f in range(k)]
