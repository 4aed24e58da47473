r"""FLEM's network (Zhao et al., IJCAI 2022): a linear classifier and a label enhancer."""
from typing import Optional, Tuple

import torch
from torch import Tensor, nn

__all__ = ['FLEMNet']


class _FLEMBranch(nn.Module):
    r"""FLEM's residual branch
    :math:`\mathbf{h} = \mathrm{BN}(\mathrm{LeakyReLU}(\mathbf{W}\mathbf{x}))`,
    :math:`\mathbf{h} + \mathbf{W}'\mathbf{h}`."""
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.lin = nn.Linear(in_channels, out_channels)
        self.norm = nn.BatchNorm1d(out_channels)
        self.res = nn.Linear(out_channels, out_channels)

    def forward(self, x: Tensor) -> Tensor:
        h = self.norm(nn.functional.leaky_relu(self.lin(x)))
        return h + self.res(h)


class _FLEMEnhancer(nn.Module):
    r"""FLEM's label enhancer: branches on the features and on the labels, concatenated
    and decoded by a third branch to label logits."""
    def __init__(self, in_channels: int, num_labels: int, hidden_channels: int):
        super().__init__()
        self.feature = _FLEMBranch(in_channels, hidden_channels)
        self.label = _FLEMBranch(num_labels, hidden_channels)
        self.decoder = _FLEMBranch(2 * hidden_channels, num_labels)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        return self.decoder(torch.cat([self.feature(x), self.label(y)], dim=-1))


class FLEMNet(nn.Module):
    r"""FLEM's network (the MI-FLEM baseline, :class:`gmiml.baselines.MIFLEM`): a linear
    classifier and a label enhancer on detached inputs,

    .. math::
        \mathbf{s} = \mathbf{W}\mathbf{v} + \mathbf{b}, \qquad
        \mathbf{z} = \mathrm{Dec}\big([\mathrm{B}_x(\mathrm{sg}(\mathbf{v}));
        \mathrm{B}_y(\mathbf{y})]\big),

    where every branch :math:`\mathrm{B}` is
    :math:`\mathbf{h} = \mathrm{BN}(\mathrm{LeakyReLU}(\mathbf{W}\cdot))`,
    :math:`\mathbf{h} + \mathbf{W}'\mathbf{h}`. Weights are Kaiming-normal, biases zero
    (FLEM's initialisation).

    Args:
        in_channels (int): input size :math:`F`.
        num_labels (int): number of labels :math:`L`.
        hidden_channels (int, optional): the enhancer's hidden size. (default: :obj:`128`)

    Shapes:
        - **input:** features :math:`(B, F)`, labels :math:`(B, L)` (optional)
        - **output:** classifier logits :math:`(B, L)`, enhancer logits :math:`(B, L)`
          (:obj:`None` without labels)
    """
    def __init__(self, in_channels: int, num_labels: int, hidden_channels: int = 128):
        super().__init__()
        self.in_channels = in_channels
        self.num_labels = num_labels
        self.hidden_channels = hidden_channels
        self.classifier = nn.Linear(in_channels, num_labels)
        self.le = _FLEMEnhancer(in_channels, num_labels, hidden_channels)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Kaiming-normal weights and zero biases (batch norms: unit scale)."""
        for name, p in self.named_parameters():
            if name.endswith('weight') and p.dim() == 2:
                nn.init.kaiming_normal_(p)
            elif name.endswith('bias'):
                nn.init.zeros_(p)
        for m in self.modules():
            if isinstance(m, nn.BatchNorm1d):
                m.reset_running_stats()
                nn.init.ones_(m.weight)

    def forward(self, x: Tensor, y: Optional[Tensor] = None
                ) -> Tuple[Tensor, Optional[Tensor]]:
        s = self.classifier(x)
        z = None if y is None else self.le(x.detach(), y)
        return s, z

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.in_channels}, {self.num_labels}, '
                f'hidden_channels={self.hidden_channels})')
