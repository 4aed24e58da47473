r"""GLEMIML as a PyTorch Geometric model."""
from typing import List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from torch_geometric.nn import MLP
from torch_geometric.nn.aggr import Aggregation, MultiAggregation
from torch_geometric.nn.resolver import aggregation_resolver
from torch_geometric.typing import OptTensor

from gmiml.nn.conv.instance_interaction import InstanceInteraction
from gmiml.nn.models.label_enhancer import LabelEnhancer

__all__ = ['GLEMIMLNet']

_GRAPHS = ('input', 'embedding')


def _make_pool(pool: Union[str, List[str]]) -> Tuple[Aggregation, int]:
    if isinstance(pool, str) and '+' in pool:
        pool = pool.split('+')
    if isinstance(pool, (list, tuple)):
        return MultiAggregation(list(pool), mode='cat'), len(pool)
    return aggregation_resolver(pool), 1


class GLEMIMLNet(nn.Module):
    r"""GLEMIML, the graph label-enhancement network for multi-instance multi-label
    learning (Su et al., "Graph based Label Enhancement for Multi-instance Multi-label
    learning"), on PyG mini-batches of bags (instances are nodes, ``batch`` maps each
    instance to its bag; bags of any size, no padding).

    .. math::
        \mathbf{h}_k &= \sigma(\mathbf{x}_k) \quad \text{(Eq. 1, shared instance
            projection)} \\
        \mathbf{g}_k &= \mathrm{LeakyReLU}\Big(\mathbf{W}_1\mathbf{h}_k + \mathbf{W}_2
            \textstyle\sum_{m} \hat{a}_{km} \mathbf{h}_m\Big)
            \quad \text{(Eqs. 2-3, } W(\mathbf{x})\text{)} \\
        \bar{\mathbf{h}}_i &= \mathrm{pool}_{k \in i}\,\mathbf{h}_k, \qquad
            \bar{\mathbf{g}}_i = \mathrm{pool}_{k \in i}\,\mathbf{g}_k \\
        \mathbf{s}_i &= \mathrm{MLP}(\bar{\mathbf{g}}_i) \quad \text{(classifier logits)} \\
        \mathbf{z}^*_i &= \mathrm{LE}\big(\mathrm{sg}(\bar{\mathbf{h}}_i),
            \mathrm{sg}(\bar{\mathbf{g}}_i), \mathbf{y}_i\big)
            \quad \text{(Eqs. 4-5, } \mathrm{sg} = \text{stop-gradient)}

    :math:`\sigma` is ``Linear -> LeakyReLU`` (dropout in training), :math:`W` is
    :class:`~gmiml.nn.conv.InstanceInteraction` over the bag's mutual-kNN heat-kernel
    graph, the classifier is an :class:`~torch_geometric.nn.models.MLP` of
    ``classifier_layers`` linear layers on the bag representation
    :math:`\bar{\mathbf{g}}_i` (the pooled interaction output, which keeps each
    instance's own embedding through the root term; :math:`\bar{\mathbf{h}}_i` when
    ``interaction=False``), and the label
    enhancer is :class:`~gmiml.nn.models.LabelEnhancer` on the *detached* pooled features
    (as FLEM feeds its enhancer detached features), so the enhancer is trained by its own
    loss only. With ``share_encoder=False`` the enhancer gets its own :math:`\sigma` and
    :math:`W` instead (trained by the enhancer's loss).

    Args:
        in_channels (int): instance feature size :math:`d`.
        num_labels (int): number of labels :math:`L`.
        hidden_channels (int, optional): size of :math:`\sigma(\mathbf{x})` and
            :math:`W(\mathbf{x})`, and of the classifier's hidden layers.
            (default: :obj:`64`)
        classifier_layers (int, optional): number of linear layers of the classifier:
            1 (GLEMIML-A), 2 (the paper's default), 3 (GLEMIML-B). (default: :obj:`2`)
        interaction (bool, optional): use :math:`W(\mathbf{x})`; :obj:`False` is
            GLEMIML-C (no instance interaction). (default: :obj:`True`)
        enhancement (bool, optional): build the label enhancer; :obj:`False` leaves the
            classifier alone. (default: :obj:`True`)
        graph (str, optional): where the instance graph comes from: ``'input'`` uses the
            ``edge_index`` / ``edge_weight`` passed to :meth:`forward` (built once on the
            input features); ``'embedding'`` rebuilds the mutual-kNN graph on
            :math:`\sigma(\mathbf{x})` (detached) in every forward pass with
            :func:`gmiml.utils.mutual_knn_graph` and ignores ``edge_index``.
            (default: :obj:`'input'`)
        k (int, optional): neighbours of the mutual-kNN graph when ``graph='embedding'``.
            (default: :obj:`3`)
        pool (str or list, optional): bag pooling, a PyG aggregation name (``'mean'``,
            ``'max'``, ``'sum'``) or several (``'mean+max'``, concatenated).
            (default: :obj:`'mean'`)
        label_k (int, optional): neighbours per label of the enhancer's label graph
            :math:`T(\mathbf{D})`; 0 drops :math:`T`. (default: :obj:`3`)
        enhancer_channels (int, optional): fusion space of the enhancer.
            (default: :obj:`64`)
        dropout (float, optional): dropout on the instance embeddings
            :math:`\sigma(\mathbf{x})`, on the pooled :math:`W(\mathbf{x})` and between
            the classifier's layers.
            (default: :obj:`0.2`)
        share_encoder (bool, optional): the enhancer reads the classifier's (detached)
            :math:`\sigma` and :math:`W`; :obj:`False` gives it its own.
            (default: :obj:`True`)
        bag_propagation (BagLabelPropagation, optional): label propagation from
            training bags (:class:`~gmiml.nn.models.BagLabelPropagation`); its evidence
            is added to the classifier logits when :meth:`forward` gets the neighbour
            lists ``nbr_index`` / ``nbr_sim``. (default: :obj:`None`)

    Shapes:
        - **input:** instance features :math:`(N, d)`, edge indices :math:`(2, E)`,
          edge weights :math:`(E)` *(optional)*, batch vector :math:`(N)` *(optional)*,
          logical labels :math:`(B, L)` *(optional)*
        - **output:** classifier logits :math:`(B, L)`; when ``y`` is given, the tuple
          ``(logits, dist_logits)`` where ``dist_logits`` :math:`(B, L)` are the
          enhancer's label-distribution logits (softmax over labels gives the
          distribution; :obj:`None` when ``enhancement=False``)
    """
    def __init__(
        self,
        in_channels: int,
        num_labels: int,
        hidden_channels: int = 64,
        classifier_layers: int = 2,
        interaction: bool = True,
        enhancement: bool = True,
        graph: str = 'input',
        k: int = 3,
        pool: Union[str, List[str]] = 'mean',
        label_k: int = 3,
        enhancer_channels: int = 64,
        dropout: float = 0.2,
        share_encoder: bool = True,
        bag_propagation: Optional[nn.Module] = None,
    ):
        super().__init__()
        if classifier_layers not in (1, 2, 3):
            raise ValueError(f"classifier_layers: expected 1, 2 or 3, got {classifier_layers}")
        if graph not in _GRAPHS:
            raise ValueError(f"graph: expected one of {_GRAPHS}, got {graph!r}")
        self.in_channels = in_channels
        self.num_labels = num_labels
        self.hidden_channels = hidden_channels
        self.classifier_layers = classifier_layers
        self.interaction = interaction
        self.enhancement = enhancement
        self.graph = graph
        self.k = k
        self.pool_name = pool
        self.label_k = label_k
        self.enhancer_channels = enhancer_channels
        self.dropout = float(dropout)
        self.share_encoder = share_encoder

        self.encoder = nn.Linear(in_channels, hidden_channels)
        self.conv = (InstanceInteraction(hidden_channels, hidden_channels)
                     if interaction else None)
        self.pool, n_aggr = _make_pool(pool)
        pooled = hidden_channels * n_aggr
        channels = [pooled] + [hidden_channels] * (classifier_layers - 1) + [num_labels]
        self.classifier = MLP(channels, dropout=float(dropout), act='leaky_relu', norm=None)
        self.enhancer_encoder = None
        self.enhancer_conv = None
        self.enhancer = None
        if enhancement:
            if not share_encoder:
                self.enhancer_encoder = nn.Linear(in_channels, hidden_channels)
                self.enhancer_conv = (InstanceInteraction(hidden_channels, hidden_channels)
                                      if interaction else None)
            self.enhancer = LabelEnhancer(pooled, pooled if interaction else 0, num_labels,
                                          enhancer_channels, label_k)
        self.reset_parameters()
        # added after the initialisation above, so that the other weights are drawn
        # exactly as without it
        self.bag_propagation = bag_propagation

    def reset_parameters(self):
        for lin in (self.encoder, self.enhancer_encoder):
            if lin is not None:
                lin.reset_parameters()
        for m in (self.conv, self.enhancer_conv, self.classifier, self.enhancer):
            if m is not None:
                m.reset_parameters()
        self.pool.reset_parameters()
        if getattr(self, 'bag_propagation', None) is not None:
            self.bag_propagation.reset_parameters()

    # -- pieces ------------------------------------------------------------------------
    def _instance_graph(self, h: Tensor, edge_index: OptTensor, edge_weight: OptTensor,
                        batch: Tensor) -> Tuple[Tensor, OptTensor]:
        if self.graph == 'embedding':
            from gmiml.utils.mutual_knn_graph import mutual_knn_graph
            return mutual_knn_graph(h.detach(), k=self.k, batch=batch)
        if edge_index is None:
            raise ValueError("GLEMIMLNet(graph='input') needs edge_index (build it with "
                             "gmiml.utils.mutual_knn_graph on the instance features)")
        return edge_index, edge_weight

    def _encode(self, encoder: nn.Linear, conv: Optional[InstanceInteraction], x: Tensor,
                edge_index: OptTensor, edge_weight: OptTensor, batch: Tensor,
                num_bags: int, graph=None):
        h = F.leaky_relu(encoder(x))
        h = F.dropout(h, p=self.dropout, training=self.training)
        hb = self.pool(h, batch, dim_size=num_bags)
        if conv is None:
            return hb, None, graph
        if graph is None:
            graph = self._instance_graph(h, edge_index, edge_weight, batch)
        g = F.leaky_relu(conv(h, graph[0], graph[1]))
        gb = F.dropout(self.pool(g, batch, dim_size=num_bags), p=self.dropout,
                       training=self.training)
        return hb, gb, graph

    def forward(self, x: Tensor, edge_index: OptTensor = None, edge_weight: OptTensor = None,
                batch: OptTensor = None, y: OptTensor = None,
                num_bags: Optional[int] = None, nbr_index: OptTensor = None,
                nbr_sim: OptTensor = None, propagate: bool = True):
        r"""Classifier logits, plus the enhancer's label-distribution logits when ``y``
        is given (see the class docstring). ``num_bags`` is the number of bags
        :math:`B` (default: ``y.size(0)`` if given, else ``batch.max() + 1``);
        ``nbr_index`` / ``nbr_sim`` :math:`(B, k)` are the bags' neighbours in the bank
        of ``bag_propagation``; ``propagate=False`` leaves its evidence out (the
        network's own prediction)."""
        if batch is None:
            batch = x.new_zeros(x.size(0), dtype=torch.long)
        if num_bags is None:
            num_bags = y.size(0) if y is not None else (
                int(batch.max()) + 1 if batch.numel() else 0)
        hb, gb, graph = self._encode(self.encoder, self.conv, x, edge_index, edge_weight,
                                     batch, num_bags)
        logits = self.classifier(hb if gb is None else gb)
        if self.bag_propagation is not None and propagate:
            if nbr_index is None:
                raise ValueError("GLEMIMLNet with bag_propagation needs nbr_index and "
                                 "nbr_sim (BagLabelPropagation.neighbours)")
            logits = logits + self.bag_propagation(nbr_index, nbr_sim)
        if y is None:
            return logits
        if self.enhancer is None:
            return logits, None
        if self.share_encoder:
            he, ge = hb.detach(), (None if gb is None else gb.detach())
        else:
            he, ge, _ = self._encode(self.enhancer_encoder, self.enhancer_conv, x,
                                     edge_index, edge_weight, batch, num_bags,
                                     graph=graph)
        return logits, self.enhancer(he, ge, y)

    @torch.no_grad()
    def label_distribution(self, x: Tensor, edge_index: OptTensor = None,
                           edge_weight: OptTensor = None, batch: OptTensor = None,
                           y: OptTensor = None, num_bags: Optional[int] = None,
                           nbr_index: OptTensor = None, nbr_sim: OptTensor = None) -> Tensor:
        r"""The recovered label distributions :math:`\mathrm{softmax}(\mathbf{z}^*)`
        :math:`(B, L)` (rows sum to 1)."""
        if y is None or self.enhancer is None:
            raise ValueError("label_distribution needs the logical labels y and a model "
                             "built with enhancement=True")
        _, z = self.forward(x, edge_index, edge_weight, batch, y, num_bags, nbr_index,
                            nbr_sim)
        return torch.softmax(z, dim=-1)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.in_channels}, {self.num_labels}, '
                f'hidden_channels={self.hidden_channels}, '
                f'classifier_layers={self.classifier_layers}, '
                f'interaction={self.interaction}, enhancement={self.enhancement}, '
                f'graph={self.graph!r}, k={self.k}, pool={self.pool_name!r}, '
                f'label_k={self.label_k}, dropout={self.dropout}, '
                f'share_encoder={self.share_encoder}, '
                f'bag_propagation={self.bag_propagation!r})')
