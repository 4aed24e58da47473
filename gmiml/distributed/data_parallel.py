r"""The pieces an estimator needs to train data-parallel with
:class:`~torch.nn.parallel.DistributedDataParallel`."""
from typing import Optional, Tuple

import torch
from torch import Tensor, nn

from .collectives import all_gather_rows
from .sync_batch_norm import SyncBatchNorm, convert_sync_batchnorm
from .sync_running_label_gram import convert_sync_label_gram, revert_sync_label_gram

__all__ = ['world', 'broadcast_seed', 'wrap_model', 'unwrap_model', 'gather_rows']


def world(required: bool = True) -> Tuple[int, int]:
    r"""``(rank, world_size)`` of the default process group; ``(0, 1)`` without one
    unless :obj:`required`, in which case a missing group is an error."""
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    if required:
        raise RuntimeError('distributed=True needs an initialised torch.distributed '
                           'process group: start the processes with torchrun and call '
                           'gmiml.distributed.init_from_env(), or use '
                           'gmiml.distributed.fit_distributed (see docs/distributed.md)')
    return 0, 1


def broadcast_seed(seed: Optional[int]) -> int:
    r"""The seed of process 0 in every process (a fresh random one when :obj:`seed` is
    :obj:`None`), so that all processes draw the same permutations."""
    import numpy as np
    import torch.distributed as dist
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0] >> 1)
    t = torch.tensor([int(seed)], dtype=torch.long)
    if dist.get_backend() == 'nccl':
        t = t.cuda()
    dist.broadcast(t, src=0)
    return int(t.item())


def wrap_model(model: nn.Module, device: Optional[torch.device] = None) -> nn.Module:
    r"""Prepares :obj:`model` (in place) for data-parallel training and returns the
    :class:`~torch.nn.parallel.DistributedDataParallel` module to train through:
    batch norms become :class:`~gmiml.distributed.SyncBatchNorm` (global-batch
    statistics), running label Gram matrices become
    :class:`~gmiml.distributed.SyncRunningLabelGram`, and DDP averages the gradients. Buffers are not re-broadcast at every
    step (``broadcast_buffers=False``): with synchronised statistics they stay equal in
    every process. Undo with :func:`unwrap_model`."""
    from torch.nn.parallel import DistributedDataParallel
    _convert_children(model, convert_sync_batchnorm)
    _convert_children(model, convert_sync_label_gram)
    import inspect
    dev = None if device is None or torch.device(device).type == 'cpu' else [device]
    # newer torch renames broadcast_buffers (and warns about the old name)
    if 'forward_sync_buffers' in inspect.signature(DistributedDataParallel).parameters:
        kw = {'forward_sync_buffers': False}
    else:
        kw = {'broadcast_buffers': False}
    return DistributedDataParallel(model, device_ids=dev, **kw)


def unwrap_model(model: nn.Module) -> nn.Module:
    r"""Reverts :func:`wrap_model` on the inner model (in place): plain
    :class:`torch.nn.BatchNorm1d` layers (same parameters and buffers) and plain
    :class:`~gmiml.nn.RunningLabelGram` statistics."""
    for name, child in list(model.named_children()):
        if isinstance(child, SyncBatchNorm):
            bn = nn.BatchNorm1d(child.num_features, child.eps, child.momentum,
                                child.affine, child.track_running_stats)
            if child.affine:
                bn.weight, bn.bias = child.weight, child.bias
            if child.track_running_stats:
                bn.running_mean = child.running_mean
                bn.running_var = child.running_var
                bn.num_batches_tracked = child.num_batches_tracked
            bn.train(child.training)
            setattr(model, name, bn)
        else:
            unwrap_model(child)
    _convert_children(model, revert_sync_label_gram)
    return model


def _convert_children(model: nn.Module, convert) -> None:
    for name, child in list(model.named_children()):
        conv = convert(child)
        if conv is not child:
            setattr(model, name, conv)


def gather_rows(*tensors: Optional[Tensor],
                sizes: Optional[list] = None) -> Tuple[Optional[Tensor], ...]:
    r"""Every tensor's rows of all processes, concatenated in rank order
    (:func:`~gmiml.distributed.all_gather_rows`, differentiable), in one collective
    for all of them; :obj:`None` entries stay :obj:`None`. Tensors must share their
    number of rows and be 2-D. ``sizes`` (keyword): the number of rows of every
    process, when known, which saves the collective that finds them out.

    A loss computed from the gathered rows is the loss of the *global* batch in every
    process; since the gradient of the gathered rows flows back summed over processes,
    DDP's gradient average then equals the single-process gradient of that loss.
    """
    present = [t for t in tensors if t is not None]
    if not present:
        return tensors
    widths = [t.size(1) for t in present]
    dtype = torch.promote_types(present[0].dtype, torch.float32)
    for t in present[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    packed = torch.cat([t.to(dtype) for t in present], dim=1)
    full = all_gather_rows(packed, sizes=sizes)
    out, start, it = [], 0, iter(zip(present, widths))
    for t in tensors:
        if t is None:
            out.append(None)
            continue
        src, w = next(it)
        out.append(full[:, start:start + w].to(src.dtype))
        start += w
    return tuple(out)

