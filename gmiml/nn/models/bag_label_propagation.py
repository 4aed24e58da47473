r"""Label propagation from a bank of training bags over a bag k-NN graph."""
import math
from typing import Optional, Tuple

import torch
from torch import Tensor, nn

from gmiml.utils.bag_knn_graph import bag_knn_graph, bag_similarity, hubness_radius

__all__ = ['BagLabelPropagation']

_BANK = ('bank_x', 'bank_ptr', 'bank_y', 'bank_radius', 'prior')


class BagLabelPropagation(nn.Module):
    r"""Label enhancement at bag level: every bag receives the labels of its most similar
    training bags (the *bank*), as evidence added to a classifier's logits.

    With :math:`N_k(i)` the :math:`k` nearest bank bags of bag :math:`i` under the
    hubness-corrected bag similarity :math:`\tilde{s}`
    (:func:`gmiml.utils.bag_knn_graph`), :math:`\mathbf{y}_j` their logical labels and
    :math:`\boldsymbol{\pi}` the bank's label frequencies,

    .. math::
        a_{ij} &= \mathrm{softmax}_{j \in N_k(i)}\big(\tilde{s}_{ij} / \tau\big), \qquad
        \mathbf{q}_i = (1 - \alpha) \textstyle\sum_{j} a_{ij}\,\mathbf{y}_j
            + \alpha\,\boldsymbol{\pi} \\
        \mathbf{e}_i &= w\,\big(\mathrm{logit}(\mathbf{q}_i)
            - \mathrm{logit}(\boldsymbol{\pi})\big)

    :math:`\mathbf{e}_i` is the log-odds the neighbours add to the base rate (0 when the
    neighbours' labels look like the base rate); the temperature :math:`\tau` and the
    weight :math:`w` are learnt with the classifier. A bag of the bank never counts as its
    own neighbour (leave-one-out, ``self_index``), so training sees the evidence that a
    new bag would get.

    The neighbour lists are computed once per data set (:meth:`neighbours`, fixed input
    similarities) and passed to :meth:`forward`, which costs one gather per mini-batch.
    The bank is at most ``max_bank`` bags, chosen by :meth:`select_bank`.

    Args:
        num_labels (int): number of labels :math:`L`.
        k (int, optional): neighbours per bag. (default: :obj:`32`)
        beta (float, optional): hubness correction of :math:`\tilde{s}`.
            (default: :obj:`0.5`)
        tau (float, optional): initial temperature. (default: :obj:`0.05`)
        alpha (float, optional): smoothing toward the base rate, in :math:`(0, 1]`.
            (default: :obj:`0.5`)
        weight (float, optional): initial :math:`w`. (default: :obj:`1.0`)
        similarity (str, optional): ``'chamfer'`` or ``'mean'``
            (:func:`gmiml.utils.bag_similarity`). (default: :obj:`'chamfer'`)
        max_bank (int, optional): most bags in the bank. (default: :obj:`2048`)

    Shapes:
        - **input:** neighbour indices :math:`(B, k)`, similarities :math:`(B, k)`
        - **output:** evidence :math:`(B, L)`
    """
    def __init__(self, num_labels: int, k: int = 32, beta: float = 0.5, tau: float = 0.05,
                 alpha: float = 0.5, weight: float = 1.0, similarity: str = 'chamfer',
                 max_bank: int = 2048):
        super().__init__()
        if not (isinstance(k, int) and k >= 1):
            raise ValueError(f"k: expected a positive integer, got {k!r}")
        if not (tau > 0 and 0 < alpha <= 1 and beta >= 0):
            raise ValueError(f"expected tau > 0, 0 < alpha <= 1, beta >= 0; got tau={tau!r}, "
                             f"alpha={alpha!r}, beta={beta!r}")
        if not (isinstance(max_bank, int) and max_bank >= 2):
            raise ValueError(f"max_bank: expected an integer >= 2, got {max_bank!r}")
        self.num_labels, self.k, self.beta, self.alpha = num_labels, k, float(beta), alpha
        self.tau0, self.weight0 = float(tau), float(weight)
        self.similarity, self.max_bank = similarity, max_bank
        self.log_tau = nn.Parameter(torch.empty(()))
        self.weight = nn.Parameter(torch.empty(()))
        for name in _BANK:
            self.register_buffer(name, torch.empty(0))
        self.reset_parameters()

    def reset_parameters(self):
        with torch.no_grad():
            self.log_tau.fill_(math.log(self.tau0))
            self.weight.fill_(self.weight0)

    # -- the bank ----------------------------------------------------------------------
    def select_bank(self, y: Tensor, generator: Optional[torch.Generator] = None) -> Tensor:
        r"""The training bags that form the bank: all of them when there are at most
        ``max_bank``; else one positive bag of every label (rarest label first, so that
        every label present in training has a bag in the bank) and a uniformly random
        draw of the others up to ``max_bank``. Returns sorted bag indices."""
        n = y.size(0)
        if n <= self.max_bank:
            return torch.arange(n)
        chosen = torch.zeros(n, dtype=torch.bool)
        perm = torch.randperm(n, generator=generator)
        yp = y[perm] > 0
        for lab in torch.argsort(yp.sum(0)).tolist():
            if int(chosen.sum()) >= self.max_bank:
                break
            pos = torch.nonzero(yp[:, lab]).view(-1)
            if pos.numel() and not bool(chosen[perm[pos]].any()):
                chosen[perm[pos[0]]] = True
        rest = perm[~chosen[perm]][:self.max_bank - int(chosen.sum())]
        chosen[rest] = True
        return torch.nonzero(chosen).view(-1)

    @torch.no_grad()
    def set_bank(self, x: Tensor, ptr: Tensor, y: Tensor) -> Tuple[Tensor, Tensor]:
        r"""Stores the bank: instances ``x`` with pointers ``ptr`` and labels ``y``
        :math:`(M, L)`; computes the bank's hubness radii and label frequencies. Returns
        the leave-one-out neighbours of the bank bags themselves (as :meth:`neighbours`
        with ``self_index = arange(M)``, from the bank similarities computed here)."""
        if y.size(0) != ptr.numel() - 1 or y.size(1) != self.num_labels:
            raise ValueError(f"set_bank: y has shape {tuple(y.shape)}, expected "
                             f"({ptr.numel() - 1}, {self.num_labels})")
        self.bank_x, self.bank_ptr, self.bank_y = x.float(), ptr.long(), y.float()
        n = y.size(0)
        eps = 0.5 / n
        self.prior = self.bank_y.mean(0).clamp(eps, 1 - eps)
        s = bag_similarity(self.bank_x, self.bank_ptr, self.bank_x, self.bank_ptr,
                           self.similarity)
        loo = torch.arange(n, device=x.device)
        self.bank_radius = (hubness_radius(s, self.k, loo) if self.beta != 0
                            else x.new_zeros(n))
        return bag_knn_graph(self.bank_x, self.bank_ptr, self.bank_x, self.bank_ptr,
                             k=self.k, beta=self.beta, bank_radius=self.bank_radius,
                             self_index=loo, similarity=self.similarity, sim=s)

    @torch.no_grad()
    def fit_bank(self, x: Tensor, ptr: Tensor, y: Tensor,
                 generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
        r"""Sets the bank from the training bags ``(x, ptr)`` with labels ``y``
        (:meth:`select_bank`, :meth:`set_bank`) and returns the training bags'
        leave-one-out neighbours :math:`(N, k)` (a bag outside a capped bank gets its
        neighbours in the bank)."""
        from gmiml.loader.bag_batcher import gather_bags
        keep = self.select_bank(y.cpu(), generator).to(x.device)
        nodes = gather_bags(ptr, keep)[0]
        bank_ptr = torch.cat([ptr.new_zeros(1), (ptr[keep + 1] - ptr[keep]).cumsum(0)])
        bank_nbrs = self.set_bank(x[nodes], bank_ptr, y.to(x.device)[keep])
        if keep.numel() == ptr.numel() - 1:  # every training bag is in the bank
            return bank_nbrs
        self_index = torch.full((ptr.numel() - 1, ), -1, dtype=torch.long, device=x.device)
        self_index[keep] = torch.arange(keep.numel(), device=x.device)
        return self.neighbours(x, ptr, self_index)

    @torch.no_grad()
    def neighbours(self, x: Tensor, ptr: Tensor,
                   self_index: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        r"""Neighbour indices and corrected similarities :math:`(B, k)` of the bags
        ``(x, ptr)`` in the bank (``self_index``: each bag's own bank position or -1)."""
        if self.bank_y.numel() == 0:
            raise RuntimeError("BagLabelPropagation: no bank; call set_bank first")
        return bag_knn_graph(x.float(), ptr, self.bank_x, self.bank_ptr, k=self.k,
                             beta=self.beta, bank_radius=self.bank_radius,
                             self_index=self_index, similarity=self.similarity)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        for name in _BANK:  # the bank's size is the data's: take it from the state
            if prefix + name in state_dict:
                setattr(self, name, torch.empty_like(state_dict[prefix + name]))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    # -- propagation -------------------------------------------------------------------
    def forward(self, index: Tensor, sim: Tensor) -> Tensor:
        a = torch.softmax(sim / self.log_tau.exp(), dim=-1)  # [B, k]
        p = torch.einsum('bk,bkl->bl', a, self.bank_y[index])
        q = (1 - self.alpha) * p + self.alpha * self.prior
        return self.weight * (torch.logit(q) - torch.logit(self.prior))

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.num_labels}, k={self.k}, '
                f'beta={self.beta}, tau={self.tau0}, alpha={self.alpha}, '
                f'similarity={self.similarity!r}, bank={self.bank_y.size(0)}, '
                f'max_bank={self.max_bank})')
