"""Batched mutual-kNN bag graphs against a per-bag loop.

Times :func:`gmiml.utils.mutual_knn_graph` over all bags of a dataset at once (one
``batch`` vector) against a plain Python loop that builds the same graph bag by bag with a
scikit-learn ``NearestNeighbors`` per bag (the issue's baseline) and, for reference, with a
scipy ``cKDTree`` per bag; checks that every builder gives the same edges (and weights to
1e-4); prints bags per second and the speed-up.

Both loops produce exactly what the batched builder does: mutual kNN pairs with ties broken
by the lower index, heat-kernel weights with the per-bag lower-median width, coalesced
edge_index. To break ties by index a per-bag kNN must see every tied candidate, so the loops
ask for all ``n - 1`` neighbours and keep the first ``k`` in (distance, index) order (bags
here are small; this is what a correct per-bag implementation has to do).

Everything runs on one thread by default (``--threads``), the loops being single-threaded.
Each timing is the best of ``--repeat`` runs (10x as many for the batched builder, whose
runs take milliseconds), as wall-clock time and as this process's CPU time; on a machine
shared with other work the CPU times are the steadier measure. Bags per second are from
wall-clock time.

Usage::

    python benchmarks/bench_graphs.py                      # image and text, k = 3
    python benchmarks/bench_graphs.py --k 5 --repeat 7 --json graphs.json
"""
import argparse
import json
import os
import platform
import sys
import time


