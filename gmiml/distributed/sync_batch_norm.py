r"""Batch normalisation with statistics over all processes, on any device (gloo on CPU)."""
from typing import Optional

import torch
from torch import Tensor, nn

__all__ = ['SyncBatchNorm', 'convert_sync_batchnorm']


def _group_size(group) -> int:
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()):
        return 1
    return dist.get_world_size(group)


class SyncBatchNorm(nn.BatchNorm1d):
    r"""Batch normalisation (`Ioffe & Szegedy, 2015 <https://arxiv.org/abs/1502.03167>`_)
    whose training statistics are those of the *global* batch, i.e. of the union of the
    local batches of all processes of a data-parallel job:

    .. math::
        \mu = \frac{1}{n} \sum_{r} \sum_{i \in \mathcal{B}_r} x_i, \qquad
        \sigma^2 = \frac{1}{n} \sum_{r} \sum_{i \in \mathcal{B}_r} (x_i - \mu)^2, \qquad
        y_i = \gamma \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta,

    with :math:`n = \sum_r |\mathcal{B}_r|` (local batches may differ in size). The sums
    are one :func:`~gmiml.distributed.all_reduce_sum` of :math:`[\sum x, \sum x^2, n]`
    (accumulated in float64, :math:`\sigma^2 = E[x^2] - \mu^2`), which is
    differentiable (its backward all-reduces the gradient), so the gradient is that of
    the global batch. Unlike :class:`torch.nn.SyncBatchNorm` (CUDA/XPU only) this works
    on the CPU with the gloo backend, at the price of one small all-reduce forward and
    one backward per call.

    Outside training, without an initialised process group, or with a single process it
    is exactly :class:`torch.nn.BatchNorm1d`; running statistics are updated as there
    (momentum, unbiased variance) with the global statistics, so they stay identical in
    every process. Use :func:`convert_sync_batchnorm` to swap the layers of a model.

    Args:
        num_features (int): :math:`C`.
        eps (float, optional): :math:`\epsilon`. (default: :obj:`1e-5`)
        momentum (float, optional): running-statistics momentum (:obj:`None`: cumulative
            average). (default: :obj:`0.1`)
        affine (bool, optional): learn :math:`\gamma, \beta`. (default: :obj:`True`)
        track_running_stats (bool, optional): keep running statistics.
            (default: :obj:`True`)
        process_group (optional): the group to synchronise over (default: the default
            group).

    Shapes:
        - **input:** :math:`(B, C)` or :math:`(B, C, L)`
        - **output:** same as the input
    """
    def __init__(self, num_features: int, eps: float = 1e-5, momentum: Optional[float] = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats,
                         device=device, dtype=dtype)
        self.process_group = process_group

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        if not self.training or _group_size(self.process_group) == 1:
            return super().forward(input)
        from .collectives import all_reduce_sum

        C = self.num_features
        dims = [0] + list(range(2, input.dim()))
        shape = [1, C] + [1] * (input.dim() - 2)
        local_n = input.numel() // C
        # one collective for both moments: [sum x | sum x^2 | n], accumulated in float64
        # so that E[x^2] - E[x]^2 does not cancel catastrophically
        x64 = input.double()
        s = torch.cat([x64.sum(dims), (x64 * x64).sum(dims),
                       x64.new_full((1,), float(local_n))])
        s = all_reduce_sum(s, self.process_group)
        n = s[2 * C]
        mean64 = s[:C] / n
        var = (s[C:2 * C] / n - mean64 * mean64).clamp_min(0).to(input.dtype)
        mean = mean64.to(input.dtype)
        centred = input - mean.view(shape)
        out = centred * torch.rsqrt(var + self.eps).view(shape)
        if self.affine:
            out = out * self.weight.view(shape) + self.bias.view(shape)

        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                if self.momentum is None:
                    m = 1.0 / float(self.num_batches_tracked)
                else:
                    m = self.momentum
                # no host sync: the count stays a tensor
                unbiased = var.detach() * (n / (n - 1).clamp_min(1)).to(var.dtype)
                self.running_mean.mul_(1 - m).add_(mean.detach(), alpha=m)
                self.running_var.mul_(1 - m).add_(unbiased, alpha=m)
        return out

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() not in (2, 3):
            raise ValueError(f'SyncBatchNorm: expected a 2-D or 3-D input, got '
                             f'{input.dim()}-D')
        if input.size(1) != self.num_features:
            raise ValueError(f'SyncBatchNorm: expected {self.num_features} channels, got '
                             f'{input.size(1)}')


def convert_sync_batchnorm(module: nn.Module, process_group=None) -> nn.Module:
    r"""Replaces every :class:`torch.nn.BatchNorm1d` of :obj:`module` (recursively) by a
    :class:`SyncBatchNorm` with the same parameters, buffers and settings; returns the
    converted module (the argument itself when it is not a batch norm).

    Args:
        module (torch.nn.Module): the model.
        process_group (optional): the group to synchronise over (default: the default
            group).
    """
    out = module
    if isinstance(module, nn.BatchNorm1d) and not isinstance(module, SyncBatchNorm):
        out = SyncBatchNorm(module.num_features, module.eps, module.momentum,
                            module.affine, module.track_running_stats, process_group)
        if module.affine:
            out.weight = module.weight
            out.bias = module.bias
        if module.track_running_stats:
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
        out.train(module.training)
    for name, child in module.named_children():
        out.add_module(name, convert_sync_batchnorm(child, process_group))
    return out
