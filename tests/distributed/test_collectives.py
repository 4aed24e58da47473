import os
import sys

import torch

from gmiml.distributed import all_gather_rows, all_reduce_sum, run_parallel, shard_batch

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _data():
    g = torch.Generator().manual_seed(1)
    return torch.randn(7, 3, generator=g), torch.randn(3, 3, generator=g)


def _pairwise_loss(z):
    zn = z / z.norm(dim=1, keepdim=True)
    return ((zn @ zn.t()) ** 2).mean()


def _rank_fn(rank, world_size):
    import torch.distributed as dist
    x, w0 = _data()
    w = w0.clone().requires_grad_(True)
    local, _ = shard_batch(torch.arange(7).numpy(), rank, world_size)  # 4 / 3 rows
    z = x[torch.from_numpy(local)] @ w
    zg = all_gather_rows(z)
    loss = _pairwise_loss(zg)  # the same global loss in every process
    loss.backward()
    dist.all_reduce(w.grad)
    w.grad /= world_size  # DDP's average
    s = all_reduce_sum(torch.tensor([float(rank + 1)]))
    return dict(rows=zg.detach(), order=local, grad=w.grad, loss=loss.detach(), s=s)


def test_without_process_group_identity():
    x = torch.randn(3, 2)
    assert all_gather_rows(x) is x and all_reduce_sum(x) is x


def test_two_processes_gather_and_gradient():
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)
    x, w0 = _data()
    w = w0.clone().requires_grad_(True)
    z = x @ w
    outs = run_parallel(_rank_fn, 2, backend='gloo')
    order = torch.cat([torch.from_numpy(o['order']) for o in outs])  # rank order
    ref = _pairwise_loss(z[order])
    ref.backward()
    for o in outs:
        torch.testing.assert_close(o['rows'], z[order].detach())
        torch.testing.assert_close(o['loss'], ref.detach())
        torch.testing.assert_close(o['grad'], w.grad, rtol=1e-5, atol=1e-6)
        assert float(o['s']) == 3.0
