"""The headline figures of the performance benchmarks, from their results files.

Reads ``results/*.json`` as the scripts of this folder wrote them and prints (and writes
``results/SUMMARY.md``) one table per question, with the issue's targets beside the
measured values and the file and command each figure comes from. It measures nothing:
every number is one a benchmark measured, or (marked so) a log-log fit to them.

Usage::

    python benchmarks/perf/summary.py
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402


def _load(name):
    path = os.path.join(C.RESULTS, f'{name}.json')
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def _row(d, config):
    for r in d['results']:
        if r['config'] == config:
            return r
    return None


def _src(d, name):
    m = d['meta']
    load = m.get('load_average_1_5_15_at_start')
    return (f"`results/{name}.json` (`{m['command']}`, {m['date']}, "
            f"load average at start {load[0] if load else '?'})")


def _fmt(v, digits=0):
    return f'{v:,.{digits}f}'


def _thread_runs(stem, configs, srcs):
    """``(threads, row)`` of the rows named ``configs`` in ``<stem>_1t.json`` and
    ``<stem>_2t.json`` (those present); their sources go to ``srcs``."""
    for t in (1, 2):
        name = f'{stem}_{t}t'
        d = _load(name)
        if d is None:
            continue
        srcs.append(_src(d, name))
        for cfg in configs:
            r = _row(d, cfg)
            if r is not None:
                yield t, r


def graph_section(out):
    out.append('## Mutual-kNN graph building (target: >= 100x a per-bag loop on text)\n')
    out.append('| threads | data | batched bags/s | scikit-learn loop bags/s | speed-up | '
               'vs scipy cKDTree loop | peak extra MiB | same graph |')
    out.append('|---|---|---|---|---|---|---|---|')
    srcs = []
    for t, r in _thread_runs('graph_building', ('text', 'image', '100000 bags x 2-8',
                                                '1000 bags x 512'), srcs):
        out.append(f"| {t} | {r['config']} | {_fmt(r['batched_bags_per_s'])} | "
                   f"{_fmt(r['sklearn_bags_per_s'])} | "
                   f"{r['speedup_vs_sklearn']:.0f}x | {r['speedup_vs_kdtree']:.1f}x | "
                   f"{r['batched_peak_extra_rss_mib']:.1f} | "
                   f"{'yes' if r['all_checks_pass'] else 'NO'} |")
    out += [''] + [f'- {s}' for s in srcs] + ['']


def hausdorff_section(out):
    out.append('## Hausdorff bag-distance matrices (target: >= 50x a scipy loop)\n')
    out.append('| threads | data | bags | batched pairs/s | scipy loop pairs/s | speed-up | '
               'peak extra MiB | max relative error |')
    out.append('|---|---|---|---|---|---|---|---|')
    srcs = []
    for t, r in _thread_runs('hausdorff', ('4000 GS-like bags', 'GS'), srcs):
        out.append(f"| {t} | {r['config']} | {r['bags']} | "
                   f"{_fmt(r['batched_pairs_per_s'])} | {_fmt(r['scipy_pairs_per_s'])} "
                   f"| {r['speedup_vs_scipy']:.0f}x | "
                   f"{r['batched_peak_extra_rss_mib']:.0f} | "
                   f"{r['max_relative_error']:.1e} |")
    out += [''] + [f'- {s}' for s in srcs] + ['']


def training_section(out):
    out.append('## GLEMIML training (target: >= 10,000 bags/s per epoch on image-sized '
               'bags; 100k bags within 24 GiB)\n')
    out.append('Image-sized bags: 9 instances x 15 features, 5 labels; '
               '`GLEMIMLClassifier` defaults (batch 64), no validation pass.\n')
    out.append('| threads | configuration | train bags/s | epoch s | inference bags/s | '
               'peak extra MiB | process peak MiB |')
    out.append('|---|---|---|---|---|---|---|')
    srcs = []
    image_sized = ('10000 x 9 inst, d=15, L=5', '10000 x 9 inst, d=15, L=5, bs=64',
                   '100000 x 9 inst, d=15, L=5', 'image', 'text')
    for name, configs in (('training_1t', image_sized), ('training_2t', image_sized),
                          ('training_large_1t', None)):
        d = _load(name)
        if d is None:
            continue
        srcs.append(_src(d, name))
        rows = d['results'] if configs is None else [
            r for c in configs for r in [_row(d, c)] if r is not None]
        for r in rows:
            peak = r.get('process_peak_mib')
            out.append(f"| {r['threads']} | {r['config']} | {_fmt(r['train_bags_per_s'])} "
                       f"| {r['epoch_s']:.3f} | {_fmt(r['infer_bags_per_s'])} | "
                       f"{r['peak_mib']:.0f} | {'-' if peak is None else _fmt(peak)} |")
    out += [''] + [f'- {s}' for s in srcs] + ['']

    bag_graph_section(out)
    d = _load('training_1t')
    if d is None:
        return
    out.append('### Scaling: log-log slope of epoch time against the number of instances '
               '(1 = linear)\n')
    out.append('| sweep | slope |')
    out.append('|---|---|')
    for k, v in d.get('slopes', {}).items():
        out.append(f'| {k} | {v:.3f} |')
    # inference includes building the instance graphs, exact kNN inside every bag:
    # quadratic in the bag size by nature (fits made here from the measured rows)
    for group in ('bags', 'instances'):
        rs = [r for r in d['results'] if r['group'] == group]
        if len(rs) >= 3:
            v = C.loglog_slope([r['instances'] for r in rs], [r['infer_s'] for r in rs])
            out.append(f'| inference_time_vs_instances[{group}] (fit here, graphs '
                       f'included) | {v:.3f} |')
    out.append('')
    comp = [r for r in d['results'] if r['group'] == 'compare']
    if comp:
        out.append('### PyG sparse batching against padded dense tensors (same network, '
                   'loss and steps)\n')
        out.append('| bags | sparse bags/s | dense bags/s | sparse / dense | sparse peak MiB '
                   '| dense peak MiB | same outputs |')
        out.append('|---|---|---|---|---|---|---|')
        base = sorted({r['config'].rsplit(' [', 1)[0] for r in comp},
                      key=lambda c: [r['size_max'] for r in comp
                                     if r['config'].startswith(c)][0])
        for c in base:
            sp = _row(d, c + ' [sparse]')
            de = _row(d, c + ' [dense]')
            if sp is None or de is None:
                continue
            out.append(f"| {c} | {_fmt(sp['train_bags_per_s'])} | "
                       f"{_fmt(de['train_bags_per_s'])} | "
                       f"{sp['train_bags_per_s'] / de['train_bags_per_s']:.2f}x | "
                       f"{sp['peak_mib']:.0f} | {de['peak_mib']:.0f} | "
                       f"{'yes' if de.get('same_outputs') else 'NO'} |")
        out.append('')


def bag_graph_section(out):
    """The defaults (with the bag graph) against the paper preset, run back to back; the
    tables above were measured before the bag graph existed (then-defaults)."""
    dg, dp = _load('training_bag_graph_1t'), _load('training_paper_1t')
    if dg is None or dp is None:
        return
    out.append('### With the bag graph: the defaults against the paper preset (1 thread, '
               'back to back)\n')
    before = _load('training_1t')
    when = before['meta']['date'][:10] if before else 'an earlier day'
    out.append(f'The rows above were measured on {when}, before the bag graph existed. '
               'Setup: the fit minus its epochs (neighbour search, label-enhancement '
               'calibration); inference includes the search against the bank.\n')
    out.append('| configuration | default bags/s | paper bags/s | default setup s | '
               'paper setup s | default inference bags/s | paper inference bags/s |')
    out.append('|---|---|---|---|---|---|---|')
    for r in dg['results']:
        q = _row(dp, r['config'])
        if q is None:
            continue
        out.append(f"| {r['config']} | {_fmt(r['train_bags_per_s'])} | "
                   f"{_fmt(q['train_bags_per_s'])} | {r['setup_s']:.1f} | "
                   f"{q['setup_s']:.1f} | {_fmt(r['infer_bags_per_s'])} | "
                   f"{_fmt(q['infer_bags_per_s'])} |")
    out += ['', f"- {_src(dg, 'training_bag_graph_1t')}",
            f"- {_src(dp, 'training_paper_1t')}", '']


def memory_section(out):
    rows = []
    for name in sorted(f[:-5] for f in os.listdir(C.RESULTS)
                       if f.startswith('fit_memory') and f.endswith('.json')):
        d = _load(name)
        rows.append((name, d))
    if not rows:
        return
    out.append('## Peak extra memory of one fit (`bench_fit_memory.py`)\n')
    out.append('| results file | gmiml commit | bags | instances x features | float32 data MiB | '
               'fit peak extra MiB | fit s |')
    out.append('|---|---|---|---|---|---|---|')
    for name, d in rows:
        r = d['result']
        out.append(f"| `{name}.json` | {(r['gmiml_commit'] or '?')[:7]} | {r['bags']} | "
                   f"{r['instances']:,} x {r['features']} | {r['float32_data_mib']:,.0f} | "
                   f"{r['peak_extra_mib']:,.0f} | {r['fit_1_epoch_s']:.1f} |")
    out.append('')


def roofline_section(out):
    d = _load('roofline')
    if d is None or 'model' not in d:
        return
    m = d['model']
    out.append('## Roofline\n')
    out.append(f"GLEMIMLNet training step: {_fmt(m['train_flops_per_bag'])} FLOPs per bag "
               f"({m['bag_shape'][0]} x {m['bag_shape'][1]}, {m['labels']} labels, hidden "
               f"{m['hidden']}, batch {m['batch_size']}; forward + backward, matrix "
               f"products counted by `torch.utils.flop_counter`).\n")
    out.append('| threads | matmul peak GFLOP/s | model-shaped matmul GFLOP/s | training '
               'bags/s | achieved GFLOP/s | fraction of peak | bags/s if only the '
               'products ran |')
    out.append('|---|---|---|---|---|---|---|')
    for r in d['machine']:
        if 'achieved_gflops' not in r:
            continue
        out.append(f"| {r['threads']} | {r['peak_gflops']:.0f} | "
                   f"{r['instances 4608x64 @ 64x64']:.0f} | {_fmt(r['train_bags_per_s'])} "
                   f"| {r['achieved_gflops']:.2f} | {100 * r['fraction_of_peak']:.2f}% | "
                   f"{_fmt(r['matmul_bound_bags_per_s'])} |")
    out += ['', f"- {_src(d, 'roofline')}", '']


def distributed_section(out):
    d = _load('distributed')
    if d is None:
        return
    out.append(f"## Data-parallel training ({d['world_size']} processes, gloo)\n")
    out.append('| configuration | processes x threads | epoch s | train bags/s | speed-up |')
    out.append('|---|---|---|---|---|')
    for r in d['results']:
        out.append(f"| {r['config']} | {r['mode']} | {r['epoch_s']:.3f} | "
                   f"{_fmt(r['train_bags_per_s'])} | {r['speedup']:.2f}x |")
    out += ['', f"- {_src(d, 'distributed')}", '']
    a = _load('allreduce')
    if a is not None:
        r = a['results'][0]
        out.append(f"gloo all-reduce latency (process 0): "
                   f"{r['latency_ms[17 floats]']:.2f} ms for 17 floats, "
                   f"{r['latency_ms[80k floats]']:.2f} ms for 80k floats; a data-parallel "
                   f"step (image-sized bags, batch 64) makes "
                   f"{r['allreduces_per_step']:.0f} all-reduces and takes "
                   f"{r['step_ms']:.1f} ms.\n")
        out += [f"- {_src(a, 'allreduce')}", '']


def main():
    out = ['# Performance summary', '',
           'Made by `python benchmarks/perf/summary.py` from the results files in this '
           'folder; each section names the files and the commands that measured it.', '']
    for section in (graph_section, hausdorff_section, training_section, memory_section,
                    roofline_section, distributed_section):
        section(out)
    text = '\n'.join(out).rstrip() + '\n'
    path = os.path.join(C.RESULTS, 'SUMMARY.md')
    with open(path, 'w') as f:
        f.write(text)
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
