"""GLEMIML training and inference throughput, scaling, memory, and sparse vs dense batching.

Part 1 (``library``): the public estimator, :class:`gmiml.GLEMIMLClassifier` with its
defaults (or the preset of ``--preset``) except ``validation_fraction=0,
patience=None`` (no validation pass, so an epoch is pure training), on synthetic bags
(:func:`gmiml.datasets.make_synthetic_miml`) as the number of bags (1k-100k), instances
per bag (1-256), labels (5-2000) and feature dimension (15-1024) grow, plus the batch
size and the real ``image`` / ``text`` sets. Measured:

* ``epoch_s``: time of one training epoch, the median over epochs 2 to ``1 + E`` of a
  ``(1 + E)``-epoch fit of the step times the estimator records
  (``history_[e]['train_time_s']``; best of ``--repeat`` fits), so the one-off set-up
  (standardisation, mutual-kNN graphs, batcher) and the first epoch's warm-up are
  excluded; ``train_bags_per_s`` = bags / ``epoch_s``; ``setup_s`` = the fit's time
  minus its epochs;
* ``infer_bags_per_s``: :meth:`decision_function` on all bags (graph building included);
* ``peak_mib``: the peak extra resident memory of the ``1 + E``-epoch fit (fresh process);
  ``process_peak_mib``: the whole process's peak resident memory (interpreter, torch, the
  data as the user holds it, and the fit), the figure to hold against a machine's RAM.

Group ``large`` trains 100k bags of 1-128 instances (64 features, 100 labels) and 1M
image-sized bags, to show what fits in memory.

Part 2 (``compare``): what sparse (PyG-style) batching buys. The same network (the same
parameters, the same loss ``GLEMIMLClassifier._batch_loss``, the same optimiser, batches and
steps) is trained (a) on PyG mini-batches from :class:`gmiml.loader.BagBatcher` (instances
concatenated, ``batch`` vector, sparse ``edge_index``) and (b) on padded dense tensors
``[B, n_max, d]`` with masks and a dense normalised adjacency ``[B, n_max, n_max]``
(``DenseGLEMIML`` below: a dense re-implementation of ``GLEMIMLNet.forward`` kept here as a
baseline, padded per batch to the batch's largest bag). Before timing, both give the same
logits and label-distribution logits on a batch (checked, ``same_outputs``). Bags have
1 to ``n_max`` instances (uniform), the case where padding costs.

Part 3: log-log slopes of epoch time against the number of instances (1 = linear).

Usage::

    OMP_NUM_THREADS=2 python benchmarks/perf/bench_training.py            # everything
    python benchmarks/perf/bench_training.py --groups bags --threads 1     # one sweep
    python benchmarks/perf/bench_training.py --quick
    python benchmarks/perf/bench_training.py --groups bags datasets --threads 1 \\
        --preset paper --name training_paper_1t     # the paper's configuration (no bag graph)
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402
from gmiml.estimators.presets import PRESETS  # noqa: E402

NAME = 'training'
IMAGE = dict(n=9, d=15, L=5)  # image-sized bags: 9 instances x 15 features, 5 labels
GROUPS = {
    'bags': [dict(IMAGE, n_bags=nb) for nb in (1000, 3000, 10000, 30000, 100000)],
    'instances': [dict(IMAGE, n_bags=2000, n=n) for n in (1, 2, 4, 8, 16, 32, 64, 128,
                                                           256)],
    'labels': [dict(IMAGE, n_bags=2000, L=L) for L in (5, 20, 100, 500, 2000)],
    'features': [dict(IMAGE, n_bags=2000, d=d) for d in (15, 64, 256, 1024)],
    'batch_size': [dict(IMAGE, n_bags=10000, batch_size=bs) for bs in (32, 64, 128, 256,
                                                                      512, 1024)],
    'datasets': [dict(dataset='image'), dict(dataset='text')],
    # large data: does it train, in how much memory (the process's total peak)
    'large': [dict(n_bags=100000, n=[1, 128], d=64, L=100),
              dict(n_bags=1000000, n=9, d=15, L=5)],
    'compare': [dict(n_bags=2000, n=[1, m], d=15, L=5) for m in (4, 16, 64, 256)]
    + [dict(n_bags=2000, n=9, d=15, L=5)],
}
GROUP_ORDER = ['bags', 'instances', 'labels', 'features', 'batch_size', 'datasets',
               'compare', 'large']


# ----------------------------------------------------------------------- dense baseline
class DenseGLEMIML:
    """A dense re-implementation of ``GLEMIMLNet.forward`` (``pool='mean'``,
    ``share_encoder=True``, ``graph='input'``) on padded bags, sharing the parameters of
    a :class:`gmiml.nn.models.GLEMIMLNet`. Input ``x`` is the tuple ``(x [B, n, d],
    adj [B, n, n] normalised, mask [B, n])``; the other arguments mirror GLEMIMLNet's so
    that ``GLEMIMLClassifier._batch_loss`` can drive it."""

    def __init__(self, net):
        if net.pool_name != 'mean' or not net.share_encoder or net.graph != 'input':
            raise ValueError('DenseGLEMIML covers pool=mean, share_encoder, graph=input')
        self.net = net

    def __call__(self, x, edge_index=None, edge_weight=None, batch=None, y=None,
                 num_bags=None):
        import torch
        import torch.nn.functional as F
        net = self.net
        xp, adj, mask = x
        m = mask.unsqueeze(-1).to(xp.dtype)
        count = m.sum(1).clamp_min(1)
        # as GLEMIMLNet._encode: dropout on the instance embeddings and on the pooled
        # interaction output; the classifier reads the pooled interaction output
        h = F.leaky_relu(net.encoder(xp)) * m
        h = F.dropout(h, p=net.dropout, training=net.training)
        hb = h.sum(1) / count
        gb = None
        if net.conv is not None:
            agg = torch.bmm(adj, h)
            g = F.leaky_relu(net.conv.lin_rel(agg) + net.conv.lin_root(h)) * m
            gb = F.dropout(g.sum(1) / count, p=net.dropout, training=net.training)
        logits = net.classifier(hb if gb is None else gb)
        if y is None:
            return logits
        if net.enhancer is None:
            return logits, None
        return logits, net.enhancer(hb.detach(), None if gb is None else gb.detach(), y)

    # what the training loop touches besides __call__
    def parameters(self):
        return self.net.parameters()

    def named_parameters(self):
        return self.net.named_parameters()

    def train(self, mode=True):
        self.net.train(mode)
        return self

    def eval(self):
        return self.train(False)


def _dense_dataset(batcher):
    """Padded tensors of all bags from a BagBatcher: x [N, n_max, d], the normalised
    adjacency [N, n_max, n_max] (the sparse model's sym_norm weights), mask, sizes."""
    import torch
    from gmiml.nn.conv.instance_interaction import sym_norm
    ptr = batcher.ptr
    sizes = ptr[1:] - ptr[:-1]
    N, n_max, d = sizes.numel(), int(sizes.max()), batcher.x.size(1)
    bag = torch.repeat_interleave(torch.arange(N), sizes)
    pos = torch.arange(batcher.x.size(0)) - ptr[bag]
    x = batcher.x.new_zeros(N, n_max, d)
    x[bag, pos] = batcher.x
    mask = torch.zeros(N, n_max, dtype=torch.bool)
    mask[bag, pos] = True
    adj = batcher.x.new_zeros(N, n_max, n_max)
    if batcher.edge_index is not None:
        ei, ew = sym_norm(batcher.edge_index, batcher.edge_weight, batcher.x.size(0),
                          batcher.x.dtype)
        # message passing sums x_j into i = ei[1] (PyG source_to_target)
        adj[bag[ei[1]], pos[ei[1]], pos[ei[0]]] = ew
    return x, adj, mask, sizes


# ----------------------------------------------------------------------- data
def _make_data(cfg):
    if 'dataset' in cfg:
        from gmiml.datasets import load_bags
        data = load_bags(cfg['dataset'])
        return data.bags, data.Y
    from gmiml.datasets import make_synthetic_miml
    n = cfg['n']
    data = make_synthetic_miml(n_bags=cfg['n_bags'], n_labels=cfg['L'],
                               n_features=cfg['d'],
                               instances_per_bag=tuple(n) if isinstance(n, list) else n,
                               random_state=cfg.get('seed', 0))
    return data.bags, data.Y


def _estimator(cfg, epochs):
    from gmiml.estimators.glemiml_classifier import GLEMIMLClassifier
    kw = dict(max_epochs=epochs, patience=None, validation_fraction=0.0, random_state=0,
              device=cfg.get('device', 'cpu'))
    if 'batch_size' in cfg:
        kw['batch_size'] = cfg['batch_size']
    return GLEMIMLClassifier.preset(cfg.get('preset', 'default'), **kw)


# ----------------------------------------------------------------------- workers
def _library(cfg, threads):
    import numpy as np
    bags, Y = _make_data(cfg)
    sizes = np.array([len(b) for b in bags])
    _estimator(cfg, 1).fit(bags[:256], Y[:256])  # warm-up (imports, lazy init)
    E = cfg['epochs']
    epoch = fit_s = float('inf')
    peak = None
    data_mib = C.memory_status().get('VmRSS', 0) / 2**20  # interpreter, torch and data
    for rep in range(cfg['repeat']):
        rss0 = C.reset_peak()
        t0 = time.perf_counter()
        est = _estimator(cfg, 1 + E).fit(bags, Y)
        fit_s = min(fit_s, time.perf_counter() - t0)
        # the median of the timed epochs' step times (the first epoch is a warm-up)
        epoch = min(epoch, float(np.median([h['train_time_s']
                                            for h in est.history_[1:]])))
        if rep == 0:
            peak = C.peak_since(rss0)
            total_peak = C.memory_status().get('VmHWM', 0) / 2**20
    t_inf, _ = C.best_of(lambda: est.decision_function(bags), cfg['repeat'])
    N = len(bags)
    return {
        'bags': N, 'instances': int(sizes.sum()), 'size_mean': float(sizes.mean()),
        'size_max': int(sizes.max()), 'features': int(bags[0].shape[1]),
        'labels': int(Y.shape[1]), 'batch_size': est.batch_size, 'epochs_timed': E,
        f'fit_{1 + E}_epochs_s': fit_s, 'epoch_s': epoch,
        'setup_s': max(fit_s - (1 + E) * epoch, 0.0), 'train_bags_per_s': N / epoch,
        'train_instances_per_s': float(sizes.sum()) / epoch,
        'infer_s': t_inf, 'infer_bags_per_s': N / t_inf, 'peak_mib': peak / 2**20,
        'process_mib_before_fit': data_mib, 'process_peak_mib': total_peak,
    }


def _compare(cfg, threads):
    """Sparse (BagBatcher) vs dense (padded) training with the same network and loss;
    ``cfg['path']`` picks one (each in its own process for a clean memory peak)."""
    import copy
    from types import SimpleNamespace

    import numpy as np
    import torch
    # the dense baseline re-implements the network without the bag graph, so both
    # layouts train the paper preset's network (whatever --preset says)
    cfg = dict(cfg, preset='paper')
    bags, Y = _make_data(cfg)
    sizes_np = np.array([len(b) for b in bags])
    est = _estimator(cfg, 1).fit(bags[:256], Y[:256])  # warm-up, sets the shapes
    est = _estimator(cfg, 1)
    est.n_features_in_, est.n_labels_ = bags[0].shape[1], Y.shape[1]
    x_all = np.concatenate(bags).astype(np.float64)
    est.mean_ = x_all.mean(0)
    est.scale_ = np.where(x_all.std(0) > 1e-12, x_all.std(0), 1.0)
    del x_all
    torch.manual_seed(0)
    net = est._build_model()
    init = copy.deepcopy(net.state_dict())
    rss0 = C.reset_peak()
    t0 = time.perf_counter()
    batcher = est._prepare(bags, Y)
    dense = None
    if cfg['path'] == 'dense':
        dense = _dense_dataset(batcher)
    t_setup = time.perf_counter() - t0

    def dense_batch(idx):
        x, adj, mask, sizes = dense
        idx_t = torch.as_tensor(idx)
        m = int(sizes[idx_t].max())
        return SimpleNamespace(
            x=(x[idx_t, :m], adj[idx_t, :m, :m], mask[idx_t, :m]), edge_index=None,
            edge_weight=None, batch=None, y=batcher.bag_attrs['y'][idx_t],
            feat=batcher.bag_attrs['feat'][idx_t], num_bags=len(idx))

    # same outputs on a batch (the first 64 bags), from the same parameters
    # (training mode, batch statistics and the label graph included; without dropout,
    # whose masks differ between the two layouts)
    same = None
    if cfg.get('check', True) and cfg['path'] == 'dense':
        check = est.set_params(dropout=0.0)._build_model()
        est.set_params(dropout=net.dropout)
        check.load_state_dict(init)
        check.train()
        idx = np.arange(min(64, len(bags)))
        d_sparse = batcher.batch(idx)
        out_s = check(d_sparse.x, d_sparse.edge_index, d_sparse.edge_weight,
                      d_sparse.batch, d_sparse.y, num_bags=d_sparse.num_bags)
        check.load_state_dict(init)  # the enhancer's running buffers
        d_dense = dense_batch(idx)
        out_d = DenseGLEMIML(check)(d_dense.x, y=d_dense.y)
        same = all(bool(torch.allclose(a, b, rtol=1e-4, atol=1e-5))
                   for a, b in zip(out_s, out_d) if a is not None)

    est.model_ = DenseGLEMIML(net) if cfg['path'] == 'dense' else net
    opt = est._make_optimizer()
    params = [p for p in net.parameters() if p.requires_grad]
    rng = np.random.default_rng(0)
    times = []
    for epoch in range(1 + cfg['epochs']):
        est.model_.train()
        t0 = time.perf_counter()
        for idx in batcher.batch_indices(est.batch_size, shuffle=True, generator=rng,
                                         min_size=2):
            data = dense_batch(idx) if dense is not None else batcher.batch(idx)
            loss, parts = est._batch_loss(data)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 5.0, foreach=True)
            opt.step()
            float(loss.detach())
        times.append(time.perf_counter() - t0)
    peak = C.peak_since(rss0)
    epoch_s = min(times[1:])  # the first epoch is a warm-up
    out = {
        'path': cfg['path'], 'bags': len(bags), 'instances': int(sizes_np.sum()),
        'size_mean': float(sizes_np.mean()), 'size_max': int(sizes_np.max()),
        'features': int(bags[0].shape[1]), 'labels': int(Y.shape[1]),
        'batch_size': est.batch_size, 'setup_s': t_setup, 'epoch_s': epoch_s,
        'train_bags_per_s': len(bags) / epoch_s, 'peak_mib': peak / 2**20,
    }
    if dense is not None:
        out['padded_mib'] = sum(t.numel() * t.element_size() for t in dense[:3]) / 2**20
        out['same_outputs'] = same
    return out


