"""GLEMIML's label enhancement on data with known label distributions: the calibrated
enhancement (default), its parts, and the paper's reading, beside fixed functions of the
logical labels. The last column is the mean mass a method puts on the relevant labels.

    python benchmarks/le_calibration.py                       # sj and ns, seeds 0-2
    python benchmarks/le_calibration.py --data my.mat --seeds 0 1
    python benchmarks/le_calibration.py --weights 1 1.5 3     # sensitivity to lambda
    python benchmarks/le_calibration.py --synthetic           # three synthetic sets

Protocol (the label-enhancement literature's): a ``.mat`` file with a feature matrix
(``features``) and a label-distribution matrix (``label_distribution``); logical labels
from the true distributions by the threshold rule (sort a row's labels by descending
significance, mark the smallest top set whose mass reaches 0.5,
:func:`gmiml.utils.label_calibration.threshold_rule`); every row a bag of one instance;
:class:`gmiml.GLEMIMLClassifier` with default parameters fitted on all rows with their
logical labels; the distributions of all rows recovered from features and logical labels
(transductive) and compared with the true ones by the six measures of
:func:`gmiml.metrics.evaluate_distribution`. The true distributions are used for scoring
only. Mean +- std over the seeds.

Rows: ``GLEMIML`` (default: ``le_calibration='rule'``, lambda = 2), ``GLEMIML lambda=w``
(``--weights``, the same fitted network recalibrated), ``GLEMIML global tau``
(``le_calibration='global'``: one temperature, no per-object step),
``GLEMIML classifier only`` /
``neighbours only`` (content from one source), ``GLEMIML paper`` (``le_calibration=None``,
the enhancer's softmax(z*)), ``softmax(L)`` and ``L/|L|``. ``fit_s``: the default fit
(network and calibration) in seconds with the threads given by ``--threads``.
``--synthetic``: three synthetic sets (:func:`synthetic_ldl`), instead of the default
data or besides the ``--data`` files.
Data: ``--data`` files, else ``ldl/sj.mat`` and ``ldl/ns.mat`` under ``$GMIML_DATA``.
"""
import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

KEYS = ('chebyshev', 'clark', 'canberra', 'kl_divergence', 'cosine', 'intersection')
HEAD = ('Chebyshev', 'Clark', 'Canberra', 'KL', 'cosine', 'intersection', 'relevant mass')


def _load(path: Path):
    from scipy.io import loadmat
    m = loadmat(str(path))
    for key in ('features', 'label_distribution'):
        if key not in m:
            sys.exit(f"{path}: no '{key}' matrix (has {sorted(k for k in m if k[0] != '_')})")
    X = np.asarray(m['features'], dtype=np.float32)
    D = np.asarray(m['label_distribution'], dtype=np.float64)
    if X.ndim != 2 or D.ndim != 2 or len(X) != len(D):
        sys.exit(f"{path}: features {X.shape} and label_distribution {D.shape} must be "
                 f"2-D with one row per object")
    return X, D / D.sum(axis=1, keepdims=True)


def synthetic_ldl(temperature: float, seed: int = 0, n: int = 600, d: int = 20,
                  n_labels: int = 8):
    """Objects with features ``x ~ N(0, I)`` and true distributions
    ``softmax((x W + 0.5 e) / temperature)``, ``W ~ N(0, 9/d)``, ``e ~ N(0, I)``: a flat
    (temperature 2), middle (1) or peaked (0.5) label-distribution set whose truth is known
    and which no method was tuned on."""
    r = np.random.default_rng(seed)
    X = r.normal(size=(n, d))
    Z = (X @ (r.normal(size=(d, n_labels)) * 3 / np.sqrt(d))
         + 0.5 * r.normal(size=(n, n_labels))) / temperature
    D = np.exp(Z - Z.max(axis=1, keepdims=True))
    return X.astype(np.float32), D / D.sum(axis=1, keepdims=True)


