"""A roofline-style estimate: how far GLEMIML training runs from this machine's limits.

1. The machine: measured float32 matrix-multiply rate of torch (GFLOP/s) on 1 and 2
   threads, for large square products (the peak) and for the skinny shapes the model
   really multiplies (``[instances, d] x [d, hidden]``, ``[bags, hidden] x [hidden,
   labels]``), and the memory bandwidth of a large copy (GB/s, read + write).
2. The model: floating-point operations per bag of one training step of
   :class:`gmiml.nn.models.GLEMIMLNet` (forward and backward, counted by
   :class:`torch.utils.flop_counter.FlopCounterMode`, which counts the matrix products;
   the gathers and scatters of message passing and pooling do no multiply-adds worth
   counting and are memory-bound), on image-sized bags (9 instances x 15 features,
   5 labels) by default.
3. The roofline: with the training throughput measured by ``bench_training.py``
   (``results/training_1t.json`` and ``training_2t.json``: bags/s on 10k image-sized bags), achieved GFLOP/s =
   FLOPs per bag x bags/s, as a fraction of the measured peak; and the time per bag that
   the matrix products alone would take at the measured rate of the model's own shapes.

Usage::

    python benchmarks/perf/roofline.py                    # machine + model (if present)
    python benchmarks/perf/roofline.py --no-model         # machine only
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

NAME = 'roofline'


def matmul_rate(m, k, n, threads, min_time=0.3, repeat=3):
    """Best GFLOP/s of ``[m, k] @ [k, n]`` in float32 (2 m k n FLOPs per product)."""
    import torch
    torch.set_num_threads(threads)
    a = torch.randn(m, k)
    b = torch.randn(k, n)
    out = torch.empty(m, n)
    torch.mm(a, b, out=out)
    best = float('inf')
    for _ in range(repeat):
        reps, t0 = 0, time.perf_counter()
        while True:
            torch.mm(a, b, out=out)
            reps += 1
            dt = time.perf_counter() - t0
            if dt > min_time / repeat:
                break
        best = min(best, dt / reps)
    return 2.0 * m * k * n / best / 1e9


def copy_bandwidth(threads, mib=256, repeat=5):
    """Best GB/s of copying a ``mib``-MiB float32 tensor (bytes read + written)."""
    import torch
    torch.set_num_threads(threads)
    a = torch.randn(mib * 2**20 // 4)
    b = torch.empty_like(a)
    b.copy_(a)
    best = float('inf')
    for _ in range(repeat):
        t0 = time.perf_counter()
        b.copy_(a)
        best = min(best, time.perf_counter() - t0)
    return 2 * a.numel() * 4 / best / 1e9


def machine(threads_list):
    shapes = {
        'square 512': (512, 512, 512),
        'square 1024': (1024, 1024, 1024),
        'square 2048': (2048, 2048, 2048),
        'instances 4608x15 @ 15x64 (image batch)': (4608, 15, 64),
        'instances 4608x64 @ 64x64': (4608, 64, 64),
        'bags 512x128 @ 128x64': (512, 128, 64),
        'bags 512x64 @ 64x5': (512, 64, 5),
    }
    rows = []
    for t in threads_list:
        row = {'threads': t}
        for name, (m, k, n) in shapes.items():
            row[name] = matmul_rate(m, k, n, t)
        row['peak_gflops'] = max(row[f'square {s}'] for s in (512, 1024, 2048))
        row['copy_gb_per_s'] = copy_bandwidth(t)
        rows.append(row)
    return shapes, rows


def model_flops(batch_size, n, d, labels, hidden, seed=0):
    """FLOPs per bag of one training step (forward + backward of the classifier and
    enhancer outputs) of GLEMIMLNet on ``batch_size`` bags of ``n`` instances."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    from gmiml.nn.models import GLEMIMLNet
    from gmiml.utils import mutual_knn_graph

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch_size * n, d, generator=g)
    batch = torch.arange(batch_size).repeat_interleave(n)
    y = (torch.rand(batch_size, labels, generator=g) < 0.3).float()
    y[:, 0] = 1
    ei, ew = mutual_knn_graph(x, 3, batch)
    net = GLEMIMLNet(d, labels, hidden_channels=hidden)
    net.train()
    counter = FlopCounterMode(display=False)
    with counter:
        out = net(x, ei, ew, batch, y=y)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        loss = sum(o.float().pow(2).mean() for o in outs if o is not None)
        loss.backward()
    total = counter.get_total_flops()
    by_op = {str(k): int(v) for k, v in counter.get_flop_counts().get('Global', {}).items()}
    return total / batch_size, by_op


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--threads', type=int, nargs='*', default=[1, 2])
    p.add_argument('--no-model', action='store_true')
    p.add_argument('--batch-size', type=int, default=64,
                   help="bags per step (GLEMIMLClassifier's default)")
    p.add_argument('--instances', type=int, default=9)
    p.add_argument('--features', type=int, default=15)
    p.add_argument('--labels', type=int, default=5)
    p.add_argument('--hidden', type=int, default=64)
    p.add_argument('--training-json', nargs='*',
                   default=[os.path.join(C.RESULTS, f'training_{t}t.json') for t in (1, 2)],
                   help='bench_training.py results whose headline bags/s to use')
    p.add_argument('--name', default=NAME)
    args = p.parse_args(argv)

    meta = C.machine_meta(max(args.threads))
    shapes, rows = machine(args.threads)
    cols = [('threads', 'threads')] + [(s, s) for s in shapes] + [
        ('copy_gb_per_s', 'copy GB/s')]
    C.print_table(rows, cols, title='measured float32 matmul GFLOP/s (torch.mm) and copy '
                  'bandwidth')
    payload = {'matmul_shapes': {k: list(v) for k, v in shapes.items()},
               'machine': rows}

    if not args.no_model:
        try:
            per_bag, by_op = model_flops(args.batch_size, args.instances, args.features,
                                         args.labels, args.hidden)
        except ImportError as e:
            print(f'GLEMIMLNet not available ({e}); machine section only')
        else:
            model = {'bag_shape': [args.instances, args.features], 'labels': args.labels,
                     'hidden': args.hidden, 'batch_size': args.batch_size,
                     'train_flops_per_bag': per_bag, 'flops_by_op': by_op}
            print(f'GLEMIMLNet training step: {per_bag:,.0f} FLOPs per bag '
                  f'({args.instances} x {args.features}, {args.labels} labels, '
                  f'hidden {args.hidden}); by op: {by_op}')
            ref = {}
            for path in args.training_json:
                if os.path.exists(path):
                    with open(path) as f:
                        ref.update(json.load(f).get('headline', {}))
            if ref:
                model['training_headline'] = ref
                for row in rows:
                    bps = ref.get(f'train_bags_per_s_{row["threads"]}t')
                    if bps is None:
                        continue
                    achieved = per_bag * bps / 1e9
                    row['train_bags_per_s'] = bps
                    row['achieved_gflops'] = achieved
                    row['fraction_of_peak'] = achieved / row['peak_gflops']
                    skinny = row['instances 4608x64 @ 64x64']
                    row['matmul_bound_bags_per_s'] = skinny * 1e9 / per_bag
                    print(f"{row['threads']} thread(s): {bps:,.0f} bags/s x "
                          f"{per_bag:,.0f} FLOPs = {achieved:.2f} GFLOP/s = "
                          f"{100 * achieved / row['peak_gflops']:.1f}% of the "
                          f"{row['peak_gflops']:.0f} GFLOP/s peak; the products alone at "
                          f"the model's own shapes would allow "
                          f"{row['matmul_bound_bags_per_s']:,.0f} bags/s")
            else:
                print(f'none of {args.training_json} found: run bench_training.py for '
                      'the achieved rate')
            payload['model'] = model
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(9, 4))
    names = list(shapes)
    for i, row in enumerate(rows):
        ax.barh([j + 0.4 * i for j in range(len(names))], [row[s] for s in names],
                height=0.4, label=f"{row['threads']} thread(s)")
    ax.set_yticks([j + 0.2 for j in range(len(names))])
    ax.set_yticklabels(names, fontsize=8)
    ax.set_xlabel('GFLOP/s (float32 torch.mm)')
    for row in rows:
        if 'achieved_gflops' in row:
            ax.axvline(row['achieved_gflops'], ls=':', color='k')
            ax.text(row['achieved_gflops'], len(names) - 0.5,
                    f" GLEMIML training\n {row['threads']}t", fontsize=8)
    ax.legend(fontsize=8)
    ax.grid(True, axis='x', alpha=0.3)
    fig.tight_layout()
    C.write_results(args.name, meta, payload, fig)
    return 0


if __name__ == '__main__':
    sys.exit(main())