def worker(cfg, threads):
    out = _compare(cfg, threads) if cfg['group'] == 'compare' else _library(cfg, threads)
    out.update(config=cfg['label'], group=cfg['group'], threads=threads)
    return out


# ----------------------------------------------------------------------- driver
def _label(cfg):
    if 'dataset' in cfg:
        return cfg['dataset']
    n = cfg['n']
    n = f'{n[0]}-{n[1]}' if isinstance(n, list) else str(n)
    s = f"{cfg['n_bags']} x {n} inst, d={cfg['d']}, L={cfg['L']}"
    if 'batch_size' in cfg:
        s += f", bs={cfg['batch_size']}"
    return s


def _configs(args):
    cfgs = []
    for g in args.groups:
        for c in GROUPS[g]:
            c = dict(c, group=g, repeat=args.repeat)
            big = c.get('n_bags', 0) * (c.get('n', 9) if isinstance(c.get('n', 9), int)
                                        else 9) >= 250_000
            c['epochs'] = min(2, args.epochs) if big else args.epochs
            if big:
                c['repeat'] = 1
            c['label'] = _label(c)
            if g == 'compare':
                for path in ('sparse', 'dense'):
                    cfgs.append(dict(c, path=path, label=c['label'] + f' [{path}]'))
            else:
                cfgs.append(c)
    return cfgs


