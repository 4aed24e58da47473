r"""The blocked dense kernels of :func:`gmiml.utils.mutual_knn_graph`: bags gathered
into padded ``[B, S, d]`` blocks, their pair distances (Gram form, with a rounding bound
and exact recomputation where it is loose), the per-bag k nearest neighbours, the mutual
pairs and their heat-kernel weights."""
import math
from typing import Optional, Tuple, Union

import torch
from torch import Tensor

__all__ = []

# Complete bags (at most k + 1 instances) up to this size are handled pair by pair.
_SMALL_COMPLETE = 8

# Gram-form squared distances used for weights are recomputed elementwise when their
# rounding bound exceeds this fraction of their value.
_WEIGHT_RTOL = 1e-2


class _BadValues(Exception):
    """Raised inside the builder when a norm or distance is NaN/inf or too large; the
    caller then finds the culprit in x (so finite x is checked without an extra pass)."""


def _limit(x: Tensor) -> float:
    r"""Largest squared norm or distance accepted: sums of a few of them stay finite."""
    return torch.finfo(x.dtype).max / 16


def _gather_block(x: Tensor, off: Tensor, n: Tensor, S: int,
                  uniform: bool) -> Tuple[Tensor, Optional[Tensor]]:
    r"""The [B, S, d] block of bags padded to :obj:`S` (padding rows repeat the bag's first
    instance), centred on each bag's first instance (padding rows are then 0), and the
    [B, S] mask of real rows (:obj:`None` when no bag is padded)."""
    row_ok = None
    if uniform:
        xb = _windows(x, off, S)
    else:
        ar = torch.arange(S, device=x.device)
        row_ok = ar < n[:, None]
        idx = off[:, None] + ar * row_ok
        xb = x.index_select(0, idx.reshape(-1)).view(off.numel(), S, x.size(1))
    return xb - xb[:, :1], row_ok


def _rounding(x: Tensor) -> Tuple[float, float, float]:
    r"""Rounding-error constants of the Gram form, :math:`u` the unit roundoff of
    :obj:`x`'s dtype and :math:`\gamma_m = mu / (1 - mu)`: returns
    :obj:`(kappa, tiny, lam)`.

    With rows centred on the bag's first instance, :math:`\mathbf{c}_i =
    \mathrm{fl}(\mathbf{x}_i - \mathbf{x}_0)`, the computed
    :math:`\hat{d}^2_{ij} = \mathrm{fl}(\lVert\mathbf{c}_i\rVert^2 +
    (\lVert\mathbf{c}_j\rVert^2 - 2\,\mathbf{c}_i^\top\mathbf{c}_j))` differs from the
    exact :math:`d^2_{ij}` by at most :math:`(3\gamma_{d+1} + 7u)
    (\lVert\mathbf{c}_i\rVert^2 + \lVert\mathbf{c}_j\rVert^2)`: centring adds
    :math:`4u(\dots)`, the norm :math:`\gamma_d \lVert\mathbf{c}_j\rVert^2`, the fused
    sum of :math:`\lVert\mathbf{c}_j\rVert^2` and :math:`d` products
    :math:`2\gamma_{d+1}(\dots)`, the last addition :math:`3u(\dots)`. So
    :math:`|\hat{d}^2_{ij} - d^2_{ij}| \le \kappa (\lVert\mathbf{c}_i\rVert^2 +
    \lVert\mathbf{c}_j\rVert^2) + \mathrm{tiny}` with :math:`\kappa = 4\gamma_{d+2} + 8u`
    (room to spare) and tiny covering underflow of tiny products. The elementwise value
    (which decides the edges) has positive terms only and is within a relative
    :math:`(d + 2)u` of :math:`d^2_{ij}`; :obj:`lam` is :math:`(d + 8)u`."""
    finfo = torch.finfo(x.dtype)
    d = x.size(1)
    u = finfo.eps / 2
    m = d + 2
    gamma = m * u / (1 - m * u) if m * u < 0.5 else math.inf
    return 4 * gamma + 8 * u, 8 * d * finfo.tiny, (d + 8) * u


