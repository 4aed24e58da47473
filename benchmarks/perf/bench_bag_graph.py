"""What the bag-level label propagation (the default's ``bag_graph``) costs: fit time per
epoch and prediction speed of GLEMIML's default against the paper preset, on image-sized
bags (synthetic, 9 instances x 15 features, 5 labels), one thread.

    OMP_NUM_THREADS=1 python benchmarks/perf/bench_bag_graph.py [--bags 2000] [--epochs 3]

Prints a table and writes ``benchmarks/perf/results/bag_graph.json`` (with the command).
Fit time includes the one-off neighbour search of the training bags against the bank;
prediction includes building the instance graphs and, for the default, the search of the
new bags against the bank.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from gmiml import GLEMIMLClassifier
from gmiml.datasets import make_synthetic_miml

OUT = Path(__file__).resolve().parent / 'results'


def _time(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--bags', type=int, default=2000)
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--threads', type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = make_synthetic_miml(n_bags=2 * args.bags, n_labels=5, n_features=15,
                               instances_per_bag=9, random_state=0)
    train, test = data.bags[:args.bags], data.bags[args.bags:]
    Y = data.Y[:args.bags]
    rows = []
    for name, est in [('default', GLEMIMLClassifier(random_state=0)),
                      ('paper', GLEMIMLClassifier.preset('paper', random_state=0))]:
        est.set_params(max_epochs=args.epochs, patience=args.epochs, validation_fraction=0)
        fit_s = _time(lambda: est.fit(train, Y))
        pred_s = _time(lambda: est.predict_proba(test))
        rows.append({'config': name, 'fit_s': fit_s, 'fit_s_per_epoch': fit_s / args.epochs,
                     'predict_bags_per_s': len(test) / pred_s})
    print(f"{'config':<8} {'fit s':>8} {'fit s/epoch':>12} {'predict bags/s':>15}")
    for r in rows:
        print(f"{r['config']:<8} {r['fit_s']:>8.1f} {r['fit_s_per_epoch']:>12.2f} "
              f"{r['predict_bags_per_s']:>15.0f}")
    OUT.mkdir(parents=True, exist_ok=True)
    out = {'command': 'python benchmarks/perf/bench_bag_graph.py '
                      + ' '.join(sys.argv[1:] if argv is None else argv),
           'bags': args.bags, 'epochs': args.epochs, 'threads': args.threads, 'rows': rows}
    (OUT / 'bag_graph.json').write_text(json.dumps(out, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
