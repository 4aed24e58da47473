"""Bags per second of the batched mutual-kNN builder against per-bag loops.

Times :func:`gmiml.utils.mutual_knn_graph` on all bags at once (one ``batch`` vector)
against Python loops that build the same graph bag by bag:

* ``sklearn``: a scikit-learn ``NearestNeighbors`` per bag (the issue's baseline),
* ``kdtree``: a scipy ``cKDTree`` per bag,
* ``per_bag``: :func:`mutual_knn_graph` itself called once per bag (what batching buys).

The loops compute exactly the builder's graph: the ``k`` nearest other instances of each
instance with ties broken by the lower index (a loop asks for all ``n - 1`` neighbours in
bags of up to ``ALL_BELOW`` = 32 instances, where one query is cheapest; in larger bags for
``k + 1``, re-asking for all ``n - 1`` only when the ``k``-th and ``(k+1)``-th distances
tie), mutual pairs,
heat-kernel weights with the per-bag lower-median width. Every configuration checks that
the loops give the same edges (exactly) and weights (rtol 1e-4) as the builder on the
bags they timed, and that those bags get the same edges inside the full batch as alone.

Loops are slow, so each is timed on a prefix of the bags that fits ``--loop-budget``
seconds (at least ``--loop-min-bags`` bags) and its time is extrapolated per bag to the
whole set (the ``loop_bags_timed`` column says how many bags were really timed; synthetic
bags are i.i.d., so the prefix is representative). The builder always runs on all bags.

Grid: synthetic bags (:func:`gmiml.datasets.make_synthetic_miml`, ``d = 20``) with a fixed
number of instances per bag from 1 to 512 (``--size-bags`` bags each), and 1k to 100k bags
of 2-8 instances; plus the real ``image`` and ``text`` sets when ``$GMIML_DATA`` holds
them. Each configuration runs in a fresh process that also reports the builder's peak extra
resident memory (see ``_common.py``).

Usage::

    OMP_NUM_THREADS=2 python benchmarks/perf/bench_graph_building.py
    python benchmarks/perf/bench_graph_building.py --quick      # a smoke run
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

NAME = 'graph_building'
SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
COUNTS = [1000, 3000, 10000, 30000, 100000]
BASELINES = ['sklearn', 'kdtree', 'per_bag']
#: loops ask for every neighbour in bags up to this size (one query settles all ties)
ALL_BELOW = 32


# --------------------------------------------------------------------------- loops
def _first_k(dist, ind, kk, n):
    """Rows' ``kk`` nearest by (distance, index) from a sorted candidate list of at least
    ``kk + 1`` entries (or all ``n - 1``); ``None`` when a tie straddles position ``kk``."""
    import numpy as np
    if dist.shape[1] > kk and dist.shape[1] < n - 1 and bool(
            (dist[:, kk - 1] == dist[:, kk]).any()):
        return None
    order = np.lexsort((ind, dist), axis=1)[:, :kk]
    return np.take_along_axis(ind, order, 1), np.take_along_axis(dist, order, 1)


def _mutual_from_knn(nb, nd, n):
    """Mutual pairs of a bag from its kNN lists; weights with the lower-median width."""
    import numpy as np
    kk = nb.shape[1]
    adj = np.zeros((n, n), dtype=bool)
    rows = np.repeat(np.arange(n), kk)
    adj[rows, nb.ravel()] = True
    d2 = np.full((n, n), np.inf)
    d2[rows, nb.ravel()] = nd.ravel() ** 2
    i, j = np.nonzero(adj & adj.T)  # row-major: coalesced order
    dd = np.minimum(d2[i, j], d2[j, i])
    s2 = np.sort(nd.ravel() ** 2)[(n * kk - 1) // 2]  # lower median
    with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
        w = np.where(dd == 0, 1.0, np.exp(-dd / (2 * s2)))
    return i, j, w


def _loop_sklearn(x, k):
    from sklearn.neighbors import NearestNeighbors
    n = x.shape[0]
    if n < 2:
        return None
    kk = min(k, n - 1)
    m = n - 1 if n <= ALL_BELOW else kk + 1
    knn = _first_k(*NearestNeighbors(n_neighbors=m).fit(x).kneighbors(), kk, n)
    if knn is None:  # a tie at the boundary: ask for everyone
        knn = _first_k(*NearestNeighbors(n_neighbors=n - 1).fit(x).kneighbors(), kk, n)
    return _mutual_from_knn(*knn, n)


def _kdtree_query(x, m):
    import numpy as np
    from scipy.spatial import cKDTree
    n = x.shape[0]
    dist, ind = cKDTree(x).query(x, m + 1)
    keep = ind != np.arange(n)[:, None]  # drop the point itself (not always first)
    keep[keep.sum(1) > m, -1] = False
    return dist[keep].reshape(n, m), ind[keep].reshape(n, m)


def _loop_kdtree(x, k):
    n = x.shape[0]
    if n < 2:
        return None
    kk = min(k, n - 1)
    m = n - 1 if n <= ALL_BELOW else kk + 1
    knn = _first_k(*_kdtree_query(x, m), kk, n)
    if knn is None:
        knn = _first_k(*_kdtree_query(x, n - 1), kk, n)
    return _mutual_from_knn(*knn, n)


def _loop_per_bag(x, k):
    import torch
    from gmiml.utils import mutual_knn_graph
    ei, ew = mutual_knn_graph(torch.from_numpy(x), k)
    return ei[0].numpy(), ei[1].numpy(), ew.double().numpy()


LOOPS = {'sklearn': _loop_sklearn, 'kdtree': _loop_kdtree, 'per_bag': _loop_per_bag}


def _concat(results, sizes):
    import numpy as np
    rows, cols, ws, off = [], [], [], 0
    for r, n in zip(results, sizes):
        if r is not None:
            rows.append(r[0] + off)
            cols.append(r[1] + off)
            ws.append(r[2])
        off += n
    if not rows:
        return np.zeros((2, 0), dtype=np.int64), np.zeros(0)
    return np.stack([np.concatenate(rows), np.concatenate(cols)]), np.concatenate(ws)


# --------------------------------------------------------------------------- worker
def _make_bags(cfg):
    import numpy as np
    if cfg['kind'] == 'dataset':
        from gmiml.datasets import load_bags
        data = load_bags(cfg['name'])
        return [np.ascontiguousarray(b, dtype=np.float32) for b in data.bags]
    from gmiml.datasets import make_synthetic_miml
    n = cfg['n']
    data = make_synthetic_miml(n_bags=cfg['n_bags'], n_labels=5, n_features=cfg['d'],
                               instances_per_bag=tuple(n) if isinstance(n, list) else n,
                               random_state=cfg.get('seed', 0))
    return data.bags


def worker(cfg, threads):
    import numpy as np
    import torch
    from gmiml.utils import mutual_knn_graph

    k = cfg['k']
    bags = _make_bags(cfg)
    sizes = np.array([b.shape[0] for b in bags])
    x = torch.from_numpy(np.concatenate(bags))
    batch = torch.repeat_interleave(torch.arange(len(bags)), torch.from_numpy(sizes))
    device = cfg.get('device', 'cpu')
    x, batch = x.to(device), batch.to(device)
    sync = torch.cuda.synchronize if x.is_cuda else (lambda: None)
    # warm-up on a few bags (lazy initialisation is not the builder's memory)
    m0 = min(len(bags), 64)
    mutual_knn_graph(x[:sizes[:m0].sum()], k, batch[:sizes[:m0].sum()])

    rss0 = C.reset_peak()
    edge_index, edge_weight = mutual_knn_graph(x, k, batch)
    peak = C.peak_since(rss0)
    t_batched, _ = C.best_of(lambda: (mutual_knn_graph(x, k, batch), sync()), cfg['repeat'],
                             min_time=cfg.get('min_time', 0.5))
    x, batch = x.cpu(), batch.cpu()
    edge_index, edge_weight = edge_index.cpu(), edge_weight.cpu()
    out = {
        'config': cfg['label'], 'group': cfg['group'], 'bags': len(bags),
        'instances': int(sizes.sum()), 'features': int(x.shape[1]),
        'size_min': int(sizes.min()), 'size_max': int(sizes.max()),
        'size_mean': float(sizes.mean()), 'k': k, 'edges': int(edge_index.shape[1]),
        'batched_s': t_batched, 'batched_bags_per_s': len(bags) / t_batched,
        'batched_instances_per_s': float(sizes.sum()) / t_batched,
        'batched_peak_extra_rss_mib': peak / 2**20,
        'input_mib': x.numel() * 4 / 2**20, 'device': device,
    }
    ok = True
    for name in cfg['baselines']:
        fn = LOOPS[name]
        per_bag, n_timed, res = C.timed_loop(bags, lambda b: fn(b, k), cfg['loop_budget'],
                                             min_items=cfg['loop_min_bags'])
        # the same graph as the builder on those bags, alone and inside the full batch
        n_inst = int(sizes[:n_timed].sum())
        sub_ei, sub_ew = mutual_knn_graph(x[:n_inst], k, batch[:n_inst])
        ei, ew = _concat(res, sizes[:n_timed])
        same = ei.shape == tuple(sub_ei.shape) and bool(np.array_equal(ei, sub_ei.numpy()))
        close = same and bool(np.allclose(ew, sub_ew.double().numpy(), rtol=1e-4,
                                          atol=1e-7))
        in_full = edge_index[0] < n_inst
        alone = (bool(torch.equal(edge_index[:, in_full], sub_ei))
                 and bool(torch.equal(edge_weight[in_full], sub_ew)))
        ok &= close and alone
        out[f'{name}_bags_timed'] = n_timed
        out[f'{name}_bags_per_s'] = 1.0 / per_bag
        out[f'{name}_s_extrapolated'] = per_bag * len(bags)
        out[f'speedup_vs_{name}'] = per_bag * len(bags) / t_batched
        out[f'{name}_same_edges'] = same
        out[f'{name}_same_weights'] = close
        out[f'{name}_batch_independent'] = alone
    out['all_checks_pass'] = ok
    return out


# --------------------------------------------------------------------------- driver
def _configs(args):
    common = dict(k=args.k, repeat=args.repeat, loop_budget=args.loop_budget,
                  loop_min_bags=args.loop_min_bags, baselines=args.baselines)
    cfgs = []
    for n in args.sizes:
        cfgs.append(dict(common, kind='synthetic', group='bag size', n=n,
                         n_bags=args.size_bags, d=args.d,
                         label=f'{args.size_bags} bags x {n}'))
    for nb in args.counts:
        cfgs.append(dict(common, kind='synthetic', group='bag count', n=[2, 8],
                         n_bags=nb, d=args.d, label=f'{nb} bags x 2-8'))
    for name in args.datasets:
        cfgs.append(dict(common, kind='dataset', group='dataset', name=name, label=name))
    return cfgs


def _plot(rows, baselines):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    styles = {'batched': ('k', 'o', '-'), 'sklearn': ('C0', 's', '--'),
              'kdtree': ('C1', '^', '--'), 'per_bag': ('C2', 'v', ':')}
    for ax, group, xkey, xlabel in [
            (axes[0], 'bag size', 'size_max', 'instances per bag'),
            (axes[1], 'bag count', 'bags', 'number of bags (2-8 instances each)')]:
        rs = [r for r in rows if r['group'] == group]
        if not rs:
            continue
        xs = [r[xkey] for r in rs]
        for name in ['batched'] + baselines:
            col, mk, ls = styles[name]
            ys = [r[f'{name}_bags_per_s'] for r in rs]
            ax.loglog(xs, ys, color=col, marker=mk, ls=ls,
                      label='mutual_knn_graph (batched)' if name == 'batched'
                      else f'per-bag loop: {name}')
        ax.set_xlabel(xlabel)
        ax.set_ylabel('bags per second')
        ax.grid(True, which='both', alpha=0.3)
        ax.legend(fontsize=8)
    ax = axes[0]
    ax.set_title('by bag size (d = 20)')
    axes[1].set_title('by number of bags (d = 20)')
    ax = axes[2]
    rs = [r for r in rows if r['group'] != 'dataset']
    ax.loglog([r['instances'] for r in rs], [max(r['batched_peak_extra_rss_mib'], 0.1)
                                             for r in rs], 'ko', label='builder peak')
    ax.loglog([r['instances'] for r in rs], [r['input_mib'] for r in rs], 'C3x',
              label='input x itself')
    ax.set_xlabel('instances in the batch')
    ax.set_ylabel('MiB')
    ax.set_title('builder peak extra resident memory')
    ax.grid(True, which='both', alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if '--worker' in argv:
        return C.worker_main(argv, worker)
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--threads', type=int, default=int(os.environ.get('OMP_NUM_THREADS',
                                                                      2)))
    p.add_argument('--k', type=int, default=3)
    p.add_argument('--d', type=int, default=20, help='synthetic feature dimension')
    p.add_argument('--sizes', type=int, nargs='*', default=SIZES)
    p.add_argument('--size-bags', type=int, default=1000)
    p.add_argument('--counts', type=int, nargs='*', default=COUNTS)
    p.add_argument('--datasets', nargs='*', default=['image', 'text'])
    p.add_argument('--baselines', nargs='*', default=BASELINES, choices=BASELINES)
    p.add_argument('--repeat', type=int, default=5, help='builder runs, best kept')
    p.add_argument('--loop-budget', type=float, default=3.0,
                   help='seconds per loop baseline before extrapolating')
    p.add_argument('--loop-min-bags', type=int, default=20)
    p.add_argument('--quick', action='store_true', help='a small grid (smoke test)')
    p.add_argument('--name', default=NAME, help='results file stem')
    p.add_argument('--device', default='cpu',
                   help="where the builder runs ('cuda': no loop baselines)")
    args = p.parse_args(argv)
    if args.device != 'cpu':
        args.baselines = []
    if args.quick:
        args.sizes, args.counts, args.size_bags = [1, 8, 64], [1000], 200
        args.repeat, args.loop_budget = 2, 0.3
        args.name = args.name + '_quick'
    if args.datasets and not os.environ.get('GMIML_DATA'):
        print('GMIML_DATA is not set: skipping the real data sets')
        args.datasets = []

    meta = C.machine_meta(args.threads)
    meta['note'] = ('loop baselines are timed on the first *_bags_timed bags and '
                    'extrapolated per bag to the whole set; builder timings are the best '
                    f'of >= {args.repeat} runs on all bags')
    rows = []
    script = os.path.abspath(__file__)
    for cfg in _configs(args):
        cfg['device'] = args.device
        r = C.run_worker(script, cfg, args.threads)
        rows.append(r)
        print(f"{r['config']:>22}: batched {r['batched_bags_per_s']:>12,.0f} bags/s, "
              + ', '.join(f"{b} x{r[f'speedup_vs_{b}']:.1f}" for b in args.baselines)
              + ('' if r['all_checks_pass'] else '  CHECK FAILED'), flush=True)
    cols = [('config', 'configuration'), ('instances', 'instances'),
            ('batched_bags_per_s', 'batched bags/s'),
            ('batched_peak_extra_rss_mib', 'peak MiB')]
    for b in args.baselines:
        cols += [(f'{b}_bags_per_s', f'{b} bags/s'), (f'{b}_bags_timed', 'timed'),
                 (f'speedup_vs_{b}', f'x {b}')]
    cols.append(('all_checks_pass', 'same graph'))
    print()
    C.print_table(rows, cols, title=f'mutual_knn_graph, k={args.k}, '
                  f'{args.threads} thread(s); loops extrapolated from *timed* bags')
    payload = {'results': rows}
    fig = _plot(rows, args.baselines)
    C.write_results(args.name, meta, payload, fig)
    return 0 if all(r['all_checks_pass'] for r in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