def _content_only(est, bags, Y, source: str):
    """Distributions with content from one source (the same temperature fit)."""
    from gmiml.utils.label_calibration import (calibrated_distribution,
                                               fit_rule_temperature,
                                               neighbour_label_average,
                                               rule_consistent_calibration)
    f = est.le_reference_
    if source == 'classifier':
        c = 1.0 / (1.0 + np.exp(-est.decision_function(bags)))
    else:
        c = neighbour_label_average(f, f, Y, est.le_neighbors)
    w, m = est.le_content_weight, est.le_mass
    w, t = rule_consistent_calibration(Y, c, fit_rule_temperature(Y, c, w, m), w, m)
    return calibrated_distribution(Y, c, t, w)


def run(name: str, X, D, seeds, weights):
    from gmiml import GLEMIMLClassifier
    from gmiml.metrics import evaluate_distribution
    from gmiml.utils.label_calibration import threshold_rule
    Y = threshold_rule(D)
    bags = [x[None, :] for x in X]
    rows = {}

    def add(name, P):
        e = evaluate_distribution(D, P)
        rows.setdefault(name, []).append([e[k] for k in KEYS] + [(P * Y).sum(1).mean()])

    times = []
    for s in seeds:
        t = time.perf_counter()
        est = GLEMIMLClassifier(random_state=s).fit(bags, Y)
        add('GLEMIML', est.label_distribution(bags, Y))
        times.append(time.perf_counter() - t)
        for w in weights:
            est.set_params(le_content_weight=w).calibrate_label_distribution(bags, Y)
            add(f'GLEMIML lambda={w:g}', est.label_distribution(bags, Y))
        est.set_params(le_content_weight=GLEMIMLClassifier().le_content_weight)
        est.calibrate_label_distribution(bags, Y)
        add('GLEMIML global tau', est.set_params(le_calibration='global')
            .label_distribution(bags, Y))
        est.set_params(le_calibration='rule')
        add('GLEMIML classifier only', _content_only(est, bags, Y, 'classifier'))
        add('GLEMIML neighbours only', _content_only(est, bags, Y, 'neighbours'))
        add('GLEMIML paper', est.set_params(le_calibration=None).label_distribution(bags, Y))
    Yf = Y.astype(np.float64)
    add('softmax(L)', np.exp(Yf) / np.exp(Yf).sum(axis=1, keepdims=True))
    add('L/|L|', Yf / Yf.sum(axis=1, keepdims=True))
    print(f"\n{name}: {len(X)} objects, {Y.shape[1]} labels, "
          f"{Y.sum(1).mean():.2f} relevant per object holding {(D * Y).sum(1).mean():.3f} "
          f"of the true mass; GLEMIML fit "
          f"{np.mean(times):.1f} +- {np.std(times):.1f} s; seeds {list(seeds)}")
    print(f"{'method':<26}" + ''.join(f'{k:>17}' for k in HEAD))
    for name, r in rows.items():
        r = np.asarray(r)
        print(f'{name:<26}' + ''.join(f'{m:>10.4f} +- {sd:.3f}'[-17:].rjust(17)
                                      for m, sd in zip(r.mean(0), r.std(0))))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--data', nargs='+', type=Path, help='.mat files (features, '
                    'label_distribution); default: ldl/sj.mat ldl/ns.mat under $GMIML_DATA')
    ap.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    ap.add_argument('--weights', nargs='*', type=float, default=[1.0, 3.0],
                    help='content weights lambda to recalibrate with')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--synthetic', action='store_true',
                    help='three synthetic sets (flat, middle, peaked distributions) instead '
                    'of the default data (with --data: besides the files)')
    args = ap.parse_args(argv)
    os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
    import torch
    torch.set_num_threads(args.threads)
    paths = args.data
    if not paths and not args.synthetic:
        root = Path(os.environ.get('GMIML_DATA', Path(__file__).resolve().parents[1]
                                   / 'datasets' / 'raw'))
        paths = [root / 'ldl' / 'sj.mat', root / 'ldl' / 'ns.mat']
    for p in paths or ():
        if not p.is_file():
            sys.exit(f"--data: {p} is not a file")
    warnings.simplefilter('ignore', UserWarning)
    for p in paths or ():
        run(p.name, *_load(p), args.seeds, args.weights)
    if args.synthetic:
        for name, t in (('synthetic flat', 2.0), ('synthetic middle', 1.0),
                        ('synthetic peaked', 0.5)):
            run(name, *synthetic_ldl(t), args.seeds, args.weights)


if __name__ == '__main__':
    main()
