"""GLEMIML's default against its paper preset and the ablations of the default, on the
library's own splits (``gmiml.datasets.train_val_test_split(Y, seed)``): fit on the
training part with ``eval_set`` = the validation part, score the test part; one CPU
thread; the label-frequency prior on the same splits. Writes one JSON line per
(data set, seed, configuration) to ``--out``; nothing is chosen on the test part.

Usage (the numbers of ``docs/method.md``, "Beyond the paper")::

    OMP_NUM_THREADS=1 python benchmarks/glemiml_defaults.py --datasets GS AV HM \\
        --seeds 0 1 2 3 4 --configs default paper noBG noHub meanBG noPB t05
    OMP_NUM_THREADS=1 python benchmarks/glemiml_defaults.py --datasets image text \\
        --seeds 0 1 2 3 4 --configs default paper
    OMP_NUM_THREADS=1 python benchmarks/glemiml_defaults.py --datasets text GS AV HM \\
        --seeds 0 1 2 3 4 --configs default noBG alpha75     # "The tuning grid"
"""
import argparse
import json
import os
import time
import warnings

os.environ.setdefault('OMP_NUM_THREADS', '1')

import numpy as np  # noqa: E402
import torch  # noqa: E402

from gmiml.datasets import load_bags, train_val_test_split  # noqa: E402
from gmiml.estimators.glemiml_classifier import GLEMIMLClassifier  # noqa: E402
from gmiml.metrics import evaluate  # noqa: E402

CONFIGS = {'default': {}, 'paper': None, 'noBG': {'bag_graph': None},
           'noHub': {'bag_beta': 0.0}, 'meanBG': {'bag_graph': 'mean'},
           'noPB': {'prior_bias': False}, 't05': {'threshold': 0.5},
           'alpha75': {'bag_alpha': 0.75}}
KEYS = {'hamming_loss': 'HL', 'ranking_loss': 'RL', 'mean_average_precision': 'mAP',
        'macro_f1': 'MaF1'}


def _scores(Y, P, H):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        m = evaluate(Y, P, Y_pred=H)
    return {a: float(m[k]) for k, a in KEYS.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--datasets', nargs='+', default=['GS', 'AV', 'HM', 'image', 'text'])
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2, 3, 4])
    p.add_argument('--configs', nargs='+', default=['default', 'paper'],
                   choices=list(CONFIGS))
    p.add_argument('--out', default='glemiml_defaults.jsonl')
    a = p.parse_args()
    torch.set_num_threads(1)
    for ds in a.datasets:
        data = load_bags(ds)
        bags, Y = list(data.bags), (np.asarray(data.Y) > 0).astype(np.uint8)
        for s in a.seeds:
            tr, va, te = train_val_test_split(Y, seed=s)
            part = lambda idx: [bags[i] for i in idx]  # noqa: E731
            P = np.tile(Y[tr].mean(0), (len(te), 1))
            recs = [{'config': 'prior', 'dataset': ds, 'seed': s,
                     'test': _scores(Y[te], P, (P >= 0.5).astype(np.uint8))}]
            for name in a.configs:
                cfg = CONFIGS[name]
                est = (GLEMIMLClassifier.preset('paper', random_state=s) if cfg is None
                       else GLEMIMLClassifier(random_state=s, **cfg))
                t0 = time.perf_counter()
                est.fit(part(tr), Y[tr], eval_set=(part(va), Y[va]))
                rec = {'config': name, 'dataset': ds, 'seed': s,
                       'fit_s': time.perf_counter() - t0, 'best_epoch': est.best_epoch_}
                for key, idx in (('val', va), ('test', te)):
                    t0 = time.perf_counter()
                    rec[key] = _scores(Y[idx], est.predict_proba(part(idx)),
                                       est.predict(part(idx)))
                    rec[f'{key}_predict_s'] = time.perf_counter() - t0
                recs.append(rec)
                print(json.dumps(rec), flush=True)
            with open(a.out, 'a') as fh:
                fh.writelines(json.dumps(r) + '\n' for r in recs)


if __name__ == '__main__':
    main()
