r"""A running estimate of the label Gram matrix of a model's distributions."""
import torch
from torch import Tensor, nn

__all__ = ['RunningLabelGram']


class RunningLabelGram(nn.Module):
    r"""A running (exponential moving average) estimate of the Gram matrix of the
    label distributions :math:`\mathbf{D} \in [0, 1]^{B \times L}` of the training batches,

    .. math::
        \mathbf{G}_0 = \mathbf{D}_0^\top \mathbf{D}_0 / B_0, \qquad
        \mathbf{G}_t = (1 - m)\,\mathbf{G}_{t-1} + m\,\mathbf{D}_t^\top\mathbf{D}_t / B_t,

    updated without gradient by :meth:`forward` in training mode (evaluation returns the
    stored estimate). The batch statistic is :meth:`batch_gram`; the data-parallel
    :class:`gmiml.distributed.SyncRunningLabelGram` overrides it with the global batch's
    (swapped in by :func:`gmiml.distributed.convert_sync_label_gram`, as
    :func:`~gmiml.distributed.convert_sync_batchnorm` does for batch norms).

    The update has no host synchronisation (the first batch is selected with
    :func:`torch.where`), so a model that holds it compiles with ``fullgraph=True``.

    Args:
        num_labels (int): number of labels :math:`L`.
        momentum (float, optional): weight :math:`m` of a new batch. (default: :obj:`0.1`)

    Shapes:
        - **input:** distributions :math:`(B, L)`
        - **output:** the estimate :math:`(L, L)` (buffer ``gram``)
    """
    def __init__(self, num_labels: int, momentum: float = 0.1):
        super().__init__()
        self.num_labels = num_labels
        self.momentum = momentum
        self.register_buffer('gram', torch.zeros(num_labels, num_labels))
        self.register_buffer('num_batches_tracked', torch.zeros((), dtype=torch.long))

    def reset_parameters(self):
        self.gram.zero_()
        self.num_batches_tracked.zero_()

    def batch_gram(self, d: Tensor) -> Tensor:
        r""":math:`\mathbf{D}^\top\mathbf{D} / B` of one batch."""
        return d.t() @ d / d.size(0)

    @torch.no_grad()
    def forward(self, d: Tensor) -> Tensor:
        if self.training:
            batch = self.batch_gram(d.detach())
            ema = self.gram.mul(1 - self.momentum).add_(batch, alpha=self.momentum)
            self.gram.copy_(torch.where(self.num_batches_tracked == 0, batch, ema))
            self.num_batches_tracked.add_(1)
        return self.gram

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}({self.num_labels}, '
                f'momentum={self.momentum})')
