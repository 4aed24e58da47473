"""Fit/predict time, peak memory and Table-2 metrics of the baselines, beside the paper.

    python benchmarks/bench_baselines.py                        # all baselines, 5 datasets
    python benchmarks/bench_baselines.py --methods MIMLNN EnMIMLNN --datasets image GS
    python benchmarks/bench_baselines.py --sc-scale             # synthetic data of SC's shape
    python benchmarks/bench_baselines.py --json out.json --seed 1

For every (baseline, dataset): the seeded, label-stratified 7:2:1 split of
:func:`gmiml.datasets.train_val_test_split` (train 70%, validation 10%, test 20%), fit on
the training part with the validation part passed as ``eval_set``, scores from
``decision_function`` and hard labels from ``predict`` on the test part, evaluated with
:func:`gmiml.metrics.evaluate`. The four metrics of the paper's Table 2 (HL, RL, mAP,
Ma-F1) are printed beside the paper's value for that method and dataset
(``reference/paper_table2.csv``). Baselines that do not import yet and datasets that are
not available are skipped with one line each.

Every cell runs in a fresh process (``spawn``), so "peak MB" is that cell's own peak
resident memory (loading the data included); ``--no-isolate`` runs in-process instead
(faster, but the peak is then the running maximum of the whole script).

``--sc-scale`` fits every baseline on synthetic data of the shape of the paper's largest
data set, SC (Saccharomyces cerevisiae: 3509 bags, 1566 labels, 216 features, about 1.86
instances per bag; ours draws 1 to 3, 2.0 on average), from
:func:`gmiml.datasets.make_synthetic_miml`, and reports time and peak memory. The paper
reports that MIMLWEL could not run on SC within 32 GB.

Threads: ``--threads`` (default 1) caps BLAS/OpenMP and torch threads in every cell.
"""
import argparse
import csv
import json
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Our name -> the paper's Table 2 name.
PAPER_NAMES = {
    'MIFLEM': 'MI-FLEM',
    'MIMLNN': 'MIMLNN',
    'MIMLSVM': 'MIMLSVM',
    'EnMIMLNN': 'EnMIMLNN',
    'MIMLWEL': 'MIMLWEL',
    'KISAR': 'KASIR',
}
METHODS = list(PAPER_NAMES)
DATASETS = ['image', 'text', 'GS', 'AV', 'HM']
METRICS = ['HL', 'RL', 'mAP', 'Ma-F1']
SC_SHAPE = dict(n_bags=3509, n_labels=1566, n_features=216, instances_per_bag=(1, 3))


def read_paper_table(path=HERE / 'reference' / 'paper_table2.csv'):
    """``{(dataset_lower, method, metric): value}`` from the paper's Table 2."""
    out = {}
    if not Path(path).exists():
        return out
    with open(path, newline='') as f:
        rows = (line for line in f if not line.startswith('#'))
        for r in csv.DictReader(rows):
            try:
                out[(r['dataset'].lower(), r['method'], r['metric'])] = float(r['value'])
            except ValueError:
                pass  # N/A
    return out


def _limit_threads(n):
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(n)
    threadpool_limits(n)


def _build(method, seed):
    import gmiml.baselines as B

    cls = getattr(B, method)
    params = cls().get_params()
    return cls(random_state=seed) if 'random_state' in params else cls()


def _peak_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _get_data(dataset, seed, root):
    import numpy as np

    from gmiml.datasets import load_bags, make_synthetic_miml, train_val_test_split

    if dataset == 'SC-scale':
        data = make_synthetic_miml(**SC_SHAPE, random_state=seed, name='SC-scale')
    else:
        data = load_bags(dataset, root=root)
    tr, va, te = train_val_test_split(data.Y, seed=seed)
    pick = lambda idx: [data.bags[i] for i in idx]  # noqa: E731
    return (pick(tr), data.Y[tr], pick(va), data.Y[va], pick(te), data.Y[te],
            float(np.mean([len(b) for b in data.bags])))


def run_cell(method, dataset, seed, root, threads):
    """One (method, dataset) cell; returns a JSON-able dict."""
    _limit_threads(threads)
    from gmiml.metrics import PAPER_METRICS, evaluate

    rec = {'method': method, 'dataset': dataset, 'seed': seed, 'threads': threads}
    bags, Y, vb, vY, tb, tY, ipb = _get_data(dataset, seed, root)
    rec.update(n_train=len(bags), n_test=len(tb), n_labels=int(Y.shape[1]),
               instances_per_bag=ipb)
    est = _build(method, seed)
    t = time.perf_counter()
    est.fit(bags, Y, eval_set=(vb, vY))
    rec['fit_s'] = time.perf_counter() - t
    t = time.perf_counter()
    scores = est.decision_function(tb)
    pred = est.predict(tb)
    rec['predict_s'] = time.perf_counter() - t
    res = evaluate(tY, scores, Y_pred=pred)
    rec['metrics'] = {short: float(res[key]) for short, key in PAPER_METRICS.items()}
    rec['all_metrics'] = {k: float(v) for k, v in res.items()}
    rec['peak_mb'] = _peak_mb()
    return rec


