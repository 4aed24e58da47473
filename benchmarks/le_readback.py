"""Rows whose content contradicts their logical labels: how many rows the threshold rule
does not read back as their logical labels with a per-row temperature alone
(``rule_consistent_temperatures``, before) and with the content weight shrunk where no
temperature does (``rule_consistent_calibration``, after), on the same fitted models, and
the six LE measures of both.

    python benchmarks/le_readback.py sj          # also ns (seeds 0-2, GLEMIMLEnhancer)
    python benchmarks/le_readback.py image       # test bags of the library split, seed 0

One JSON line per fit: ``inconsistent_*`` (rows not read back), ``argmax_irrelevant_*``
(rows whose most significant label is not one of their labels), ``weight_shrunk``,
``consistent_rows_bit_identical`` and, for sj / ns, the measures ``before`` / ``after``.
"""
import argparse
import json

import numpy as np

__all__ = ['compare', 'main']


def compare(model, bags, Y):
    """Before/after distributions of checked ``bags`` with labels ``Y`` and the counts."""
    from gmiml.utils import label_calibration as LC
    c = model._le_content(model._bag_means(bags), model._logits(model._prepare(bags)))
    w0, t0, m = model.le_content_weight, model.le_temperature_, model.le_mass
    D_old = LC.calibrated_distribution(Y, c, LC.rule_consistent_temperatures(Y, c, t0, w0,
                                                                              m), w0)
    w, t = LC.rule_consistent_calibration(Y, c, t0, w0, m)
    D_new = LC.calibrated_distribution(Y, c, t, w)
    assert np.allclose(D_new, model.label_distribution(bags, Y))
    bad = lambda D: int((LC.threshold_rule(D, m) != Y).any(axis=1).sum())  # noqa: E731
    off = lambda D: int((Y[np.arange(len(Y)), D.argmax(1)] == 0).sum())  # noqa: E731
    same = w == w0
    return D_old, D_new, dict(
        n=len(Y), inconsistent_before=bad(D_old), inconsistent_after=bad(D_new),
        argmax_irrelevant_before=off(D_old), argmax_irrelevant_after=off(D_new),
        weight_shrunk=int((~same).sum()), weight_zero=int((w == 0).sum()),
        consistent_rows_bit_identical=bool((D_old[same] == D_new[same]).all()))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('data', choices=('sj', 'ns', 'image'))
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    opts = ap.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    import gmiml
    if opts.data == 'image':
        B = gmiml.load_bags('image')
        Y = np.asarray(B.Y, dtype=np.uint8)
        tr, _, te = gmiml.datasets.train_val_test_split(Y, seed=0)
        clf = gmiml.GLEMIMLClassifier(max_epochs=30, random_state=0)
        clf.fit([B.bags[i] for i in tr], Y[tr])
        info = compare(clf, clf._validate_bags([B.bags[i] for i in te]), Y[te])[2]
        print('image test', json.dumps(info), flush=True)
        return 0
    from gmiml.datasets import resolve_root
    from gmiml.estimators.glemiml_enhancer import GLEMIMLEnhancer
    from gmiml.io import read_ldl_mat
    from gmiml.metrics import evaluate_distribution
    from gmiml.utils import logical_from_distribution
    d = read_ldl_mat(resolve_root()[0] / 'ldl' / f'{opts.data}.mat')
    L = logical_from_distribution(d.D).astype(np.uint8)
    for s in opts.seeds:
        model = GLEMIMLEnhancer(random_state=s).fit(d.X, L).model_
        bags = model._validate_bags([x[None, :] for x in np.asarray(d.X, np.float32)])
        D_old, D_new, info = compare(model, bags, L)
        info['before'] = evaluate_distribution(d.D, D_old)
        info['after'] = evaluate_distribution(d.D, D_new)
        print(opts.data, s, json.dumps(info), flush=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
