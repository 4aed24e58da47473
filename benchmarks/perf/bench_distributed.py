"""Data-parallel GLEMIML training (DistributedDataParallel, gloo) against one process.

For each configuration (synthetic bags, :func:`gmiml.datasets.make_synthetic_miml`) and
global batch size, :class:`gmiml.GLEMIMLClassifier` (defaults except
``validation_fraction=0, patience=None, dropout=0``) is trained

* ``1p x 1t``: in one process with one torch thread,
* ``1p x Rt``: in one process with ``R`` threads (intra-op parallelism),
* ``Rp x 1t``: data-parallel in ``R`` processes with one thread each
  (:func:`gmiml.distributed.fit_distributed`, gloo over localhost),

and the time of one epoch is the median wall time of the training steps of epochs 2 to
``1 + E`` (``history_[e]['train_time_s']``, measured by process 0, so waits for the other
process count; the first epoch is a warm-up). Process start-up, the data copies and graph
building are not in it; they are reported as ``fit_s``, the whole fit.
``speedup`` is the ``1p x 1t`` epoch time over the configuration's. Each measurement
runs in a fresh process. The data-parallel and single-process runs train the same model
on the same global batches (``tests/distributed`` checks they agree), so the comparison is
one of speed only.

Usage::

    python benchmarks/perf/bench_distributed.py                  # R = 2 (this machine)
    python benchmarks/perf/bench_distributed.py --world-size 4 --quick
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

NAME = 'distributed'
CONFIGS = [
    dict(n_bags=20000, n=9, d=15, L=5, batch_size=64),     # image-sized bags
    dict(n_bags=20000, n=9, d=15, L=5, batch_size=512),
    dict(n_bags=4000, n=64, d=64, L=20, batch_size=64),    # larger bags and features
    dict(n_bags=4000, n=64, d=64, L=20, batch_size=256),
]


def _fit(cfg, epochs, world_size):
    from gmiml import GLEMIMLClassifier
    from gmiml.datasets import make_synthetic_miml
    from gmiml.distributed import fit_distributed
    data = make_synthetic_miml(n_bags=cfg['n_bags'], n_labels=cfg['L'],
                               n_features=cfg['d'], instances_per_bag=cfg['n'],
                               random_state=0)
    est = GLEMIMLClassifier(max_epochs=epochs, patience=None, validation_fraction=0.0,
                            dropout=0.0, batch_size=cfg['batch_size'], random_state=0)
    t0 = time.perf_counter()
    if world_size == 1:
        est.fit(data.bags, data.Y)
    else:
        fit_distributed(est, data.bags, data.Y, world_size=world_size, backend='gloo',
                        threads_per_process=1)
    return time.perf_counter() - t0, est.history_


def worker(cfg, threads):
    import numpy as np
    fit_s, history = _fit(cfg, 1 + cfg['epochs'], cfg['procs'])
    epoch = float(np.median([h['train_time_s'] for h in history[1:]]))
    return {'config': cfg['label'], 'mode': cfg['mode'], 'procs': cfg['procs'],
            'threads': threads, 'bags': cfg['n_bags'], 'batch_size': cfg['batch_size'],
            'epoch_s': epoch, 'train_bags_per_s': cfg['n_bags'] / epoch, 'fit_s': fit_s,
            'epochs': len(history), 'final_train_loss': history[-1]['train_loss']}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if '--worker' in argv:
        return C.worker_main(argv, worker)
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--world-size', type=int, default=2)
    p.add_argument('--epochs', type=int, default=3, help='timed epochs E')
    p.add_argument('--quick', action='store_true')
    p.add_argument('--name', default=NAME)
    args = p.parse_args(argv)
    R = args.world_size
    configs = CONFIGS
    if args.quick:
        configs = [dict(c, n_bags=c['n_bags'] // 10) for c in CONFIGS[::2]]
        args.epochs = 1
        args.name += '_quick'
    meta = C.machine_meta(R)
    script = os.path.abspath(__file__)
    rows = []
    for c in configs:
        label = (f"{c['n_bags']} x {c['n']} inst, d={c['d']}, L={c['L']}, "
                 f"batch {c['batch_size']}")
        base = None
        for mode, procs, threads in (('1p x 1t', 1, 1), (f'1p x {R}t', 1, R),
                                     (f'{R}p x 1t', R, 1)):
            cfg = dict(c, label=label, mode=mode, procs=procs, epochs=args.epochs)
            r = C.run_worker(script, cfg, threads, timeout=3600)
            base = r['epoch_s'] if base is None else base
            r['speedup'] = base / r['epoch_s']
            rows.append(r)
            print(f"{label:>46} {mode:>8}: epoch {r['epoch_s']:.3f} s, "
                  f"{r['train_bags_per_s']:,.0f} bags/s, x{r['speedup']:.2f}", flush=True)
    print()
    C.print_table(rows, [('config', 'configuration'), ('mode', 'processes x threads'),
                         ('epoch_s', 'epoch s'), ('train_bags_per_s', 'train bags/s'),
                         ('speedup', 'speed-up'), ('fit_s', 'whole fit s'),
                         ('final_train_loss', 'last train loss')],
                  title=f'GLEMIML training: one process vs {R} data-parallel processes '
                        f'(gloo)')
    C.write_results(args.name, meta, {'world_size': R, 'results': rows}, _plot(rows, R))
    return 0


def _plot(rows, R):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    configs = list(dict.fromkeys(r['config'] for r in rows))
    modes = list(dict.fromkeys(r['mode'] for r in rows))
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / len(modes)
    for i, mode in enumerate(modes):
        vals = [next(r['train_bags_per_s'] for r in rows
                     if r['config'] == c and r['mode'] == mode) for c in configs]
        ax.bar([j + i * width for j in range(len(configs))], vals, width, label=mode)
    ax.set_xticks([j + width * (len(modes) - 1) / 2 for j in range(len(configs))])
    ax.set_xticklabels(configs, fontsize=7, rotation=10)
    ax.set_ylabel('training bags per second')
    ax.set_yscale('log')
    ax.set_title(f'GLEMIML training throughput: 1 process vs {R} DDP processes (gloo)',
                 fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, axis='y', which='both', alpha=0.3)
    fig.tight_layout()
    return fig


if __name__ == '__main__':
    sys.exit(main())
