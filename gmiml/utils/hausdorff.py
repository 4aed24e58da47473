r"""Hausdorff distances between all pairs of bags (vectorised, chunked)."""
import math
from typing import Optional, Sequence, Union

import numpy as np

from gmiml.utils.validation import check_bags

__all__ = ['hausdorff_distances']

_VARIANTS = {
    'max': 'max', 'maximal': 'max', 'maximum': 'max',
    'avg': 'avg', 'average': 'avg', 'mean': 'avg',
    'min': 'min', 'minimal': 'min', 'minimum': 'min',
}


def hausdorff_distances(
    bags_a: Sequence,
    bags_b: Optional[Sequence] = None,
    variant: str = 'max',
    *,
    max_block_bytes: int = 256 * 2**20,
    dtype=None,
    device: Optional[Union[str, 'torch.device']] = None,
) -> np.ndarray:
    r"""Hausdorff distances between every bag of :obj:`bags_a` and every bag of
    :obj:`bags_b`, the bag-level distances of the LAMDA MIML methods
    (`Zhou & Zhang, NIPS 2006 <https://papers.nips.cc/paper/3047>`_;
    `Zhang & Wang, 2009 <https://doi.org/10.1016/j.neucom.2009.07.008>`_).

    With :math:`d(a, b) = \|a - b\|_2` the Euclidean distance between instances and
    :math:`h(A, B) = \max_{a \in A} \min_{b \in B} d(a, b)` the *directed* Hausdorff
    distance, the three variants are

    .. math::
        H_{\max}(A, B) &= \max\big(h(A, B),\; h(B, A)\big)

        H_{\mathrm{avg}}(A, B) &= \frac{\sum_{a \in A} \min_{b \in B} d(a, b)
            + \sum_{b \in B} \min_{a \in A} d(a, b)}{|A| + |B|}

        H_{\min}(A, B) &= \min_{a \in A,\, b \in B} d(a, b)

    :obj:`variant='max'` is the *symmetric* maximal Hausdorff distance of LAMDA's
    ``maxHausdorff.m`` (used by MIMLSVM, MIMLNN, MIMLRBF). It is **not**
    :func:`scipy.spatial.distance.directed_hausdorff` nor the Java MIML library's
    ``MaximalHausdorff``: those compute the directed :math:`h(A, B)` only;
    :math:`H_{\max}(A, B)` is the larger of the two directed values.

    How it is computed: bags are sorted by size and cut into groups whose zero-padded
    instance tensors fit the memory budget; for every pair of groups the squared instance
    distances come from one matrix product
    (:math:`\|a\|^2 + \|b\|^2 - 2 a^\top b`, after centring all instances on their mean to
    limit cancellation, clamped at 0), padded instances get an infinite norm so they never
    win a minimum, and the min/max/sum reductions run over tensor axes. The square root is
    taken after the reductions (it is monotone). With :obj:`bags_b=None` only the block
    pairs on and above the diagonal are computed, the result is mirrored, and the diagonal
    is exactly 0.

    Args:
        bags_a (sequence): bags, each an array-like ``[n_i, d]`` (see
            :func:`gmiml.utils.check_bags`).
        bags_b (sequence, optional): second set of bags ``[m_j, d]``. If :obj:`None`, the
            distances among :obj:`bags_a` (symmetric matrix). (default: :obj:`None`)
        variant (str, optional): :obj:`"max"` (symmetric maximal), :obj:`"avg"` (average)
            or :obj:`"min"` (minimal); also :obj:`"maximal"`, :obj:`"average"`,
            :obj:`"minimal"`. (default: :obj:`"max"`)
        max_block_bytes (int, optional): approximate peak memory of one block of instance
            distances (the working set; the output matrix comes on top).
            (default: 256 MiB)
        dtype (torch.dtype, optional): precision of the instance distances. Defaults to
            :obj:`torch.float64` on CPU (exact to round-off) and :obj:`torch.float32` on
            other devices. The result is float64 either way.
        device (str or torch.device, optional): where to compute (e.g. :obj:`"cuda"`).
            (default: CPU)

    Returns:
        numpy.ndarray: float64 distance matrix of shape ``[len(bags_a), len(bags_b)]``.

    Shapes:
        - **input:** bags ``[n_i, d]``
        - **output:** ``[N_a, N_b]``

    Raises:
        ValueError: unknown variant, invalid bags (empty, NaN/inf, differing dimensions),
            or a memory budget too small for two instances.
    """
    import torch

    key = _VARIANTS.get(str(variant).lower())
    if key is None:
        raise ValueError(f"variant: unknown Hausdorff variant {variant!r}; expected one "
                         f"of 'max', 'avg', 'min'")
    bags_a = check_bags(bags_a, name='bags_a')
    d = bags_a[0].shape[1]
    symmetric = bags_b is None
    if not symmetric:
        bags_b = check_bags(bags_b, dim=d, name='bags_b')
    device = torch.device('cpu') if device is None else torch.device(device)
    if dtype is None:
        dtype = torch.float64 if device.type == 'cpu' else torch.float32
    itemsize = torch.empty((), dtype=dtype).element_size()
    # working set of a block: the distance block plus up to three reductions/temporaries
    budget = int(math.isqrt(max(int(max_block_bytes) // (3 * itemsize), 0)))
    max_size = max(max(len(b) for b in bags_a),
                   0 if symmetric else max(len(b) for b in bags_b))
    if budget < max_size:
        raise ValueError(f"max_block_bytes={max_block_bytes} is too small: one block must "
                         f"hold at least the largest bag ({max_size} instances) on each "
                         f"side; raise it to at least {3 * itemsize * max_size ** 2}")

    xa = np.concatenate(bags_a, axis=0)
    xb = xa if symmetric else np.concatenate(bags_b, axis=0)
    # centre on the common mean: distances are unchanged, cancellation in the
    # ||a||^2 + ||b||^2 - 2 a.b expansion is reduced
    mean = (xa.astype(np.float64).sum(0) + (0 if symmetric else xb.astype(np.float64)
                                            .sum(0))) / (len(xa) + (0 if symmetric
                                                                    else len(xb)))
    xa_t = torch.as_tensor(xa, device=device).to(dtype) - torch.as_tensor(
        mean, device=device, dtype=dtype)
    xb_t = xa_t if symmetric else (torch.as_tensor(xb, device=device).to(dtype) -
                                   torch.as_tensor(mean, device=device, dtype=dtype))
    groups_a = _make_groups(xa_t, [len(b) for b in bags_a], budget)
    groups_b = groups_a if symmetric else _make_groups(xb_t, [len(b) for b in bags_b],
                                                       budget)

    out = np.empty((len(bags_a), len(bags_a) if symmetric else len(bags_b)),
                   dtype=np.float64)
    for i, ga in enumerate(groups_a):
        for j, gb in enumerate(groups_b):
            if symmetric and j < i:
                continue
            block = _block_distances(ga, gb, key).cpu().to(torch.float64).numpy()
            if symmetric and j == i:  # equal up to round-off; make it exactly symmetric
                block = 0.5 * (block + block.T)
            out[np.ix_(ga['index'], gb['index'])] = block
            if symmetric and j != i:
                out[np.ix_(gb['index'], ga['index'])] = block.T
    if symmetric:
        np.fill_diagonal(out, 0.0)
    return out


def _make_groups(x, sizes, budget):
    """Sorts bags by size and cuts them into padded groups of at most ``budget`` padded
    instances: dicts with ``index`` (original bag indices), ``x`` ``[g, m, d]`` (zero
    padding), ``sq`` ``[g, m]`` (squared norms, ``inf`` at padding) and ``n`` ``[g]``."""
    import torch

    sizes = np.asarray(sizes, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    order = np.argsort(sizes, kind='stable')
    sorted_sizes = sizes[order]
    groups, start = [], 0
    while start < len(order):
        # sizes increase along `order`, so padding order[start:stop] costs
        # (stop - start) * sorted_sizes[stop - 1] instances, increasing in stop
        padded = np.arange(1, len(order) - start + 1) * sorted_sizes[start:]
        stop = start + max(int(np.searchsorted(padded, budget, side='right')), 1)
        idx = order[start:stop]
        m = int(sizes[idx].max())
        rows = offsets[idx][:, None] + np.arange(m)[None, :]
        valid = np.arange(m)[None, :] < sizes[idx][:, None]
        rows_t = torch.as_tensor(np.where(valid, rows, 0), device=x.device)
        valid_t = torch.as_tensor(valid, device=x.device)
        xg = x[rows_t] * valid_t[..., None]
        sq = (xg * xg).sum(-1).masked_fill(~valid_t, float('inf'))
        groups.append({'index': idx, 'x': xg, 'sq': sq,
                       'n': torch.as_tensor(sizes[idx], device=x.device)})
        start = stop
    return groups


def _block_distances(ga, gb, variant):
    """Hausdorff distances between the bags of two padded groups, ``[g_a, g_b]``."""
    import torch

    xa, xb = ga['x'], gb['x']
    g1, m1, d = xa.shape
    g2, m2, _ = xb.shape
    # squared instance distances [g1, m1, g2, m2]; padding has an infinite norm -> inf
    d2 = torch.addmm(gb['sq'].reshape(1, -1), xa.reshape(-1, d), xb.reshape(-1, d).T,
                     alpha=-2.0)
    d2 = d2.view(g1, m1, g2, m2)
    d2.add_(ga['sq'].view(g1, m1, 1, 1)).clamp_(min=0)
    if variant == 'min':
        return d2.amin(dim=(1, 3)).sqrt_()
    near_b = d2.amin(dim=3)  # [g1, m1, g2]: each a to its nearest b (inf at a-padding)
    near_a = d2.amin(dim=1)  # [g1, g2, m2]: each b to its nearest a (inf at b-padding)
    pad_a = torch.isinf(ga['sq']).view(g1, m1, 1)
    pad_b = torch.isinf(gb['sq']).view(1, g2, m2)
    near_b.masked_fill_(pad_a, 0.0)
    near_a.masked_fill_(pad_b, 0.0)
    if variant == 'max':
        return torch.maximum(near_b.amax(dim=1), near_a.amax(dim=2)).sqrt_()
    total = near_b.sqrt_().sum(dim=1) + near_a.sqrt_().sum(dim=2)
    return total / (ga['n'].view(-1, 1) + gb['n'].view(1, -1)).to(total.dtype)