def _kernel(ed2: Tensor, eb: Tensor, kv: Tensor, kok: Tensor, full: bool,
            sigma: Union[str, float]) -> Tensor:
    r"""Heat-kernel weights of edges with squared distances :obj:`ed2` in bags :obj:`eb`;
    :obj:`kv` [B, m] holds each bag's kNN squared distances where :obj:`kok` (all of them
    when :obj:`full`)."""
    if isinstance(sigma, float):
        w = torch.exp(ed2 / (-2 * sigma * sigma))
    else:
        if sigma == 'median':  # lower median (an actual neighbour distance of the bag)
            if full:
                s2 = kv.kthvalue((kv.size(1) + 1) // 2, dim=1).values
            else:
                cnt = kok.sum(1)
                srt = torch.sort(kv.masked_fill(~kok, math.inf), dim=1).values
                s2 = srt.gather(1, ((cnt - 1).clamp_min(0) // 2)[:, None]).squeeze(1)
        else:  # mean distance
            dist = kv.sqrt()
            if not full:
                dist = dist.masked_fill(~kok, 0)
            s = dist.sum(1) / (kok.sum(1).clamp_min(1) if not full else kv.size(1))
            s2 = s * s
        w = torch.exp(ed2 / (-2 * s2[eb]))
    # distance 0 weighs 1, also when sigma is 0 (no 0/0)
    return torch.where(ed2 == 0, torch.ones_like(w), w)


def _windows(x: Tensor, off: Tensor, S: int) -> Tensor:
    r"""The rows :obj:`off[b]` to :obj:`off[b] + S - 1` of :obj:`x` for every :obj:`b`,
    as a [B, S, d] tensor (one gather through a view of overlapping windows; every
    window must lie inside :obj:`x`)."""
    N, d = x.shape
    return x.as_strided((N - S + 1, S, d), (d, d, 1)).index_select(0, off)


def _small_complete(x: Tensor, off: Tensor, S: int,
                    sigma: Union[str, float]) -> Tuple[Tensor, Tensor, Tensor]:
    r"""Bags of :obj:`S` instances (2 to :obj:`_SMALL_COMPLETE`) that are complete graphs
    (every instance is every other's neighbour): their pair distances elementwise (exact).
    Returns global rows, columns and weights, sorted by (row, column)."""
    B = off.numel()
    device = x.device
    xb = _windows(x, off, S)  # [B, S, d]
    # the pairs p < q in row-major order, one p at a time (views, no gathers); the
    # [B, m, d] differences summed over their last axis as in _exact_pairs
    d2 = []
    for p in range(S - 1):
        diff = xb[:, p + 1:] - xb[:, p:p + 1]
        d2.append(diff.mul_(diff).sum(-1))
    d2 = torch.cat(d2, dim=1) if S > 2 else d2[0]  # [B, P]
    del xb, diff
    if not bool(d2.amax() <= _limit(x)):  # also false for NaN
        raise _BadValues
    # the bag's kNN distances are its pair distances, each twice (which leaves the lower
    # median and the mean unchanged)
    if isinstance(sigma, float):
        s2 = d2.new_full((B, 1), sigma * sigma)
    elif sigma == 'median':  # lower median
        s2 = d2.kthvalue((d2.size(1) + 1) // 2, dim=1, keepdim=True).values
    else:
        s2 = d2.sqrt().mean(dim=1, keepdim=True) ** 2
    w = torch.exp(d2 / (-2 * s2))
    w = torch.where(d2 == 0, torch.ones_like(w), w)
    # directed pairs i != j in row-major order, and the index of {i, j} among (p, q)
    i, j = (~torch.eye(S, dtype=torch.bool, device=device)).nonzero(as_tuple=True)
    lo, hi = torch.minimum(i, j), torch.maximum(i, j)
    pair = lo * (2 * S - lo - 1) // 2 + (hi - lo - 1)
    rows = (off[:, None] + i).reshape(-1)
    cols = (off[:, None] + j).reshape(-1)
    return rows, cols, w[:, pair].reshape(-1)


def _ranked_block(x: Tensor, off: Tensor, n: Tensor, S: int, k: int,
                  sigma: Union[str, float], uniform: bool,
                  rank: bool) -> Tuple[Tensor, Tensor, Tensor]:
    r"""Bags padded to :obj:`S` instances: mutual kNN by ranking (:obj:`rank`: some bag
    has more than :math:`k + 1` instances; otherwise all are complete graphs). Returns
    global rows, columns and weights, sorted by (row, column)."""
    B = off.numel()
    device = x.device
    ar = torch.arange(S, device=device)
    ks = min(k, S - 1)  # neighbours kept per row
    c, row_ok = _gather_block(x, off, n, S, uniform)
    # row i ranks r_ij = |c_j|^2 - 2 c_i.c_j (= d2_ij - |c_i|^2); padding columns and
    # the diagonal are +inf
    if S <= x.size(1):  # small blocks: the norms from the Gram matrix's diagonal
        r = torch.bmm(c, c.transpose(1, 2))
        sq = r.diagonal(dim1=1, dim2=2).clone()
        sq_col = sq if row_ok is None else sq.masked_fill(~row_ok, math.inf)
        r.mul_(-2).add_(sq_col[:, None, :])
    else:  # large blocks: the norms directly, then one fused pass
        sq = (c * c).sum(-1)  # [B, S]
        sq_col = sq if row_ok is None else sq.masked_fill(~row_ok, math.inf)
        r = torch.baddbmm(sq_col[:, None, :], c, c.transpose(1, 2), alpha=-2)
    del c
    if not bool(sq.amax() <= _limit(x)):  # also false for NaN
        raise _BadValues
    r.diagonal(dim1=1, dim2=2).fill_(math.inf)
    kk = ks + 1 if rank else ks  # one more to check the boundary
    if S <= 12:
        vals, nbr = r.sort(dim=-1)
        vals, nbr = vals[..., :kk], nbr[..., :kk]
    else:
        vals, nbr = r.topk(kk, dim=-1, largest=False, sorted=True)
    sel = nbr[..., :ks].contiguous()  # [B, S, ks]
    sel_ok = vals[..., :ks] < math.inf
    if row_ok is not None:
        sel_ok &= row_ok[:, :, None]
    d2v = (vals + sq[:, :, None]).clamp_min_(0)  # [B, S, kk] squared distances
    kappa, tiny, lam = _rounding(x)
    band = 2 * kappa * sq.amax(1) + tiny  # [B], bounds the error of every pair of a bag
    del vals

    if rank:
        # A row is certain when even the worst case keeps its k-th value below its
        # (k+1)-th; ties and near ties are not. Rows of bags of at most k + 1 instances
        # select all their neighbours.
        bnd = band[:, None]
        kth = (d2v[..., k - 1] + bnd) * (1 + lam)  # >= the elementwise k-th value
        uncertain = (n > k + 1)[:, None] & (kth >= (d2v[..., k] - bnd) * (1 - lam))
        if row_ok is not None:
            uncertain &= row_ok
        fb, fi = uncertain.nonzero(as_tuple=True)
        if fb.numel() > 0:
            # Candidates: the instances whose elementwise value may not exceed the k-th
            # (at least the k selected, and all that tie or nearly tie with them).
            # Recompute them elementwise and rank by (distance, index).
            R = fb.numel()
            approx = r[fb, fi] + sq[fb, fi][:, None]  # [R, S], inf off the bag
            cand = (approx - band[fb, None]) * (1 - lam) <= kth[fb, fi][:, None]
            cr, cj = cand.nonzero(as_tuple=True)
            base = off[fb]
            ex = torch.full((R, S), math.inf, dtype=d2v.dtype, device=device)
            ex[cr, cj] = _exact_pairs(x, base[cr] + fi[cr], base[cr] + cj)
            ev, eo = torch.sort(ex, dim=-1, stable=True)
            ex_sel, ex_ok, ex_val = eo[:, :ks], ev[:, :ks] < math.inf, ev[:, :ks]
    del r

    # Selected pairs whose Gram-form value may be off by more than _WEIGHT_RTOL of itself
    # (the pair's own bound: pairs far from the bag's first instance relative to their
    # distance, and pairs that may be at distance 0) get their elementwise value: the
    # weights and widths then carry a relative error of at most about _WEIGHT_RTOL, and
    # duplicates are at exactly 0 (a pair at distance ~0 outside the first k makes its
    # row uncertain: recomputed above).
    d2v = d2v[..., :ks]
    pair_bound = kappa * (sq[:, :, None] + sq.gather(1, sel.view(B, -1)).view(B, S, ks))
    loose = (pair_bound + tiny > _WEIGHT_RTOL * d2v) & sel_ok
    if rank:
        loose &= ~uncertain[:, :, None]
    del sq, pair_bound
    zb, zi, zt = loose.nonzero(as_tuple=True)
    if zb.numel() > 0:
        base = off[zb]
        d2v[zb, zi, zt] = _exact_pairs(x, base + zi, base + sel[zb, zi, zt])
    if rank and fb.numel() > 0:
        sel[fb, fi] = ex_sel
        sel_ok[fb, fi] = ex_ok
        d2v[fb, fi] = ex_val

    # each row's neighbours in column order (so the edges come out coalesced); unused
    # slots get column S, after the real ones
    sel = sel.masked_fill(~sel_ok, S)
    sel, order = sel.sort(dim=-1)
    sel_ok = sel_ok.gather(2, order)
    d2v = d2v.gather(2, order)
    sel = sel.masked_fill_(~sel_ok, 0)

    # mutual: j = sel[b, i, t] is kept when i is in j's list, at position t2
    flat = sel.view(B, S * ks, 1).expand(B, S * ks, ks)
    back = sel.gather(1, flat).view(B, S, ks, ks) == ar[None, :, None, None]
    back &= sel_ok.gather(1, flat).view(B, S, ks, ks)
    mutual = sel_ok & back.any(-1)
    # the same value both ways: the smaller of the two rows' values (each is within the
    # bound; elementwise values, where present, are the smaller ones only by rounding)
    t2 = back.to(torch.uint8).argmax(-1)  # [B, S, ks]
    rev = d2v.view(B, S * ks).gather(1, (sel * ks + t2).view(B, S * ks)).view(B, S, ks)
    e = mutual.view(-1).nonzero().squeeze(1)  # flat positions, in (b, i, t) order
    ed2 = torch.minimum(d2v, rev).view(-1).index_select(0, e)
    ej = sel.view(-1).index_select(0, e)
    eb, ei = e // (S * ks), e // ks % S

    w = _kernel(ed2, eb, d2v.reshape(B, -1), sel_ok.reshape(B, -1), row_ok is None, sigma)
    base = off[eb]
    return base + ei, base + ej, w


def _exact_pairs(x: Tensor, i: Tensor, j: Tensor, budget: int = 64 * 2**20) -> Tensor:
    r"""Elementwise squared distances :math:`\sum_f (x_{if} - x_{jf})^2` of the instance
    pairs :obj:`(i, j)`, in the dtype of :obj:`x`. Always the same code path (a [P, d]
    difference, squared and summed over its last axis, each row by the same reduction),
    so a pair gets the same value wherever it is computed; chunked so the gathered rows
    and their difference stay under :obj:`budget` bytes."""
    P = i.numel()
    step = max(1, budget // max(1, 3 * x.size(1) * x.element_size()))
    out = []
    for lo in range(0, P, step):
        diff = x.index_select(0, i[lo:lo + step]) - x.index_select(0, j[lo:lo + step])
        out.append(diff.mul_(diff).sum(-1))
    return torch.cat(out) if len(out) > 1 else out[0]
