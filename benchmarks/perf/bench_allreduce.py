"""What a data-parallel GLEMIML step costs in collectives: their number and latency.

Two local processes (gloo over localhost, one torch thread each) measure

* the latency of one ``all_reduce`` of a small (17 floats, a batch norm's statistics), a
  medium (4k floats) and a gradient-bucket-sized (80k floats) tensor, best of 5 rounds of
  500 calls after a warm-up;
* the collectives of one training step of :class:`gmiml.GLEMIMLClassifier` with
  ``distributed=True`` (image-sized bags, global batch 64): their number per step, counted
  with :mod:`torch.profiler` (``c10d::allreduce_`` events over 10 steps), and the step's
  wall time.

Usage::

    python benchmarks/perf/bench_allreduce.py
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

NAME = 'allreduce'
SIZES = {'17 floats': 17, '4k floats': 4096, '80k floats': 80_000}


def _latency(numel, calls=500, rounds=5):
    import torch
    import torch.distributed as dist
    t = torch.zeros(numel)
    for _ in range(50):
        dist.all_reduce(t)
    best = float('inf')
    for _ in range(rounds):
        dist.barrier()
        t0 = time.perf_counter()
        for _ in range(calls):
            dist.all_reduce(t)
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def _rank(rank, world_size):
    import numpy as np
    import torch
    from torch.profiler import profile

    from gmiml import GLEMIMLClassifier
    from gmiml.datasets import make_synthetic_miml
    from gmiml.distributed import shard_batch
    from gmiml.distributed.data_parallel import wrap_model

    out = {f'latency_ms[{k}]': 1e3 * _latency(n) for k, n in SIZES.items()}
    data = make_synthetic_miml(n_bags=2000, n_labels=5, n_features=15, instances_per_bag=9,
                               random_state=0)
    est = GLEMIMLClassifier(max_epochs=1, validation_fraction=0.0, dropout=0.0,
                            random_state=0).fit(data.bags[:100], data.Y[:100])
    est.set_params(distributed=True)
    batcher = est._prepare(data.bags, data.Y)
    net = wrap_model(est.model_)
    est.model_.train()
    opt = est._make_optimizer()
    B = 64
    sizes = [(B - r + world_size - 1) // world_size for r in range(world_size)]

    def step(i):
        idx, _ = shard_batch(np.arange(i * B, (i + 1) * B), rank, world_size)
        loss, _ = est._batch_loss(batcher.batch(idx), net, sizes)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for i in range(10):  # warm-up
        step(i)
    t0 = time.perf_counter()
    for i in range(10, 30):
        step(i)
    out['step_ms'] = 1e3 * (time.perf_counter() - t0) / 20
    with profile() as prof:
        for i in range(10):
            step(i)
    calls = sum(e.count for e in prof.key_averages() if e.key == 'c10d::allreduce_')
    out['allreduces_per_step'] = calls / 10
    del net
    return out


def main(argv=None):
    from gmiml.distributed import run_parallel
    meta = C.machine_meta(1)
    outs = run_parallel(_rank, 2, backend='gloo', threads_per_process=1)
    rows = [dict(process=r, **o) for r, o in enumerate(outs)]
    cols = [('process', 'process')] + [(k, k) for k in outs[0]]
    C.print_table(rows, cols, title='gloo all-reduce latency and the collectives of one '
                  'data-parallel GLEMIML step (2 processes, 1 thread each)')
    C.write_results(NAME, meta, {'results': rows})
    return 0


if __name__ == '__main__':
    sys.exit(main())
