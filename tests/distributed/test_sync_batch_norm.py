import os
import sys

import pytest
import torch
from torch import nn

from gmiml.distributed import SyncBatchNorm, convert_sync_batchnorm, run_parallel

# the spawned processes import this module by name (tests.distributed....)
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(11, 4, generator=g) * 3 + 1
    target = torch.randn(11, 4, generator=g)
    return x, target


def _reference():
    x, target = _data()
    bn = nn.BatchNorm1d(4)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([1.0, 2.0, 0.5, -1.0]))
        bn.bias.copy_(torch.tensor([0.0, 0.1, -0.2, 0.3]))
    xr = x.clone().requires_grad_(True)
    loss = ((bn(xr) - target) ** 2).sum(1).mean()
    loss.backward()
    return dict(grad_w=bn.weight.grad, grad_b=bn.bias.grad, grad_x=xr.grad,
                running_mean=bn.running_mean, running_var=bn.running_var, loss=loss.detach())


def _rank_fn(rank, world_size):
    import torch.distributed as dist
    from gmiml.distributed import shard_batch
    x, target = _data()
    bn = nn.BatchNorm1d(4)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([1.0, 2.0, 0.5, -1.0]))
        bn.bias.copy_(torch.tensor([0.0, 0.1, -0.2, 0.3]))
    bn = convert_sync_batchnorm(bn)
    local, w = shard_batch(torch.arange(11).numpy(), rank, world_size)  # 6 / 5 rows
    idx = torch.from_numpy(local)
    xr = x.clone().requires_grad_(True)
    loss = ((bn(xr[idx]) - target[idx]) ** 2).sum(1).mean()
    (w * loss).backward()
    for p in bn.parameters():  # what DDP does: average the gradients
        dist.all_reduce(p.grad)
        p.grad /= world_size
    dist.all_reduce(xr.grad)  # x's rows are split over the ranks: sum the pieces
    xr.grad /= world_size
    return dict(grad_w=bn.weight.grad, grad_b=bn.bias.grad, grad_x=xr.grad,
                running_mean=bn.running_mean, running_var=bn.running_var)


def test_single_process_is_batch_norm():
    x, _ = _data()
    ref = nn.BatchNorm1d(4)
    sbn = convert_sync_batchnorm(nn.BatchNorm1d(4))
    assert isinstance(sbn, SyncBatchNorm)
    torch.testing.assert_close(sbn(x), ref(x))
    torch.testing.assert_close(sbn.running_var, ref.running_var)
    sbn.eval(), ref.eval()
    torch.testing.assert_close(sbn(x[:3]), ref(x[:3]))


def test_convert_keeps_parameters_and_nesting():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4, momentum=None),
                          nn.Sequential(nn.BatchNorm1d(4, eps=1e-3)))
    w = model[1].weight
    conv = convert_sync_batchnorm(model)
    assert isinstance(conv[1], SyncBatchNorm) and isinstance(conv[2][0], SyncBatchNorm)
    assert conv[1].weight is w and conv[1].momentum is None and conv[2][0].eps == 1e-3
    assert isinstance(conv[0], nn.Linear)
    with pytest.raises(ValueError, match='channels'):
        conv[1](torch.randn(2, 5))


def test_two_processes_match_global_batch():
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)
    ref = _reference()
    outs = run_parallel(_rank_fn, 2, backend='gloo')
    for out in outs:
        for key in ('grad_w', 'grad_b', 'grad_x', 'running_mean', 'running_var'):
            torch.testing.assert_close(out[key], ref[key], rtol=1e-5, atol=1e-6,
                                       msg=key)
