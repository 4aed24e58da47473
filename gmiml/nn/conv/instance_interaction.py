r"""The instance-interaction operator :math:`W(\mathbf{x})` of GLEMIML (Eqs. 2-3)."""
from typing import Tuple

import torch
from torch import Tensor

from torch_geometric.nn.conv import GraphConv
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.typing import OptTensor

__all__ = ['InstanceInteraction', 'sym_norm']


def sym_norm(edge_index: Tensor, edge_weight: OptTensor, num_nodes: int,
             dtype: torch.dtype = torch.float) -> Tuple[Tensor, Tensor]:
    r"""Symmetric normalisation of a weighted adjacency without self-loops,

    .. math::
        \hat{a}_{km} = \frac{a_{km}}{\sqrt{\deg(k)\,\deg(m)}}, \qquad
        \hat{\mathbf{A}} = \mathbf{D}^{-1/2} \mathbf{A} \mathbf{D}^{-1/2}
        = \mathbf{I} - \mathbf{L}_{sym},

    where :math:`\deg(k) = \sum_m a_{km}`; nodes without an edge have degree 0 and keep no
    entry (PyG's :func:`~torch_geometric.nn.conv.gcn_conv.gcn_norm` with
    ``add_self_loops=False``).

    Args:
        edge_index (Tensor): edges :math:`(2, |\mathcal{E}|)`.
        edge_weight (Tensor, optional): weights :math:`a_{km}` (default: all 1).
        num_nodes (int): number of nodes.
        dtype (torch.dtype, optional): dtype of the weights when none are given.

    Returns:
        ``(edge_index, normalised_weight)``.
    """
    if edge_weight is None:
        edge_weight = torch.ones(edge_index.size(1), dtype=dtype, device=edge_index.device)
    edge_index, weight = gcn_norm(edge_index, edge_weight, num_nodes, improved=False,
                                  add_self_loops=False)
    assert weight is not None  # gcn_norm keeps given weights (narrows the type for jit)
    return edge_index, weight


class InstanceInteraction(GraphConv):
    r"""The instance-interaction layer of GLEMIML (Su et al., "Graph based Label
    Enhancement for Multi-instance Multi-label learning", Eqs. 2-3): a graph convolution
    over the mutual-kNN heat-kernel graph of the instances of each bag,

    .. math::
        \mathbf{x}^{\prime}_k = \mathbf{W}_1 \mathbf{x}_k + \mathbf{W}_2
        \sum_{m \in \mathcal{N}(k)} \frac{a_{km}}{\sqrt{\deg(k)\deg(m)}} \mathbf{x}_m,
        \qquad a_{km} = \exp\!\Big(-\frac{\|\mathbf{x}_k - \mathbf{x}_m\|^2}
        {2\sigma^2}\Big),

    i.e. PyG's :class:`~torch_geometric.nn.conv.GraphConv` on the normalised weights,
    :math:`\mathbf{X}' = \mathbf{X}\mathbf{W}_1^\top + (\mathbf{I} - \mathbf{L}_{sym})
    \mathbf{X}\mathbf{W}_2^\top` with the symmetric normalised Laplacian
    :math:`\mathbf{L}_{sym}` of the bag graph (the paper's :math:`G`). The root term
    :math:`\mathbf{W}_1 \mathbf{x}_k` keeps instances without a mutual neighbour in play.
    The heat-kernel weights :math:`a_{km}` are the ``edge_weight`` input (see
    :func:`gmiml.utils.mutual_knn_graph`); ``docs/method.md`` explains how Eqs. 2-3 are read.

    Args:
        in_channels (int): size of each input instance embedding.
        out_channels (int): size of each output embedding.
        normalize (bool, optional): apply :math:`\mathbf{D}^{-1/2} \mathbf{A}
            \mathbf{D}^{-1/2}` to the edge weights; if :obj:`False` the raw weights are
            summed (GraphConv). (default: :obj:`True`)
        bias (bool, optional): learn an additive bias. (default: :obj:`True`)
        **kwargs (optional): arguments of :class:`torch_geometric.nn.conv.GraphConv`.

    Shapes:
        - **input:** instance features :math:`(|\mathcal{V}|, F_{in})`, edge indices
          :math:`(2, |\mathcal{E}|)`, edge weights :math:`(|\mathcal{E}|)` *(optional)*
        - **output:** instance features :math:`(|\mathcal{V}|, F_{out})`
    """
    def __init__(self, in_channels: int, out_channels: int, normalize: bool = True,
                 bias: bool = True, **kwargs):
        self.normalize = normalize
        kwargs.setdefault('aggr', 'add')
        super().__init__(in_channels, out_channels, bias=bias, **kwargs)

    def reset_parameters(self):
        # Glorot weights (GraphConv's own default is Kaiming-uniform)
        self.lin_rel.weight_initializer = 'glorot'
        self.lin_root.weight_initializer = 'glorot'
        super().reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: OptTensor = None) -> Tensor:
        if self.normalize:
            edge_index, edge_weight = sym_norm(edge_index, edge_weight, x.size(0), x.dtype)
        return super().forward(x, edge_index, edge_weight)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.in_channels}, {self.out_channels}, '
                f'normalize={self.normalize})')
