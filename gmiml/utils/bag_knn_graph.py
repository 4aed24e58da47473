r"""A k-nearest-neighbour graph from query bags to a bank of bags, by a bag similarity
with hubness correction (blocked: memory stays bounded)."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ['bag_similarity', 'bag_knn_graph', 'hubness_radius']

_SIMILARITIES = ('chamfer', 'mean')


def _check(x: Tensor, ptr: Tensor, name: str) -> None:
    if ptr.dim() != 1 or ptr.numel() < 1 or int(ptr[0]) != 0 or int(ptr[-1]) != x.size(0):
        raise ValueError(f"{name}: ptr must start at 0 and end at the number of instances "
                         f"({x.size(0)})")
    if bool((ptr[1:] <= ptr[:-1]).any()):
        bad = int(torch.nonzero(ptr[1:] <= ptr[:-1])[0])
        raise ValueError(f"{name}: bag {bad} has no instance")


def _blocks(ptr: Tensor, width: int, budget: int):
    """Consecutive ranges of bags whose instances times ``width`` stay within ``budget``
    elements (at least one bag per block)."""
    n = ptr.numel() - 1
    rows = max(1, budget // max(1, width))
    lo = 0
    while lo < n:
        hi = int(torch.searchsorted(ptr, ptr[lo] + rows, right=True)) - 1
        hi = min(n, max(hi, lo + 1))
        yield lo, hi
        lo = hi


def bag_similarity(
    x: Tensor,
    ptr: Tensor,
    bank_x: Tensor,
    bank_ptr: Tensor,
    similarity: str = 'chamfer',
    block_elements: int = 1 << 24,
) -> Tensor:
    r"""Similarities :math:`s(A, B)` between every query bag :math:`A` and every bank bag
    :math:`B`, on the cosine :math:`c(a, b)` of instances:

    .. math::
        s_{\mathrm{chamfer}}(A, B) = \frac{1}{2}\Big(\frac{1}{|A|}\sum_{a \in A}
            \max_{b \in B} c(a, b) + \frac{1}{|B|}\sum_{b \in B} \max_{a \in A}
            c(a, b)\Big), \qquad
        s_{\mathrm{mean}}(A, B) = \cos(\bar{a}, \bar{b})

    (:math:`\bar{a}` the mean instance of :math:`A`). The query instances are processed
    in blocks of whole bags so that no intermediate has more than about
    ``block_elements`` entries (one instance-by-bank-instance block).

    Args:
        x (Tensor): query instances, bag after bag.
        ptr (Tensor): query bag pointers (bag :math:`i` is ``x[ptr[i]:ptr[i+1]]``).
        bank_x (Tensor): bank instances. bank_ptr (Tensor): bank bag pointers.
        similarity (str, optional): ``'chamfer'`` or ``'mean'``.
            (default: :obj:`'chamfer'`)
        block_elements (int, optional): memory budget of one block.
            (default: :obj:`2**24`)

    Shapes:
        - **input:** :math:`(N, d)`, :math:`(B + 1)`, :math:`(N_M, d)`, :math:`(M + 1)`
        - **output:** :math:`(B, M)`, values in :math:`[-1, 1]`
    """
    if similarity not in _SIMILARITIES:
        raise ValueError(f"similarity: expected one of {_SIMILARITIES}, got {similarity!r}")
    _check(x, ptr, 'x')
    _check(bank_x, bank_ptr, 'bank_x')
    if x.size(1) != bank_x.size(1):
        raise ValueError(f"x has {x.size(1)} features, bank_x {bank_x.size(1)}")
    n_bank = bank_ptr.numel() - 1
    if similarity == 'mean':
        q = F.normalize(_segment(x, 'mean', ptr[1:] - ptr[:-1], 0), dim=-1)
        m = F.normalize(_segment(bank_x, 'mean', bank_ptr[1:] - bank_ptr[:-1], 0), dim=-1)
        return q @ m.t()
    xn, bn = F.normalize(x, dim=-1), F.normalize(bank_x, dim=-1)
    bank_len = bank_ptr[1:] - bank_ptr[:-1]
    out = x.new_empty(ptr.numel() - 1, n_bank)
    for lo, hi in _blocks(ptr, bank_x.size(0), block_elements):
        s = xn[ptr[lo]:ptr[hi]] @ bn.t()  # [n_q, N_M]
        q_len = ptr[lo + 1:hi + 1] - ptr[lo:hi]
        a_to_b = _segment(_segment(s, 'max', bank_len, 1), 'mean', q_len, 0)
        b_to_a = _segment(_segment(s, 'max', q_len, 0), 'mean', bank_len, 1)
        out[lo:hi] = 0.5 * (a_to_b + b_to_a)
    return out


def _segment(t: Tensor, reduce: str, lengths: Tensor, axis: int) -> Tensor:
    """``reduce`` over consecutive segments of ``lengths`` along ``axis`` (0 or 1) of a
    2-D tensor (:func:`torch.segment_reduce`, about 3x faster on the CPU than a scatter
    with an index here, as the segments are contiguous). A maximum over segments of one
    length is a reshape and ``amax`` instead, about twice as fast and bitwise the same
    (a maximum does not depend on the order of its operands); means keep
    :func:`torch.segment_reduce`, whose summation order the results were made with."""
    if reduce == 'max' and lengths.numel() and bool((lengths == lengths[0]).all()):
        n = int(lengths[0])
        if axis == 1:
            return t.view(t.size(0), -1, n).amax(dim=2)
        return t.view(-1, n, t.size(1)).amax(dim=1)
    if axis == 1:
        lengths = lengths.expand(t.size(0), -1).contiguous()
    return torch.segment_reduce(t, reduce, lengths=lengths, axis=axis)


def hubness_radius(sim: Tensor, k: int, self_index: Optional[Tensor] = None) -> Tensor:
    r"""Mean similarity of every query bag to its :math:`k` most similar bank bags,
    :math:`r_A = \frac{1}{k}\sum_{B \in N_k(A)} s(A, B)` (CSLS, Conneau et al., 2018),
    leaving out the bank bag ``self_index[i]`` of query :math:`i` (``-1``: none).

    Shapes:
        - **input:** :math:`(B, M)`, :math:`(B)` *(optional)*; **output:** :math:`(B)`
    """
    sim = _exclude(sim, self_index)
    k = min(k, sim.size(1) - (self_index is not None and bool((self_index >= 0).any())))
    if k < 1:
        return sim.new_zeros(sim.size(0))
    return sim.topk(k, dim=1).values.mean(dim=1)


def _exclude(sim: Tensor, self_index: Optional[Tensor]) -> Tensor:
    if self_index is None:
        return sim
    rows = torch.nonzero(self_index >= 0).view(-1)
    if rows.numel() == 0:
        return sim
    sim = sim.clone()
    sim[rows, self_index[rows]] = -float('inf')
    return sim


def bag_knn_graph(
    x: Tensor,
    ptr: Tensor,
    bank_x: Tensor,
    bank_ptr: Tensor,
    k: int = 32,
    beta: float = 0.5,
    bank_radius: Optional[Tensor] = None,
    self_index: Optional[Tensor] = None,
    similarity: str = 'chamfer',
    block_elements: int = 1 << 24,
    sim: Optional[Tensor] = None,
) -> Tuple[Tensor, Tensor]:
    r"""The :math:`k` nearest bank bags of every query bag under the hubness-corrected
    similarity (CSLS)

    .. math::
        \tilde{s}(A, B) = 2\, s(A, B) - \beta\,(r_A + r_B),

    with :math:`s` from :func:`bag_similarity` and :math:`r` from :func:`hubness_radius`
    (:math:`r_B` of the bank bags against the bank, themselves left out: ``bank_radius``,
    computed here when not given). :math:`\beta = 0` ranks by :math:`s` alone (then
    :math:`\tilde{s} = 2 s`). Query :math:`i` never gets bank bag ``self_index[i]``
    (leave-one-out when the query bags are themselves in the bank; ``-1``: none).
    Query bags are processed in blocks, so memory is :math:`O(\text{block} \cdot M)`.

    Args:
        x, ptr, bank_x, bank_ptr, similarity, block_elements: as in
            :func:`bag_similarity`.
        k (int, optional): neighbours per query (at most the bank size, less one with
            ``self_index``). (default: :obj:`32`)
        beta (float, optional): hubness correction :math:`\beta`. (default: :obj:`0.5`)
        bank_radius (Tensor, optional): :math:`r_B` of the bank bags. (default: computed)
        self_index (Tensor, optional): the bank position of each query bag, ``-1`` if
            it is not in the bank. (default: :obj:`None`)
        sim (Tensor, optional): the similarities :math:`s` :math:`(B, M)` when already
            computed (e.g. of the bank with itself); then ``x`` is not read.
            (default: :obj:`None`)

    Returns:
        ``(index, sim)``: bank indices :math:`(B, k)` and corrected similarities
        :math:`\tilde{s}` :math:`(B, k)`, most similar first.
    """
    n_q, n_bank = ptr.numel() - 1, bank_ptr.numel() - 1
    if self_index is not None and self_index.numel() != n_q:
        raise ValueError(f"self_index: expected {n_q} entries, got {self_index.numel()}")
    loo = self_index is not None and bool((self_index >= 0).any())
    k = min(int(k), n_bank - int(loo))
    if k < 1:
        raise ValueError(f"bag_knn_graph: the bank has {n_bank} bag(s), too few for a "
                         f"neighbour{' besides the bag itself' if loo else ''}")
    if beta != 0 and bank_radius is None:
        bank_sim = bag_similarity(bank_x, bank_ptr, bank_x, bank_ptr, similarity,
                                  block_elements)
        bank_radius = hubness_radius(bank_sim, k, torch.arange(n_bank, device=x.device))
    index = torch.empty(n_q, k, dtype=torch.long, device=x.device)
    value = x.new_empty(n_q, k)
    per_bag = max(1, int(ptr[-1]) // max(1, n_q))
    step = max(1, block_elements // max(1, n_bank * per_bag))
    for lo in range(0, n_q, step):
        hi = min(n_q, lo + step)
        s = sim[lo:hi] if sim is not None else bag_similarity(
            x[ptr[lo]:ptr[hi]], ptr[lo:hi + 1] - ptr[lo], bank_x, bank_ptr, similarity,
            block_elements)
        si = None if self_index is None else self_index[lo:hi]
        s = 2 * _exclude(s, si)
        if beta != 0:
            s = s - beta * (hubness_radius(s / 2, k, None).unsqueeze(1)
                            + bank_radius.unsqueeze(0))
        value[lo:hi], index[lo:hi] = s.topk(k, dim=1)
    return index, value
