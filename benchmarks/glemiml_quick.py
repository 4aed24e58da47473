"""GLEMIML with its default hyperparameters, and its ablations, beside the paper.

    python benchmarks/glemiml_quick.py                          # image + text, 5 seeds
    python benchmarks/glemiml_quick.py --datasets image GS --seeds 3
    python benchmarks/glemiml_quick.py --variants full C --json out.json

For every dataset and seed: the seeded, label-stratified 7:2:1 split of
:func:`gmiml.datasets.train_val_test_split` (train 70 %, validation 10 %, test 20 %);
:class:`gmiml.GLEMIMLClassifier` with default hyperparameters is fitted on the training
part with the validation part as ``eval_set`` (model selection / early stopping), and
evaluated on the test part with :func:`gmiml.metrics.evaluate` (ranking metrics on
``predict_proba``, threshold metrics on ``predict``). The table gives mean ± std over the
seeds of the paper's four metrics (HL, RL, mAP, Ma-F1) and the fit time, one row per
variant, next to the paper's GLEMIML row (``reference/paper_table2.csv``) and, for the
paper's ablations, its Table 3 (``reference/paper_table3.csv``, image and SC only).

Variants (``--variants``):

* ``full``: GLEMIML, default hyperparameters;
* ``A``: one-layer classifier (the paper's GLEMIML-A, ``classifier_layers=1``);
* ``B``: three-layer classifier (GLEMIML-B, ``classifier_layers=3``);
* ``C``: no instance interaction W(x) (GLEMIML-C, ``interaction=False``);
* ``noLE``: no label enhancement, the classifier alone on logical labels
  (``enhancement=False``; not in the paper).

The last lines count, per ablation, the cells (dataset x metric) where the full model is
better than that ablation on the mean. Data: ``GMIML_DATA`` or ``--root``.
Threads: ``--threads`` (default 2) caps torch and BLAS threads. ``--threshold val`` fits
with ``threshold='val'`` (one global threshold chosen on the validation part) instead of
the default 0.5.
"""
import argparse
import csv
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

VARIANTS = {
    'full': {},
    'A': {'classifier_layers': 1},
    'B': {'classifier_layers': 3},
    'C': {'interaction': False},
    'noLE': {'enhancement': False},
}
PAPER_SCENARIO = {'full': 'GLEMIML', 'A': 'GLEMIML-A', 'B': 'GLEMIML-B', 'C': 'GLEMIML-C'}
METRICS = {'HL': 'hamming_loss', 'RL': 'ranking_loss', 'mAP': 'mean_average_precision',
           'Ma-F1': 'macro_f1'}
LOWER = {'HL', 'RL'}


def _read_csv(path):
    if not path.exists():
        return []
    with open(path, newline='') as f:
        return list(csv.DictReader(line for line in f if not line.startswith('#')))


def paper_values():
    """``{(dataset_lower, scenario, metric): value}`` from Tables 2 (GLEMIML) and 3."""
    out = {}
    for r in _read_csv(HERE / 'reference' / 'paper_table2.csv'):
        if r['method'] == 'GLEMIML':
            out[(r['dataset'].lower(), 'GLEMIML', r['metric'])] = float(r['value'])
    for r in _read_csv(HERE / 'reference' / 'paper_table3.csv'):
        out[(r['dataset'].lower(), r['scenario'], r['metric'])] = float(r['value'])
    return out


def run_one(bags, Y, seed, params):
    from gmiml import GLEMIMLClassifier
    from gmiml.datasets import train_val_test_split
    from gmiml.metrics import evaluate
    tr, va, te = train_val_test_split(Y, seed=seed)
    est = GLEMIMLClassifier(random_state=seed, **params)
    t0 = time.perf_counter()
    est.fit([bags[i] for i in tr], Y[tr], eval_set=([bags[i] for i in va], Y[va]))
    fit_s = time.perf_counter() - t0
    test = [bags[i] for i in te]
    t0 = time.perf_counter()
    P = est.predict_proba(test)
    pred = est.predict(test)
    pred_s = time.perf_counter() - t0
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        m = evaluate(Y[te], P, Y_pred=pred)
    out = {short: float(m[key]) for short, key in METRICS.items()}
    out.update(fit_s=fit_s, predict_s=pred_s, best_epoch=int(est.best_epoch_),
               epochs=len(est.history_))
    return out


def fmt(vals, digits=4):
    vals = np.asarray(vals, dtype=float)
    return f"{vals.mean():.{digits}f} ± {vals.std():.{digits}f}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--datasets', nargs='+', default=['image', 'text'])
    ap.add_argument('--seeds', type=int, default=5, help='number of seeds (0..n-1)')
    ap.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument('--root', default=None, help='data folder (default: GMIML_DATA)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--threshold', default='0.5',
                    help="the estimator's threshold parameter: a probability or 'val'")
    ap.add_argument('--json', default=None, help='write all per-seed results here')
    args = ap.parse_args(argv)

    import torch
    torch.set_num_threads(args.threads)
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.threads)
    except ImportError:
        pass
    from gmiml.datasets import load_bags

    thr = args.threshold if args.threshold == 'val' else float(args.threshold)
    paper = paper_values()
    results = {}
    for ds in args.datasets:
        try:
            data = load_bags(ds, root=args.root)
        except Exception as e:  # missing data: say so and go on
            print(f"[skip] {ds}: {e}")
            continue
        results[ds] = {}
        for var in args.variants:
            runs = []
            for seed in range(args.seeds):
                runs.append(run_one(data.bags, data.Y, seed,
                                    dict(VARIANTS[var], threshold=thr)))
                print(f"  {ds} {var} seed {seed}: " + ' '.join(
                    f"{k}={runs[-1][k]:.4f}" for k in METRICS) +
                    f" fit={runs[-1]['fit_s']:.1f}s epochs={runs[-1]['epochs']}",
                    file=sys.stderr, flush=True)
            results[ds][var] = runs

    for ds, by_var in results.items():
        print(f"\n## {ds}  ({args.seeds} seeds, test split, mean ± std; threads="
              f"{args.threads}; threshold={args.threshold})\n")
        print(f"| variant | {' | '.join(METRICS)} | fit s | paper (Tab. 2/3) |")
        print('|---|' + '---|' * (len(METRICS) + 2))
        for var, runs in by_var.items():
            cells = [fmt([r[k] for r in runs]) for k in METRICS]
            pv = [paper.get((ds.lower(), PAPER_SCENARIO.get(var, ''), k)) for k in METRICS]
            pstr = ' / '.join('-' if v is None else f"{v:.4f}" for v in pv)
            print(f"| {var} | {' | '.join(cells)} | {fmt([r['fit_s'] for r in runs], 1)} "
                  f"| {pstr} |")
    if 'full' in args.variants:
        print()
        for var in args.variants:
            if var == 'full':
                continue
            wins = total = 0
            for ds, by_var in results.items():
                if var not in by_var:
                    continue
                for k in METRICS:
                    f = np.mean([r[k] for r in by_var['full']])
                    a = np.mean([r[k] for r in by_var[var]])
                    total += 1
                    wins += (f < a) if k in LOWER else (f > a)
            print(f"full better than {var} on {wins}/{total} cells (mean over seeds)")
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'args': vars(args), 'results': results}, f, indent=1)


if __name__ == '__main__':
    main()
