"""Model selection on the validation part: every configuration fitted, one criterion, the
best kept (ties: the earlier), the test part scored once; the reference protocol fits
configuration 0 only; the k-fold protocol splits as documented."""
import math

import numpy as np
import pytest

from bench_helpers import cell_file, load

S = 'bench_stubs'


def test_criterion_is_the_mean_of_the_four_oriented_metrics():
    from suite.selection import criterion
    m = {'hamming_loss': 0.1, 'ranking_loss': 0.2, 'mean_average_precision': 0.5,
         'macro_f1': 0.4}
    assert criterion(m) == pytest.approx((0.9 + 0.8 + 0.5 + 0.4) / 4)
    assert criterion({**m, 'mean_average_precision': math.nan}) == pytest.approx(
        (0.9 + 0.8 + 0.4) / 3)
    try:  # the estimator's epoch criterion is the same one
        from gmiml.estimators.glemiml_classifier import _auto_score
    except ImportError:
        return
    assert criterion(m) == pytest.approx(_auto_score(m))


def test_select_ties_go_to_the_earlier_configuration_and_failures_are_recorded():
    from suite.selection import select

    class Est:
        def __init__(self, c):
            self.c = c

    def fit(est):
        if est.c['q'] is None:
            raise RuntimeError('diverged')
        return est

    import suite.selection as sel
    orig = sel._evaluate
    sel._evaluate = lambda est, b, y: {'hamming_loss': 1 - est.c['q'], 'ranking_loss': 0.0,
                                       'mean_average_precision': 1.0, 'macro_f1': 1.0}
    try:
        logs = []
        (i, est), recs = select([{'q': 0.2}, {'q': None}, {'q': 0.9}, {'q': 0.9}],
                                Est, fit, None, None, logs.append)
        assert i == 2 and est.c == {'q': 0.9}
        assert [r['status'] for r in recs] == ['ok', 'failed', 'ok', 'ok']
        assert recs[1]['error'] == 'RuntimeError: diverged' and recs[1]['val_criterion'] is None
        assert all(r['fit_time_s'] >= 0 for r in recs)
        with pytest.raises(RuntimeError, match='diverged'):
            select([{'q': None}], Est, fit, None, None, logs.append)
    finally:
        sel._evaluate = orig


def test_tuned_cell_records_every_configuration_and_keeps_the_best(run, no_data):
    out = no_data / 'o'
    assert run('--methods', f'{S}:GridStub', '--seeds', '0', out=out) == 0
    r = load(cell_file(out, 'GridStub'))
    sel = r['selection']
    assert sel['source'] == 'param_grid' and sel['declared'] == 4
    assert [c['params']['quality'] for c in sel['configs']] == [0, 2, 1]  # duplicate fitted once
    crit = [c['val_criterion'] for c in sel['configs']]
    assert crit[1] > crit[2] > crit[0]
    assert sel['chosen'] == 1 and r['params']['quality'] == 2
    assert r['fit_time_s'] == sel['configs'][1]['fit_time_s']
    assert sel['fit_time_total_s'] == pytest.approx(sum(c['fit_time_s']
                                                        for c in sel['configs']))
    assert 'validation' in sel['criterion'] and set(sel['configs'][0]['val_metrics']) >= {
        'hamming_loss', 'ranking_loss', 'mean_average_precision', 'macro_f1'}
    t2 = (out / 'table2.md').read_text()
    assert 'mean of 1-HL, 1-RL, mAP and Ma-F1 on the validation part' in t2
    assert '| synthetic-40 | GridStub | 0: 1 |' in t2


def test_reference_protocol_fits_configuration_0_only(run, no_data):
    out = no_data / 'o'
    assert run('--methods', f'{S}:GridStub', '--seeds', '0', '--selection', 'reference',
               out=out) == 0
    r = load(cell_file(out, 'GridStub', key='reference-holdout'))
    assert r['selection']['n_configs'] == 1 and r['params']['quality'] == 0


def test_method_params_override_the_grid(no_data):
    from bench_stubs import GridStub
    from suite.methods import MethodSpec, configurations
    spec = MethodSpec('G', 'G', f'{S}:GridStub', params={'quality': 1})
    cfgs, note = configurations(spec, GridStub)
    assert cfgs == [{'quality': 1}] and note == {'declared': 4, 'source': 'param_grid'}
    spec = MethodSpec('G', 'G', f'{S}:GridStub', grid=({'quality': 2}, {}))
    assert configurations(spec, GridStub)[0] == [{'quality': 2}, {}]


