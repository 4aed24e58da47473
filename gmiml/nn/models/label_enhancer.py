r"""The label enhancer of GLEMIML (Eqs. 4-5)."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gmiml.nn.conv.label_graph_conv import LabelGraphConv, cosine_from_gram, label_knn_graph
from gmiml.nn.running_label_gram import RunningLabelGram

__all__ = ['LabelEnhancer']


class _ResidualBranch(nn.Module):
    r""":math:`\mathbf{h} = \mathrm{BN}(\mathrm{LeakyReLU}(\mathbf{W}\mathbf{x}))`,
    output :math:`\mathbf{h} + \mathbf{W}' \mathbf{h}` (FLEM's two-step branch)."""
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.lin = nn.Linear(in_channels, out_channels)
        self.norm = nn.BatchNorm1d(out_channels)
        self.res = nn.Linear(out_channels, out_channels)

    def reset_parameters(self):
        for lin in (self.lin, self.res):
            nn.init.kaiming_normal_(lin.weight)
            nn.init.zeros_(lin.bias)
        self.norm.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        h = self.norm(F.leaky_relu(self.lin(x)))
        return h + self.res(h)


class LabelEnhancer(nn.Module):
    r"""The label enhancer of GLEMIML (Su et al., "Graph based Label Enhancement for
    Multi-instance Multi-label learning", Eqs. 4-5): it recovers a label distribution per
    bag from the bag's pooled instance embedding, its pooled instance-interaction output
    and its logical labels, then refines it over the label-correlation graph,

    .. math::
        \mathbf{z} &= \mathrm{dec}\big(\omega_1(\bar{\sigma}(\mathbf{x}))
            + \omega_2(\overline{W}(\mathbf{x})) + \omega_3(\mathbf{y})\big) \\
        \mathbf{z}^* &= \mathbf{z} + T(\mathbf{z}), \qquad
        \mathbf{d} = \mathrm{softmax}(\mathbf{z}^*),

    where each :math:`\omega_i` and the decoder are FLEM-style residual branches
    (:math:`\mathbf{h} = \mathrm{BN}(\mathrm{LeakyReLU}(\mathbf{W}\cdot))`,
    :math:`\mathbf{h} + \mathbf{W}'\mathbf{h}`), the three branches are fused by a sum in the
    hidden space, and :math:`T` is a :class:`~gmiml.nn.conv.LabelGraphConv` with one
    channel (each label's logit) over the graph that joins every label to its
    ``label_k`` most related labels (:func:`~gmiml.nn.conv.label_knn_graph`). Label
    relatedness is the cosine similarity of the label columns of the enhancer's own
    distributions :math:`\mathrm{softmax}(\mathbf{z})`, kept as a running (exponential
    moving average) estimate of their Gram matrix :math:`\mathbf{D}^\top\mathbf{D}/B`
    (the :class:`~gmiml.nn.RunningLabelGram` ``running_gram``; ``label_gram`` is its
    matrix), updated without gradient in training mode; evaluation uses the stored
    estimate, so a bag's output does not depend on the rest of its batch.

    In data-parallel training :func:`gmiml.distributed.data_parallel.wrap_model` swaps in
    :class:`gmiml.distributed.SyncRunningLabelGram`, whose batch Gram matrix is that of
    the *global* batch, so every process keeps the same estimate as a single process
    training on the whole batch.

    Args:
        in_channels (int): size of the pooled instance embedding (input of
            :math:`\omega_1`).
        interaction_channels (int): size of the pooled interaction output (input of
            :math:`\omega_2`); 0 drops :math:`\omega_2` (no instance interaction).
        num_labels (int): number of labels :math:`L`.
        hidden_channels (int, optional): the fusion space. (default: :obj:`64`)
        label_k (int, optional): neighbours per label in :math:`T`; 0 drops :math:`T`.
            (default: :obj:`3`)
        momentum (float, optional): weight of a new batch in the running label Gram
            matrix. (default: :obj:`0.1`)

    Shapes:
        - **input:** ``x`` :math:`(B, F_x)`, ``w`` :math:`(B, F_w)` (or :obj:`None`),
          ``y`` :math:`(B, L)`
        - **output:** label-distribution logits :math:`\mathbf{z}^*` :math:`(B, L)`
    """
    def __init__(self, in_channels: int, interaction_channels: int, num_labels: int,
                 hidden_channels: int = 64, label_k: int = 3, momentum: float = 0.1):
        super().__init__()
        self.in_channels = in_channels
        self.interaction_channels = interaction_channels
        self.num_labels = num_labels
        self.hidden_channels = hidden_channels
        self.label_k = label_k
        self.momentum = momentum
        self.omega1 = _ResidualBranch(in_channels, hidden_channels)
        self.omega2 = (_ResidualBranch(interaction_channels, hidden_channels)
                       if interaction_channels > 0 else None)
        self.omega3 = _ResidualBranch(num_labels, hidden_channels)
        self.decoder = _ResidualBranch(hidden_channels, num_labels)
        self.label_conv = LabelGraphConv(1, 1) if label_k > 0 else None
        self.running_gram = RunningLabelGram(num_labels, momentum)
        self._graph_cache = None
        self.reset_parameters()

    def reset_parameters(self):
        for m in (self.omega1, self.omega2, self.omega3, self.decoder):
            if m is not None:
                m.reset_parameters()
        if self.label_conv is not None:
            self.label_conv.reset_parameters()
            # start T(D) near zero so the label graph is learned in, not imposed
            nn.init.zeros_(self.label_conv.lin_rel.weight)
            nn.init.zeros_(self.label_conv.lin_root.weight)
        self.running_gram.reset_parameters()

    @property
    def label_gram(self) -> Tensor:
        r"""The running label Gram matrix :math:`(L, L)`."""
        return self.running_gram.gram

    @property
    def num_batches_tracked(self) -> Tensor:
        return self.running_gram.num_batches_tracked

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # state dicts written before the statistic became a submodule
        for old, new in (('label_gram', 'running_gram.gram'),
                         ('num_batches_tracked', 'running_gram.num_batches_tracked')):
            if prefix + old in state_dict:
                state_dict[prefix + new] = state_dict.pop(prefix + old)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def label_graph(self):
        r"""The current label graph ``(edge_index, edge_weight)`` from ``label_gram``
        (all weights 0 before the first training batch). Outside training (and outside
        :func:`torch.compile`) it is computed once per state of ``label_gram`` and reused
        (the matrix only changes in training steps or when a state dict is loaded)."""
        gram = self.label_gram
        cache = not self.training and not torch.compiler.is_compiling()
        if cache:
            key = (gram.data_ptr(), gram._version)
            if self._graph_cache is not None and self._graph_cache[0] == key:
                return self._graph_cache[1]
        edge_index, edge_weight = label_knn_graph(cosine_from_gram(gram), self.label_k,
                                                 fixed_size=True)
        # no statistic yet: no label passes anything (no host sync to test it)
        graph = (edge_index, edge_weight * (self.num_batches_tracked > 0))
        self._graph_cache = (key, graph) if cache else None
        return graph

    def forward(self, x: Tensor, w: Optional[Tensor], y: Tensor) -> Tensor:
        h = self.omega1(x) + self.omega3(y.to(x.dtype))
        if self.omega2 is not None:
            if w is None:
                raise ValueError("LabelEnhancer: built with interaction_channels > 0, "
                                 "so the pooled interaction output w is required")
            h = h + self.omega2(w)
        z = self.decoder(h)
        if self.label_conv is None:
            return z
        self.running_gram(torch.softmax(z.detach(), dim=-1))  # updates in training
        edge_index, edge_weight = self.label_graph()
        return z + self.label_conv(z.unsqueeze(-1), edge_index, edge_weight).squeeze(-1)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.in_channels}, '
                f'interaction_channels={self.interaction_channels}, '
                f'num_labels={self.num_labels}, hidden_channels={self.hidden_channels}, '
                f'label_k={self.label_k})')
