r"""The running label Gram matrix of the global batch in data-parallel training."""
import torch
from torch import Tensor, nn

from gmiml.nn.running_label_gram import RunningLabelGram

__all__ = ['SyncRunningLabelGram', 'convert_sync_label_gram', 'revert_sync_label_gram']


def _world_size() -> int:
    import torch.distributed as dist
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


class SyncRunningLabelGram(RunningLabelGram):
    r""":class:`gmiml.nn.RunningLabelGram` of the *global* batch: the per-process sums
    :math:`\mathbf{D}_r^\top\mathbf{D}_r` and batch sizes :math:`B_r` are summed over all
    processes (one all-reduce) before the update,

    .. math::
        \mathbf{D}^\top\mathbf{D} / B = \textstyle\sum_r \mathbf{D}_r^\top\mathbf{D}_r
        \big/ \sum_r B_r,

    so every process keeps the estimate a single process training on the whole batch
    would. Without an initialised process group (or with one process) it is the plain
    statistic.
    """
    def batch_gram(self, d: Tensor) -> Tensor:
        if _world_size() <= 1:
            return super().batch_gram(d)
        import torch.distributed as dist
        L = d.size(1)
        packed = torch.cat([(d.t() @ d).reshape(-1), d.new_full((1,), d.size(0))])
        dist.all_reduce(packed)  # one collective
        return packed[:L * L].view(L, L) / packed[L * L]


def _swap(module: nn.Module, src: type, dst: type) -> nn.Module:
    out = module
    if type(module) is src:
        out = dst(module.num_labels, module.momentum)
        out.gram = module.gram
        out.num_batches_tracked = module.num_batches_tracked
        out.train(module.training)
    for name, child in module.named_children():
        out.add_module(name, _swap(child, src, dst))
    return out


def convert_sync_label_gram(module: nn.Module) -> nn.Module:
    r"""Replaces every :class:`gmiml.nn.RunningLabelGram` of :obj:`module` (recursively)
    by a :class:`SyncRunningLabelGram` sharing its buffers; returns the converted module
    (the argument itself unless it is one)."""
    return _swap(module, RunningLabelGram, SyncRunningLabelGram)


def revert_sync_label_gram(module: nn.Module) -> nn.Module:
    r"""Undoes :func:`convert_sync_label_gram` (buffers shared)."""
    return _swap(module, SyncRunningLabelGram, RunningLabelGram)