def test_ablation_grids_are_the_glemiml_grid_with_the_switch(monkeypatch):
    from gmiml import GLEMIMLClassifier
    from suite.methods import METHODS, configurations
    monkeypatch.setattr(GLEMIMLClassifier, 'param_grid',
                        [{'lr': 3e-3}, {'lr': 1e-3, 'classifier_layers': 3}], raising=False)
    full, _ = configurations(METHODS['GLEMIML'], GLEMIMLClassifier)
    a, _ = configurations(METHODS['GLEMIML-A'], GLEMIMLClassifier)
    c, _ = configurations(METHODS['GLEMIML-C'], GLEMIMLClassifier)
    assert full == [{'lr': 3e-3}, {'lr': 1e-3, 'classifier_layers': 3}]
    assert a == [{'lr': 3e-3, 'classifier_layers': 1}, {'lr': 1e-3, 'classifier_layers': 1}]
    assert c == [{'lr': 3e-3, 'interaction': False},
                 {'lr': 1e-3, 'classifier_layers': 3, 'interaction': False}]
    paper, _ = configurations(METHODS['GLEMIML-paper'], GLEMIMLClassifier)
    assert len(paper) == 1 and paper[0]['lr'] == 3e-3 and paper[0]['rho'] == 0.9
    quick, _ = configurations(METHODS['GLEMIML'], GLEMIMLClassifier, quick=True)
    assert all(q['max_epochs'] == 15 and q['patience'] == 5 for q in quick)


def test_glemiml_paper_preset_builds():
    from gmiml import GLEMIMLClassifier
    from suite.methods import GLEMIML_PAPER_PARAMS, build
    est = build(GLEMIMLClassifier, GLEMIML_PAPER_PARAMS, seed=3)
    p = est.get_params()
    assert p['random_state'] == 3 and all(p[k] == v for k, v in GLEMIML_PAPER_PARAMS.items())


def test_no_quick_keys_that_the_estimators_do_not_take():
    from suite.methods import METHODS, configurations, resolve_class
    for spec in METHODS.values():
        configurations(spec, resolve_class(spec.target), quick=True)  # raises on a bad key


def test_method_without_a_grid_is_noted(run, no_data):
    out = no_data / 'o'
    assert run('--methods', f'{S}:NoReferenceGrid', f'{S}:GridStub', '--seeds', '0',
               out=out) == 0
    t2 = (out / 'table2.md').read_text()
    assert 'Configurations fitted per cell: NoReferenceGrid 1, GridStub 3.' in t2
    assert 'NoReferenceGrid — the same under both protocols' in t2
    assert 'different selection budgets' in t2


@pytest.mark.parametrize('k', [3, 5])
def test_kfold_split_indices(k):
    from gmiml.datasets import make_synthetic_miml
    from suite.protocol import Protocol
    Y = make_synthetic_miml(n_bags=100, n_labels=6, n_features=5, random_state=1).Y
    p = Protocol('tuned', 'kfold', k)
    tests = []
    for f in range(k):
        tr, va, te = p.split_indices(Y, 0, f)
        assert not (set(tr) & set(va) or set(tr) & set(te) or set(va) & set(te))
        assert len(tr) + len(va) + len(te) == 100
        assert abs(len(va) - (100 - len(te)) / 8) <= 1
        tests.append(te)
    assert sorted(np.concatenate(tests).tolist()) == list(range(100))


def test_kfold_run_makes_a_cell_per_fold(run, no_data):
    out = no_data / 'o'
    assert run('--methods', 'MIMLNN', '--seeds', '0', '--split', 'kfold', '--folds', '3',
               out=out) == 0
    folder = out / 'cells' / 'tuned-kfold3' / 'MIMLNN' / 'synthetic-40'
    assert sorted(p.name for p in folder.glob('*.json')) == [
        'seed0-fold0.json', 'seed0-fold1.json', 'seed0-fold2.json']
    r = load(folder / 'seed0-fold1.json')
    assert r['fold'] == 1 and r['protocol'] == {'key': 'tuned-kfold3', 'selection': 'tuned',
                                                'split': 'kfold', 'folds': 3}
    import json
    t = json.loads((out / 'table2.json').read_text())
    c = next(c for c in t['cells'] if c['metric'] == 'hamming_loss')
    assert c['seeds'] == ['0-f0', '0-f1', '0-f2'] and c['n_asked'] == 3 and c['complete']
    assert '3-fold cross-validation' in (out / 'table2.md').read_text()


def test_protocol_rejects_inconsistent_settings():
    from suite.protocol import Protocol
    for bad in [('x', 'holdout', None), ('tuned', 'x', None), ('tuned', 'kfold', None),
                ('tuned', 'holdout', 5), ('tuned', 'kfold', 1)]:
        with pytest.raises(ValueError):
            Protocol(*bad)
