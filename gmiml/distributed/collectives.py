r"""Differentiable collectives for losses that couple the bags of a global batch."""
from typing import Optional

import torch
from torch import Tensor

__all__ = ['all_gather_rows', 'all_reduce_sum']


class _AllReduceSum(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, group):
        import torch.distributed as dist
        ctx.group = group
        out = x.clone(memory_format=torch.contiguous_format)
        dist.all_reduce(out, op=dist.ReduceOp.SUM, group=group)
        return out

    @staticmethod
    def backward(ctx, grad):
        import torch.distributed as dist
        grad = grad.clone(memory_format=torch.contiguous_format)
        dist.all_reduce(grad, op=dist.ReduceOp.SUM, group=ctx.group)
        return grad, None


def all_reduce_sum(x: Tensor, group=None) -> Tensor:
    r"""The sum of :obj:`x` over all processes, differentiable: the gradient that reaches
    each process's :obj:`x` is the sum over processes of the gradients with respect to
    their results (the backward pass is itself a sum all-reduce). Without a process
    group of more than one process it returns :obj:`x`.

    .. math::
        \mathbf{s} = \sum_{r=1}^{R} \mathbf{x}_r, \qquad
        \frac{\partial}{\partial \mathbf{x}_r} \sum_{r'=1}^{R} \mathcal{L}_{r'}
        = \sum_{r'=1}^{R} \frac{\partial \mathcal{L}_{r'}}{\partial \mathbf{s}}

    Args:
        x (Tensor): this process's tensor (the same shape in every process).
        group (optional): the process group (default: the default group).
    """
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()) or \
            dist.get_world_size(group) == 1:
        return x
    return _AllReduceSum.apply(x, group)


def all_gather_rows(x: Tensor, group=None, sizes: Optional[list] = None) -> Tensor:
    r"""Concatenates the rows of :obj:`x` of all processes in rank order (processes may
    hold different numbers of rows), differentiably: every process gets the same
    :math:`(\sum_r n_r, \ldots)` tensor, and the gradient that reaches process
    :math:`r`'s rows is the sum over processes of the gradients with respect to those
    rows. So a loss :math:`\mathcal{L}` computed identically by every process from the
    gathered rows and averaged by
    :class:`~torch.nn.parallel.DistributedDataParallel` receives exactly the gradient
    of a single process computing :math:`\mathcal{L}` on the whole batch.

    Implemented as one differentiable sum (:func:`all_reduce_sum`) of a zero-padded
    block matrix, so it works on every backend (gloo, nccl). Without a process group of
    more than one process it returns :obj:`x`.

    Args:
        x (Tensor): this process's rows :math:`(n_r, \ldots)`.
        group (optional): the process group (default: the default group).
        sizes (list of int, optional): :math:`n_r` of every process, if known (saves a
            collective).

    Shapes:
        - **input:** :math:`(n_r, *)`
        - **output:** :math:`(\sum_r n_r, *)`
    """
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()) or \
            dist.get_world_size(group) == 1:
        return x
    R = dist.get_world_size(group)
    rank = dist.get_rank(group)
    if sizes is None:
        n = torch.zeros(R, dtype=torch.long, device=x.device)
        n[rank] = x.size(0)
        dist.all_reduce(n, group=group)
        sizes = n.tolist()
    if sizes[rank] != x.size(0):
        raise ValueError(f'all_gather_rows: sizes[{rank}] = {sizes[rank]} but x has '
                         f'{x.size(0)} rows')
    start = sum(sizes[:rank])
    total = sum(sizes)
    pad_before = x.new_zeros((start,) + tuple(x.shape[1:]))
    pad_after = x.new_zeros((total - start - x.size(0),) + tuple(x.shape[1:]))
    return all_reduce_sum(torch.cat([pad_before, x, pad_after], dim=0), group)
