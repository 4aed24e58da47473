"""MI-FLEM under the protocol of FLEM's public code (issue #14), beside that code's numbers.

Protocol (as FLEM's ``run_flem.py`` applied to MIML data): for each seed, the bags are
permuted by ``numpy.random.default_rng(seed).permutation``; the first 70 % train, the next
20 % validate (epoch selection by validation Hamming loss, inside :class:`MIFLEM`), the last
10 % test, scored once. MIFLEM runs at its defaults (AdamW lr 1e-3, batch 64, 30 epochs,
alpha = beta = 0.001, ``method='ld'``), which are FLEM's run-script settings; options can
be changed with ``--param key=value`` to compare readings.

The ``FLEM code`` rows are the numbers issue #14 reports for the FLEM authors' own
implementation under this protocol (seeds 0-2, mean; ``reference/flem_code_protocol.csv``);
they are quoted, not recomputed here.

Usage::

    python benchmarks/flem_protocol.py                      # image GS HM, seeds 0 1 2
    python benchmarks/flem_protocol.py --param classifier_init=kaiming --out results/x
"""
import argparse
import ast
import csv
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

__all__ = ['split', 'run', 'main', 'flem_code']

METRICS = ('hamming_loss', 'ranking_loss', 'mean_average_precision', 'macro_f1')
SHORT = {'hamming_loss': 'HL', 'ranking_loss': 'RL', 'mean_average_precision': 'mAP',
         'macro_f1': 'Ma-F1'}
_REFERENCE = Path(__file__).resolve().parent / 'reference' / 'flem_code_protocol.csv'


def flem_code() -> dict:
    """FLEM's public code under this protocol, as issue #14 reports it (seeds 0-2, mean):
    ``{dataset: {metric key: value}}`` from ``reference/flem_code_protocol.csv``."""
    key = {v: k for k, v in SHORT.items()}
    out = {}
    with open(_REFERENCE, newline='') as f:
        for row in csv.DictReader(f):
            out.setdefault(row['dataset'], {})[key[row['metric']]] = float(row['value'])
    return out


def split(n: int, seed: int):
    """(train, validation, test) indices: first 70 %, next 20 %, last 10 % of
    ``default_rng(seed).permutation(n)``."""
    perm = np.random.default_rng(seed).permutation(n)
    a, b = int(0.7 * n), int(0.9 * n)
    return perm[:a], perm[a:b], perm[b:]


def run(name: str, seed: int, params: dict) -> dict:
    """One data set and seed: the test metrics, the chosen epoch and the fit time."""
    from gmiml.baselines import MIFLEM
    from gmiml.datasets import load_bags
    from gmiml.metrics import evaluate
    data = load_bags(name)
    tr, va, te = split(len(data.bags), seed)
    take = lambda idx: [data.bags[i] for i in idx]  # noqa: E731
    est = MIFLEM(random_state=seed, **params)
    t0 = time.perf_counter()
    est.fit(take(tr), data.Y[tr], eval_set=(take(va), data.Y[va]))
    fit_s = time.perf_counter() - t0
    m = evaluate(data.Y[te], est.decision_function(take(te)), Y_pred=est.predict(take(te)))
    return {'dataset': name, 'seed': seed, 'metrics': {k: m[k] for k in METRICS},
            'best_epoch': est.best_epoch_, 'fit_time_s': fit_s}


def _table(rows, datasets, ref) -> str:
    out = ['| data | ' + ' | '.join(SHORT[k] for k in METRICS) + ' |',
           '|---|' + '---|' * len(METRICS)]
    for name in datasets:
        vals = {k: np.array([r['metrics'][k] for r in rows if r['dataset'] == name])
                for k in METRICS}
        n = len(vals[METRICS[0]])
        if name in ref:
            out.append(f'| {name}, FLEM code (issue #14) | '
                       + ' | '.join(f'{ref[name][k]:.3f}' for k in METRICS) + ' |')
        out.append(f'| {name}, gmiml MIFLEM ({n} seeds) | ' + ' | '.join(
            f'{v.mean():.3f} +- {v.std(ddof=1) if n > 1 else 0.0:.3f}'
            for v in vals.values()) + ' |')
    return '\n'.join(out)


def _param(text: str):
    if '=' not in text:
        raise argparse.ArgumentTypeError(f'{text!r}: expected key=value')
    key, value = text.split('=', 1)
    try:
        value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        pass  # a bare string such as kaiming
    return key, value


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--datasets', nargs='+', default=['image', 'GS', 'HM'])
    ap.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    ap.add_argument('--param', type=_param, action='append', default=[],
                    help='an MIFLEM constructor argument, key=value (repeatable)')
    ap.add_argument('--out', default='results', help='folder of flem_protocol.json/.md')
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    params = dict(args.param)
    rows = []
    for name in args.datasets:
        for seed in args.seeds:
            r = run(name, seed, params)
            rows.append(r)
            print(f"{name} seed {seed}: " + ', '.join(
                f"{SHORT[k]} {v:.4f}" for k, v in r['metrics'].items())
                + f", epoch {r['best_epoch']}, {r['fit_time_s']:.1f} s", flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cmd = 'python benchmarks/flem_protocol.py ' + ' '.join(sys.argv[1:] if argv is None
                                                           else argv)
    ref = flem_code()
    table = _table(rows, args.datasets, ref)
    (out / 'flem_protocol.json').write_text(json.dumps(
        {'command': cmd.strip(), 'params': params, 'flem_code': ref, 'rows': rows},
        indent=1, default=str) + '\n')
    (out / 'flem_protocol.md').write_text(
        '# MI-FLEM under the protocol of FLEM\'s code\n\n'
        'Splits: `numpy.random.default_rng(seed).permutation`, first 70 % train, next 20 % '
        'validation (epoch chosen on validation Hamming loss), last 10 % test; MIFLEM '
        f'defaults{" with " + str(params) if params else ""}; mean +- std (ddof 1) over '
        f'seeds {", ".join(map(str, args.seeds))}. The FLEM-code rows are quoted from '
        'issue #14 (the FLEM authors\' code under the same protocol, mean of seeds 0-2).\n\n'
        f'{table}\n\nCommand: `{cmd.strip()}`\n')
    print(table)
    return 0


if __name__ == '__main__':
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    sys.exit(main())
