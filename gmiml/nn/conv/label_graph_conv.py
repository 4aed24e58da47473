r"""The label-correlation operator :math:`T(\mathbf{D})` of GLEMIML (Eq. 5)."""
from typing import Tuple

import torch
from torch import Tensor

from torch_geometric.nn.conv import GraphConv
from torch_geometric.typing import OptTensor

from .instance_interaction import sym_norm

__all__ = ['LabelGraphConv', 'label_knn_graph', 'cosine_from_gram']


def cosine_from_gram(gram: Tensor, eps: float = 1e-12) -> Tensor:
    r"""Cosine similarities of the columns of a matrix :math:`\mathbf{D}` from its Gram
    matrix :math:`\mathbf{G} = \mathbf{D}^\top \mathbf{D}`:
    :math:`c_{uv} = G_{uv} / \sqrt{G_{uu} G_{vv}}` (0 where a column is all zero).

    Shapes:
        - **gram:** :math:`(L, L)`; **output:** :math:`(L, L)`
    """
    d = gram.diagonal().clamp_min(0).sqrt()
    inv = torch.where(d > eps, 1.0 / d.clamp_min(eps), torch.zeros_like(d))
    return gram * inv.view(-1, 1) * inv.view(1, -1)


def label_knn_graph(similarity: Tensor, k: int,
                    fixed_size: bool = False) -> Tuple[Tensor, Tensor]:
    r"""The label graph of :math:`T(\mathbf{D})`: each label is joined to its :math:`k` most
    similar other labels; the graph is made undirected (union of the kNN relations) and
    weighted by the similarity clipped at 0, so dissimilar labels pass nothing.

    .. math::
        \mathcal{E} = \{(u, v) : v \in \mathrm{kNN}(u) \lor u \in \mathrm{kNN}(v)\},
        \qquad w_{uv} = \max(s_{uv}, 0).

    Ties are broken by :func:`torch.topk` (deterministic on CPU).

    Args:
        similarity (Tensor): symmetric label similarities, e.g. :func:`cosine_from_gram`.
        k (int): number of neighbours per label (clipped to :math:`L - 1`).
        fixed_size (bool, optional): return all :math:`2Lk` directed kNN pairs (sorted,
            a pair found twice weighted 0 after its first copy) instead of the unique
            edges: the same propagation, but shapes that do not depend on the data, as
            :func:`torch.compile` with ``fullgraph=True`` needs. (default: :obj:`False`)

    Shapes:
        - **similarity:** :math:`(L, L)`
        - **output:** ``edge_index`` :math:`(2, |\mathcal{E}|)`, ``edge_weight``
          :math:`(|\mathcal{E}|)`
    """
    if similarity.dim() != 2 or similarity.size(0) != similarity.size(1):
        raise ValueError(f"similarity: expected a square [L, L] matrix, got "
                         f"{tuple(similarity.shape)}")
    num_labels = similarity.size(0)
    k = min(int(k), num_labels - 1)
    device = similarity.device
    if k <= 0:
        return (torch.empty(2, 0, dtype=torch.long, device=device),
                torch.empty(0, dtype=similarity.dtype, device=device))
    sim = similarity.detach().clone()
    sim.fill_diagonal_(-float('inf'))
    nbr = sim.topk(k, dim=1).indices  # [L, k]
    del sim
    # union of u -> v and v -> u on the L * k pairs only (no dense L x L mask): sorted
    # unique keys u * L + v give the coalesced (row-major) order
    u = torch.arange(num_labels, device=device).repeat_interleave(k)
    v = nbr.reshape(-1)
    key = torch.cat([u * num_labels + v, v * num_labels + u])
    if fixed_size:
        key = key.sort().values
        dup = torch.cat([key.new_zeros(1, dtype=torch.bool), key[1:] == key[:-1]])
    else:
        key = torch.unique(key)
    edge_index = torch.stack([key // num_labels, key % num_labels])
    weight = similarity.detach()[edge_index[0], edge_index[1]].clamp_min(0)
    if fixed_size:
        weight = weight.masked_fill(dup, 0.0)
    return edge_index, weight


class LabelGraphConv(GraphConv):
    r"""The label-correlation layer :math:`T(\mathbf{D})` of GLEMIML (Su et al., "Graph
    based Label Enhancement for Multi-instance Multi-label learning", Eq. 5): message
    passing over a graph whose nodes are *labels* (see :func:`label_knn_graph`), applied
    to every bag of a batch at once,

    .. math::
        \mathbf{d}^{\prime}_{b,u} = \mathbf{W}_1 \mathbf{d}_{b,u} + \mathbf{W}_2
        \sum_{v \in \mathcal{N}(u)} \frac{w_{uv}}{\sqrt{\deg(u)\deg(v)}} \mathbf{d}_{b,v},

    where :math:`\mathbf{d}_{b,u}` is the feature vector of label :math:`u` in bag
    :math:`b` (with one channel: the label's logit). The node dimension is the second
    last, so the input is :math:`(B, L, C)`; the propagation runs once on the
    nodes-first view :math:`(L, B \cdot C)`. It is PyG's
    :class:`~torch_geometric.nn.conv.GraphConv` (same weights and messages) on the
    normalised weights, with this batched forward.

    Args:
        in_channels (int): channels per label node.
        out_channels (int): output channels per label node.
        normalize (bool, optional): symmetric normalisation of the edge weights.
            (default: :obj:`True`)
        bias (bool, optional): learn an additive bias. (default: :obj:`True`)

    Shapes:
        - **input:** label features :math:`(B, L, C_{in})` or :math:`(L, C_{in})`, edge
          indices :math:`(2, |\mathcal{E}|)`, edge weights :math:`(|\mathcal{E}|)`
          *(optional)*
        - **output:** :math:`(B, L, C_{out})` or :math:`(L, C_{out})`
    """
    def __init__(self, in_channels: int, out_channels: int, normalize: bool = True,
                 bias: bool = True, **kwargs):
        self.normalize = normalize
        kwargs.setdefault('aggr', 'add')
        super().__init__(in_channels, out_channels, bias=bias, **kwargs)

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: OptTensor = None) -> Tensor:
        num_labels = x.size(-2)
        if self.normalize:
            edge_index, edge_weight = sym_norm(edge_index, edge_weight, num_labels, x.dtype)
        # GraphConv.forward would apply its linear maps to [L, B * C]: propagation is
        # linear in the features, so run it (GraphConv's message) on the nodes-first view
        # [L, B * C] (a scatter over the leading dimension is much faster) and apply the
        # maps to the channels afterwards
        xt = x.movedim(-2, 0)
        flat = xt.reshape(num_labels, -1)
        out = self.propagate(edge_index, x=flat, edge_weight=edge_weight,
                             size=(num_labels, num_labels))
        out = out.view(xt.shape).movedim(0, -2)
        return self.lin_rel(out) + self.lin_root(x)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.in_channels}, {self.out_channels}, '
                f'normalize={self.normalize})')