def _slopes(rows):
    out = {}
    for group, key in (('bags', 'bags'), ('instances', 'instances')):
        rs = [r for r in rows if r['group'] == group]
        if len(rs) >= 3:
            out[f'epoch_time_vs_instances[{group}]'] = C.loglog_slope(
                [r['instances'] for r in rs], [r['epoch_s'] for r in rs])
            big = [r for r in rs if r['size_mean'] >= 8 or group == 'bags']
            if group == 'instances' and len(big) >= 3:
                out['epoch_time_vs_instances[instances, >= 8 per bag]'] = C.loglog_slope(
                    [r['instances'] for r in big], [r['epoch_s'] for r in big])
    for path in ('sparse', 'dense'):
        rs = [r for r in rows if r['group'] == 'compare' and r.get('path') == path
              and r['size_mean'] != 9]
        if len(rs) >= 3:
            out[f'epoch_time_vs_instances[compare {path}]'] = C.loglog_slope(
                [r['instances'] for r in rs], [r['epoch_s'] for r in rs])
    return out


def _plot(rows, slopes):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 3, figsize=(16, 9))
    panels = [('bags', 'bags', 'number of bags (9 x 15, 5 labels)'),
              ('instances', 'size_mean', 'instances per bag (2000 bags)'),
              ('labels', 'labels', 'number of labels (2000 bags)'),
              ('features', 'features', 'feature dimension (2000 bags)'),
              ('batch_size', 'batch_size', 'batch size (10k image-sized bags)')]
    for ax, (group, xkey, xlabel) in zip(axes.flat, panels):
        rs = [r for r in rows if r['group'] == group]
        if not rs:
            ax.set_visible(False)
            continue
        xs = [r[xkey] for r in rs]
        ax.loglog(xs, [r['train_bags_per_s'] for r in rs], 'ko-', label='training')
        ax.loglog(xs, [r['infer_bags_per_s'] for r in rs], 'C0s--',
                  label='inference (incl. graphs)')
        if group == 'bags':
            ax.axhline(10000, color='C3', ls=':', label='target 10,000 bags/s')
        ax.set_xlabel(xlabel)
        ax.set_ylabel('bags per second')
        ax2 = ax.twinx()
        ax2.loglog(xs, [r['epoch_s'] for r in rs], 'C2^:', label='epoch time')
        ax2.set_ylabel('seconds per epoch', color='C2')
        title = f'{group}'
        key = f'epoch_time_vs_instances[{group}]'
        if key in slopes:
            title += f' (epoch time ~ instances^{slopes[key]:.2f})'
        ax.set_title(title, fontsize=10)
        ax.grid(True, which='both', alpha=0.3)
        ax.legend(fontsize=8, loc='lower left')
    ax = axes.flat[5]
    comp = [r for r in rows if r['group'] == 'compare']
    if comp:
        for path, style in (('sparse', 'ko-'), ('dense', 'C1s--')):
            rs = [r for r in comp if r['path'] == path and r['size_mean'] != 9]
            ax.loglog([r['size_max'] for r in rs], [r['train_bags_per_s'] for r in rs],
                      style, label=f'{path} training bags/s')
        ax.set_xlabel('largest bag (sizes uniform 1..max, 2000 bags)')
        ax.set_ylabel('bags per second')
        ax.set_title('PyG sparse batching vs padded dense tensors', fontsize=10)
        ax.grid(True, which='both', alpha=0.3)
        ax.legend(fontsize=8)
    else:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if '--worker' in argv:
        return C.worker_main(argv, worker)
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--threads', type=int, default=int(os.environ.get('OMP_NUM_THREADS',
                                                                      2)))
    p.add_argument('--groups', nargs='*', default=GROUP_ORDER, choices=GROUP_ORDER)
    p.add_argument('--epochs', type=int, default=3, help='timed epochs E')
    p.add_argument('--repeat', type=int, default=2)
    p.add_argument('--quick', action='store_true')
    p.add_argument('--name', default=NAME)
    p.add_argument('--preset', default='default', choices=sorted(PRESETS),
                   help="the estimator's named configuration (groups of the library only; "
                   "'paper': no bag graph)")
    p.add_argument('--device', default='cpu',
                   help="where the estimator trains (groups of the library only)")
    args = p.parse_args(argv)
    if args.quick:
        for g in GROUPS:
            GROUPS[g] = GROUPS[g][:2]
        args.epochs, args.repeat = 1, 1
        args.name += '_quick'
    if 'datasets' in args.groups and not os.environ.get('GMIML_DATA'):
        print('GMIML_DATA is not set: skipping the real data sets')
        args.groups = [g for g in args.groups if g != 'datasets']

    meta = C.machine_meta(args.threads)
    rows = []
    script = os.path.abspath(__file__)
    for cfg in _configs(args):
        cfg['device'] = args.device
        cfg['preset'] = args.preset
        r = C.run_worker(script, cfg, args.threads, timeout=3600)
        rows.append(r)
        extra = (f", infer {r['infer_bags_per_s']:,.0f} bags/s" if 'infer_bags_per_s' in r
                 else '')
        print(f"{r['config']:>44}: train {r['train_bags_per_s']:>9,.0f} bags/s "
              f"(epoch {r['epoch_s']:.3f} s){extra}, peak {r['peak_mib']:.0f} MiB",
              flush=True)
    lib = [r for r in rows if r['group'] != 'compare']
    comp = [r for r in rows if r['group'] == 'compare']
    print()
    if lib:
        C.print_table(lib, [
            ('config', 'configuration'), ('instances', 'instances'),
            ('batch_size', 'batch'), ('setup_s', 'setup s'), ('epoch_s', 'epoch s'),
            ('train_bags_per_s', 'train bags/s'),
            ('train_instances_per_s', 'train inst/s'),
            ('infer_bags_per_s', 'infer bags/s'), ('peak_mib', 'peak MiB'),
            ('process_peak_mib', 'process peak MiB')],
            title=f'GLEMIMLClassifier (defaults, no validation), {args.threads} thread(s)')
    if comp:
        C.print_table(comp, [
            ('config', 'configuration'), ('instances', 'instances'),
            ('setup_s', 'setup s'), ('epoch_s', 'epoch s'),
            ('train_bags_per_s', 'train bags/s'), ('peak_mib', 'peak MiB'),
            ('padded_mib', 'padded MiB'), ('same_outputs', 'same outputs')],
            title='sparse (BagBatcher) vs dense padded batches, same network and loss')
    slopes = _slopes(rows)
    for k, v in slopes.items():
        print(f'log-log slope of {k}: {v:.3f}')
    headline = {}
    for r in rows:
        if r['group'] == 'bags' and r['bags'] == 10000:
            headline[f'train_bags_per_s_{args.threads}t'] = r['train_bags_per_s']
    C.write_results(args.name, meta, {'results': rows, 'slopes': slopes,
                                      'headline': headline}, _plot(rows, slopes))
    bad = [r['config'] for r in comp if r.get('same_outputs') is False]
    if bad:
        print(f'DENSE BASELINE DIFFERS from the sparse model: {bad}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