def _per_bag_loop(bags, k, knn):
    """The same graph as the batched builder, bag by bag, with a per-bag kNN.

    knn(x, m) -> (dist [n, m], ind [n, m]): the m nearest other instances of every row
    (itself excluded), sorted by distance."""
    import numpy as np

    rows, cols, weights = [], [], []
    offset = 0
    for x in bags:
        n = x.shape[0]
        if n > 1:
            kk = min(k, n - 1)
            dist, ind = knn(x, n - 1)
            # ties by index: order every row by (distance, index), keep the first kk
            order = np.lexsort((ind, dist), axis=1)[:, :kk]
            nb = np.take_along_axis(ind, order, 1)
            nd = np.take_along_axis(dist, order, 1)
            adj = np.zeros((n, n), dtype=bool)
            adj[np.arange(n)[:, None], nb] = True
            mutual = adj & adj.T
            d2 = np.zeros((n, n))
            d2[np.arange(n)[:, None], nb] = nd ** 2
            d2 = np.maximum(d2, d2.T)
            s2 = np.sort(nd.ravel() ** 2)[(n * kk - 1) // 2]  # lower median
            i, j = np.nonzero(mutual)  # row-major: sorted by (row, col)
            dd = d2[i, j]
            with np.errstate(divide='ignore', invalid='ignore'):
                w = np.where(dd == 0, 1.0, np.exp(-dd / (2 * s2)))
            rows.append(i + offset)
            cols.append(j + offset)
            weights.append(w)
        offset += n
    return (np.stack([np.concatenate(rows), np.concatenate(cols)]),
            np.concatenate(weights))


def _sklearn_knn(x, m):
    from sklearn.neighbors import NearestNeighbors
    return NearestNeighbors(n_neighbors=m).fit(x).kneighbors()


def _kdtree_knn(x, m):
    from scipy.spatial import cKDTree
    dist, ind = cKDTree(x).query(x, m + 1)
    # drop the query point itself (with duplicates it need not come first)
    import numpy as np
    keep = ind != np.arange(x.shape[0])[:, None]
    n = x.shape[0]
    return dist[keep].reshape(n, m), ind[keep].reshape(n, m)


BASELINES = {'sklearn': _sklearn_knn, 'kdtree': _kdtree_knn}


def _best_of(fn, repeat):
    """Best wall-clock and best CPU time (this process) over ``repeat`` runs."""
    wall = cpu = float('inf')
    out = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        c1, t1 = time.process_time(), time.perf_counter()
        wall, cpu = min(wall, t1 - t0), min(cpu, c1 - c0)
    return wall, cpu, out


def run(name, k, repeat, baselines, root=None):
    import numpy as np
    import torch

    from gmiml.datasets import load_bags
    from gmiml.utils import mutual_knn_graph

    data = load_bags(name, root=root)
    bags = [np.ascontiguousarray(b, dtype=np.float32) for b in data.bags]
    sizes = torch.tensor([b.shape[0] for b in bags])
    x = torch.from_numpy(np.concatenate(bags))
    batch = torch.repeat_interleave(torch.arange(len(bags)), sizes)

    def batched():
        return mutual_knn_graph(x, k, batch)

    batched()  # warm-up
    # a run takes milliseconds: more runs for the same confidence in the best one
    t_batched, c_batched, (edge_index, edge_weight) = _best_of(batched, 10 * repeat)
    result = {
        'dataset': name,
        'bags': len(bags),
        'instances': int(sizes.sum()),
        'features': int(x.shape[1]),
        'instances_per_bag_min': int(sizes.min()),
        'instances_per_bag_max': int(sizes.max()),
        'k': k,
        'edges': int(edge_index.shape[1]),
        'batched_s': t_batched,
        'batched_cpu_s': c_batched,
        'batched_bags_per_s': len(bags) / t_batched,
    }
    for base in baselines:
        knn = BASELINES[base]
        t_loop, c_loop, (ei, ew) = _best_of(lambda: _per_bag_loop(bags, k, knn), repeat)
        same = (ei.shape == tuple(edge_index.shape)
                and bool(np.array_equal(ei, edge_index.numpy())))
        close = same and bool(np.allclose(ew, edge_weight.double().numpy(), rtol=1e-4,
                                          atol=1e-6))
        result[f'{base}_s'] = t_loop
        result[f'{base}_cpu_s'] = c_loop
        result[f'{base}_bags_per_s'] = len(bags) / t_loop
        result[f'speedup_vs_{base}'] = t_loop / t_batched
        result[f'cpu_speedup_vs_{base}'] = c_loop / c_batched
        result[f'{base}_same_edges'] = same
        result[f'{base}_same_weights'] = close
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--datasets', nargs='+', default=['image', 'text'])
    parser.add_argument('--k', type=int, default=3, help='neighbours (default: 3)')
    parser.add_argument('--repeat', type=int, default=5,
                        help='runs per timing; the best is kept (default: 5)')
    parser.add_argument('--baselines', nargs='+', default=['sklearn', 'kdtree'],
                        choices=sorted(BASELINES))
    parser.add_argument('--threads', type=int, default=1,
                        help='torch / BLAS threads (default: 1)')
    parser.add_argument('--root', default=None, help='data root (default: $GMIML_DATA)')
    parser.add_argument('--json', default=None, metavar='OUT', help='write results here')
    args = parser.parse_args(argv)

    for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[var] = str(args.threads)
    import torch
    torch.set_num_threads(args.threads)

    results = []
    ok = True
    for name in args.datasets:
        r = run(name, args.k, args.repeat, args.baselines, root=args.root)
        results.append(r)
        print(f"{name}: {r['bags']} bags, {r['instances']} instances "
              f"({r['instances_per_bag_min']}-{r['instances_per_bag_max']} per bag), "
              f"d={r['features']}, k={r['k']}, {r['edges']} edges")
        print(f"  batched mutual_knn_graph  {r['batched_bags_per_s']:>10,.0f} bags/s "
              f"(wall {r['batched_s'] * 1e3:7.1f} ms, "
              f"cpu {r['batched_cpu_s'] * 1e3:7.1f} ms)")
        for base in args.baselines:
            agree = 'same edges and weights' if r[f'{base}_same_weights'] else (
                'same edges, DIFFERENT weights' if r[f'{base}_same_edges'] else
                'DIFFERENT edges')
            ok &= r[f'{base}_same_weights']
            print(f"  per-bag loop ({base:7s})    {r[f'{base}_bags_per_s']:>10,.0f} bags/s "
                  f"(wall {r[f'{base}_s'] * 1e3:7.1f} ms, "
                  f"cpu {r[f'{base}_cpu_s'] * 1e3:7.1f} ms)"
                  f"  speed-up {r[f'speedup_vs_{base}']:6.1f}x wall, "
                  f"{r[f'cpu_speedup_vs_{base}']:6.1f}x cpu  [{agree}]")
    if args.json:
        meta = {'python': platform.python_version(), 'torch': torch.__version__,
                'threads': args.threads, 'repeat': args.repeat,
                'machine': platform.machine(), 'cpu_count': os.cpu_count()}
        with open(args.json, 'w') as f:
            json.dump({'meta': meta, 'results': results}, f, indent=2)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