def _child(queue, *args):
    try:
        queue.put(run_cell(*args))
    except BaseException as e:  # report, do not hang the parent
        queue.put({'error': f'{type(e).__name__}: {e}',
                   'traceback': traceback.format_exc()})


def run_isolated(method, dataset, seed, root, threads, timeout):
    import multiprocessing as mp
    import queue as queue_mod

    ctx = mp.get_context('spawn')
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(q, method, dataset, seed, root, threads))
    p.start()
    try:
        rec = q.get(timeout=timeout)
    except queue_mod.Empty:
        p.kill()
        rec = {'error': f'timeout after {timeout:.0f} s'}
    p.join()
    return rec


def import_error(method):
    try:
        import gmiml.baselines as B

        getattr(B, method)
    except Exception as e:  # noqa: BLE001 - any import problem means "skip"
        return f'{type(e).__name__}: {e}'
    return None


def dataset_error(dataset, root):
    from gmiml.datasets import load_bags

    try:
        load_bags(dataset, root=root)
    except Exception as e:  # noqa: BLE001
        first = str(e).strip().splitlines()[0] if str(e).strip() else ''
        return f'{type(e).__name__}: {first}'
    return None


def _fmt(v, paper=None):
    s = 'nan' if v != v else f'{v:.4f}'
    return s + (f' ({paper:.4f})' if paper is not None else ' (  -   )')


def table_header():
    head = (f"{'dataset':9} {'method':9} {'fit s':>8} {'pred s':>7} {'peak MB':>8}  " +
            '  '.join(f'{m + " (paper)":>15}' for m in METRICS))
    return head + '\n' + '-' * len(head)


def table_row(r, paper):
    if 'error' in r:
        return f"{r['dataset']:9} {r['method']:9} FAILED: {r['error']}"
    key = (r['dataset'].lower(), PAPER_NAMES[r['method']])
    vals = '  '.join(f"{_fmt(r['metrics'][m], paper.get(key + (m, ))):>15}" for m in METRICS)
    return (f"{r['dataset']:9} {r['method']:9} {r['fit_s']:8.2f} {r['predict_s']:7.2f} "
            f"{r['peak_mb']:8.0f}  {vals}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--methods', nargs='+', default=METHODS, choices=METHODS)
    p.add_argument('--datasets', nargs='+', default=DATASETS)
    p.add_argument('--seed', type=int, default=0, help='split and model seed (default 0)')
    p.add_argument('--root', default=None,
                   help='data root (default: $GMIML_DATA, else datasets/raw)')
    p.add_argument('--sc-scale', action='store_true',
                   help="synthetic data of SC's shape instead of the datasets")
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--timeout', type=float, default=1800, help='seconds per cell')
    p.add_argument('--no-isolate', action='store_true',
                   help='run the cells in this process (peak memory is then cumulative)')
    p.add_argument('--json', default=None, help='write all records to this JSON file')
    args = p.parse_args(argv)

    methods = []
    for m in args.methods:
        err = import_error(m)
        if err:
            print(f'[bench_baselines] skipping {m}: does not import ({err})')
        else:
            methods.append(m)
    if args.sc_scale:
        datasets = ['SC-scale']
        print(f"[bench_baselines] SC-scale synthetic data: {SC_SHAPE}")
    else:
        datasets = []
        for d in args.datasets:
            err = dataset_error(d, args.root)
            if err:
                print(f'[bench_baselines] skipping dataset {d}: {err}')
            else:
                datasets.append(d)
    paper = read_paper_table()
    records = []
    for d in datasets:
        for m in methods:
            if args.no_isolate:
                try:
                    rec = run_cell(m, d, args.seed, args.root, args.threads)
                except Exception as e:  # noqa: BLE001
                    rec = {'error': f'{type(e).__name__}: {e}'}
            else:
                rec = run_isolated(m, d, args.seed, args.root, args.threads, args.timeout)
            rec.setdefault('method', m)
            rec.setdefault('dataset', d)
            records.append(rec)
            if len(records) == 1:
                print(table_header())
            print(table_row(rec, paper), flush=True)
    print('\nSummary (value (paper)); HL, RL lower is better; mAP, Ma-F1 higher:')
    print(table_header())
    for r in records:
        print(table_row(r, paper))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        with open(args.json, 'w') as f:
            json.dump({'argv': sys.argv[1:] if argv is None else argv, 'seed': args.seed,
                       'threads': args.threads, 'records': records}, f, indent=1)
        print(f'[bench_baselines] wrote {args.json}')
    return 1 if any('error' in r for r in records) else 0


if __name__ == '__main__':
    sys.exit(main())
