"""Pairs per second of the batched Hausdorff matrix against a scipy loop.

Times :func:`gmiml.utils.hausdorff_distances` (``variant='max'``, the symmetric maximal
Hausdorff distance of the LAMDA baselines, float64) on all bags against a Python loop over
the same bag pairs calling :func:`scipy.spatial.distance.directed_hausdorff` twice per pair
(:math:`H(A, B) = \\max(h(A, B), h(B, A))`). Both compute the ``N (N - 1) / 2`` pairs of
a symmetric matrix (the diagonal is 0); pairs per second count those.

The loop is timed on a random sample of pairs that fits ``--loop-budget`` seconds and
extrapolated per pair to the whole matrix (``loop_pairs_timed`` says how many pairs were
timed); the sampled entries are checked against the matrix (relative error below 1e-9).
Each configuration runs in a fresh process that reports the peak extra resident memory of
the call (the output matrix, ``8 N^2`` bytes, included; see ``_common.py``).

Grid: synthetic bags shaped like GS (216 features, 2-5 instances per bag, from
:func:`gmiml.datasets.make_synthetic_miml`) from 250 to 4000 bags, plus the real GS (and
any ``--datasets``) when ``$GMIML_DATA`` holds it.

Usage::

    OMP_NUM_THREADS=2 python benchmarks/perf/bench_hausdorff.py
    python benchmarks/perf/bench_hausdorff.py --quick
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

NAME = 'hausdorff'
COUNTS = [250, 500, 1000, 2000, 4000]


def _make_bags(cfg):
    import numpy as np
    if cfg['kind'] == 'dataset':
        from gmiml.datasets import load_bags
        return [np.ascontiguousarray(b, dtype=np.float32)
                for b in load_bags(cfg['name']).bags]
    from gmiml.datasets import make_synthetic_miml
    return make_synthetic_miml(n_bags=cfg['n_bags'], n_labels=10, n_features=cfg['d'],
                               instances_per_bag=tuple(cfg['n']),
                               random_state=cfg.get('seed', 0)).bags


def worker(cfg, threads):
    import numpy as np
    from scipy.spatial.distance import directed_hausdorff
    from gmiml.utils import hausdorff_distances

    bags = _make_bags(cfg)
    N = len(bags)
    sizes = np.array([len(b) for b in bags])
    n_pairs = N * (N - 1) // 2
    hausdorff_distances(bags[:16])  # warm-up

    rss0 = C.reset_peak()
    D = hausdorff_distances(bags)
    peak = C.peak_since(rss0)
    t_batched, _ = C.best_of(lambda: hausdorff_distances(bags), cfg['repeat'],
                             min_time=cfg.get('min_time', 0.5))

    # the loop on a random sample of pairs i < j, in float64 as the matrix
    rng = np.random.default_rng(0)
    m = min(n_pairs, cfg['loop_max_pairs'])
    i = rng.integers(0, N, size=4 * m)
    j = rng.integers(0, N, size=4 * m)
    keep = i < j
    pairs = list(zip(i[keep][:m].tolist(), j[keep][:m].tolist()))
    bags64 = [np.asarray(b, dtype=np.float64) for b in bags]

    def one(p):
        a, b = bags64[p[0]], bags64[p[1]]
        return max(directed_hausdorff(a, b)[0], directed_hausdorff(b, a)[0])

    per_pair, n_timed, vals = C.timed_loop(pairs, one, cfg['loop_budget'],
                                           min_items=cfg['loop_min_pairs'])
    ref = np.array(vals)
    got = D[tuple(np.array(pairs[:n_timed]).T)]
    rel = float(np.max(np.abs(got - ref) / np.maximum(ref, 1e-300))) if n_timed else 0.0
    return {
        'config': cfg['label'], 'group': cfg['group'], 'bags': N,
        'instances': int(sizes.sum()), 'features': int(bags[0].shape[1]),
        'size_min': int(sizes.min()), 'size_mean': float(sizes.mean()),
        'size_max': int(sizes.max()), 'pairs': n_pairs,
        'batched_s': t_batched, 'batched_pairs_per_s': n_pairs / t_batched,
        'batched_peak_extra_rss_mib': peak / 2**20,
        'output_mib': N * N * 8 / 2**20,
        'scipy_pairs_timed': n_timed, 'scipy_pairs_per_s': 1.0 / per_pair,
        'scipy_s_extrapolated': per_pair * n_pairs,
        'speedup_vs_scipy': per_pair * n_pairs / t_batched,
        'max_relative_error': rel, 'same_values': rel < 1e-9,
    }


def _configs(args):
    common = dict(repeat=args.repeat, loop_budget=args.loop_budget,
                  loop_min_pairs=args.loop_min_pairs, loop_max_pairs=args.loop_max_pairs)
    cfgs = [dict(common, kind='synthetic', group='bag count', n_bags=nb, n=[2, 5],
                 d=args.d, label=f'{nb} GS-like bags') for nb in args.counts]
    cfgs += [dict(common, kind='dataset', group='dataset', name=n, label=n)
             for n in args.datasets]
    return cfgs


def _plot(rows):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
    syn = [r for r in rows if r['group'] == 'bag count']
    real = [r for r in rows if r['group'] == 'dataset']
    xs = [r['bags'] for r in syn]
    ax = axes[0]
    ax.loglog(xs, [r['batched_pairs_per_s'] for r in syn], 'ko-',
              label='hausdorff_distances (batched)')
    ax.loglog(xs, [r['scipy_pairs_per_s'] for r in syn], 'C0s--',
              label='loop of directed_hausdorff x2')
    for r in real:
        ax.loglog([r['bags']], [r['batched_pairs_per_s']], 'k*', ms=12)
        ax.loglog([r['bags']], [r['scipy_pairs_per_s']], 'C0*', ms=12)
        ax.annotate(r['config'], (r['bags'], r['batched_pairs_per_s']))
    ax.set_xlabel('number of bags')
    ax.set_ylabel('bag pairs per second')
    ax.set_title('throughput (stars: real data)')
    ax.legend(fontsize=8)
    ax.grid(True, which='both', alpha=0.3)
    ax = axes[1]
    ax.semilogx(xs, [r['speedup_vs_scipy'] for r in syn], 'ko-')
    ax.axhline(50, color='C3', ls=':', label='target 50x')
    ax.set_xlabel('number of bags')
    ax.set_ylabel('speed-up over the scipy loop')
    ax.legend(fontsize=8)
    ax.grid(True, which='both', alpha=0.3)
    ax = axes[2]
    ax.loglog(xs, [max(r['batched_peak_extra_rss_mib'], 0.1) for r in syn], 'ko-',
              label='peak extra RSS of the call')
    ax.loglog(xs, [r['output_mib'] for r in syn], 'C3x--', label='output matrix 8 N^2')
    ax.set_xlabel('number of bags')
    ax.set_ylabel('MiB')
    ax.set_title('memory')
    ax.legend(fontsize=8)
    ax.grid(True, which='both', alpha=0.3)
    fig.tight_layout()
    return fig


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if '--worker' in argv:
        return C.worker_main(argv, worker)
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--threads', type=int, default=int(os.environ.get('OMP_NUM_THREADS',
                                                                      2)))
    p.add_argument('--d', type=int, default=216, help='synthetic feature dimension')
    p.add_argument('--counts', type=int, nargs='*', default=COUNTS)
    p.add_argument('--datasets', nargs='*', default=['GS'])
    p.add_argument('--repeat', type=int, default=3, help='batched runs, best kept')
    p.add_argument('--loop-budget', type=float, default=3.0,
                   help='seconds of scipy loop before extrapolating')
    p.add_argument('--loop-min-pairs', type=int, default=200)
    p.add_argument('--loop-max-pairs', type=int, default=200_000)
    p.add_argument('--quick', action='store_true', help='a small grid (smoke test)')
    p.add_argument('--name', default=NAME, help='results file stem')
    args = p.parse_args(argv)
    if args.quick:
        args.counts, args.repeat, args.loop_budget = [250, 500], 1, 0.3
        args.name = args.name + '_quick'
    if args.datasets and not os.environ.get('GMIML_DATA'):
        print('GMIML_DATA is not set: skipping the real data sets')
        args.datasets = []

    meta = C.machine_meta(args.threads)
    meta['note'] = ('the scipy loop is timed on a random sample of *_pairs_timed pairs and '
                    'extrapolated per pair to all N(N-1)/2 pairs; batched timings are the '
                    f'best of >= {args.repeat} runs')
    rows = []
    script = os.path.abspath(__file__)
    for cfg in _configs(args):
        r = C.run_worker(script, cfg, args.threads)
        rows.append(r)
        print(f"{r['config']:>18}: {r['batched_pairs_per_s']:>14,.0f} pairs/s, "
              f"x{r['speedup_vs_scipy']:.1f} over scipy", flush=True)
    print()
    C.print_table(rows, [
        ('config', 'configuration'), ('instances', 'instances'), ('pairs', 'pairs'),
        ('batched_s', 'batched s'), ('batched_pairs_per_s', 'batched pairs/s'),
        ('scipy_pairs_per_s', 'scipy pairs/s'), ('scipy_pairs_timed', 'timed'),
        ('speedup_vs_scipy', 'speed-up'), ('batched_peak_extra_rss_mib', 'peak MiB'),
        ('output_mib', 'output MiB'), ('same_values', 'same values')],
        title=f"hausdorff_distances(variant='max'), float64, {args.threads} thread(s); "
              'scipy loop extrapolated from *timed* pairs')
    C.write_results(args.name, meta, {'results': rows}, _plot(rows))
    return 0 if all(r['same_values'] for r in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
