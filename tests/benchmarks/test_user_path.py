"""A user's own data and own estimator, from the command line or a config file, without
editing the package."""
import json
import sys

import numpy as np
import pytest

from bench_helpers import cell_file, load

S = 'bench_stubs'


def _write_arff(path, n_bags=40, seed=0):
    """A small relational ARFF data set with a learnable label."""
    rng = np.random.default_rng(seed)
    lines = ['@relation mine', '@attribute id string', '@attribute bag relational',
             '  @attribute f0 numeric', '  @attribute f1 numeric', '@end bag',
             '@attribute a {0,1}', '@attribute b {0,1}', '@data']
    for i in range(n_bags):
        ya, yb = i % 2, int(i % 3 == 0)
        inst = rng.normal(size=(3, 2)) + [2 * ya, 2 * yb]
        bag = '\\n'.join(','.join(f'{v:.4f}' for v in row) for row in inst)
        lines.append(f'b{i},"{bag}",{ya},{yb}')
    path.write_text('\n'.join(lines) + '\n')
    path.with_suffix('.xml').write_text(  # the Mulan label file: which attributes are labels
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<labels xmlns="http://mulan.sourceforge.net/labels">\n'
        '<label name="a"></label>\n<label name="b"></label>\n</labels>\n')


@pytest.fixture
def fake_loader(monkeypatch):
    """load_bags(path) as the package will offer it: records its calls."""
    import gmiml.datasets
    from gmiml.datasets import make_synthetic_miml
    from suite import data
    calls = []

    def load_bags(name_or_path, *a, **k):
        calls.append(name_or_path)
        return make_synthetic_miml(n_bags=50, n_labels=4, n_features=6, random_state=1)
    monkeypatch.setattr(gmiml.datasets, 'load_bags', load_bags)
    monkeypatch.setattr(data, '_CACHE', {})
    return calls


def test_own_data_file_by_path(run, no_data, fake_loader):
    f = no_data / 'my_data.arff'
    f.write_text('placeholder')
    out = no_data / 'o'
    assert run('--datasets', str(f), '--methods', 'MIMLNN', 'Prior', '--seeds', '0',
               out=out) == 0
    assert fake_loader == [str(f.resolve())]
    r = load(cell_file(out, 'MIMLNN', dataset='my_data'))
    assert r['status'] == 'ok' and r['n_test'] + r['n_val'] + r['n_train'] == 50
    assert '| my_data | HL |' in (out / 'table2.md').read_text()
    env = json.loads((out / 'environment.json').read_text())
    assert env['datasets'] == {'my_data': str(f.resolve())}


def test_own_data_folder_and_config_relative_paths(run, no_data, fake_loader):
    cfgdir = no_data / 'proj'
    (cfgdir / 'data' / 'orgs').mkdir(parents=True)
    cfg = cfgdir / 'bench.json'
    cfg.write_text(json.dumps({
        'datasets': ['data/orgs', {'name': 'second', 'path': 'data/orgs'}],
        'methods': ['MIMLNN', {'name': 'Stub-q1', 'class': f'{S}:GridStub',
                               'params': {'quality': 1}}],
        'seeds': [0], 'selection': 'tuned', 'no_ablation': True, 'no_plots': True,
        'no_le': True, 'quiet': True, 'out': 'res'}))
    import run_all
    assert run_all.main(['--config', str(cfg)]) == 0
    out = cfgdir / 'res'
    assert fake_loader == [str((cfgdir / 'data' / 'orgs').resolve())]  # loaded once
    r = load(cell_file(out, 'Stub-q1', dataset='orgs'))
    assert r['params']['quality'] == 1 and r['selection']['n_configs'] == 1
    assert cell_file(out, 'MIMLNN', dataset='second').exists()


def test_command_line_wins_over_the_config_file(run, no_data):
    cfg = no_data / 'c.json'
    cfg.write_text(json.dumps({'seeds': [0, 1], 'methods': ['MIMLSVM']}))
    out = no_data / 'o'
    assert run('--config', str(cfg), '--methods', 'MIMLNN', '--datasets', 'synthetic-40',
               out=out) == 0
    assert sorted(p.name for p in (out / 'cells' / 'tuned-holdout').iterdir()) == ['MIMLNN']
    assert cell_file(out, 'MIMLNN', seed=1).exists()


@pytest.mark.skipif(sys.version_info < (3, 11), reason='TOML needs Python 3.11')
def test_toml_config(run, no_data):
    cfg = no_data / 'c.toml'
    cfg.write_text('seeds = [2]\nmethods = ["MIMLNN"]\ndatasets = ["synthetic-40"]\n')
    out = no_data / 'o'
    assert run('--config', str(cfg), out=out) == 0
    assert cell_file(out, 'MIMLNN', seed=2).exists()


def test_own_estimator_beside_the_paper_methods(run, no_data):
    out = no_data / 'o'
    assert run('--methods', 'MIMLNN', '--method', f'{S}:GridStub', '--method',
               f'{S}:KwargsStub', '--method', f'{S}:NoReferenceGrid', '--seeds', '0',
               out=out) == 0
    t = json.loads((out / 'table2.json').read_text())
    assert t['methods'] == ['MIMLNN', 'GridStub', 'KwargsStub', 'NoReferenceGrid']
    assert set(t['average_rank']) == set(t['methods'])
    assert load(cell_file(out, 'KwargsStub'))['params']['random_state'] == 0


def test_own_estimator_from_a_file(run, no_data):
    src = no_data / 'my_methods.py'
    src.write_text('import numpy as np\n'
                   'class Mean:\n'
                   '    def fit(self, bags, Y, eval_set=None):\n'
                   '        self.p_ = np.asarray(Y).mean(0)\n'
                   '        return self\n'
                   '    def predict_proba(self, bags):\n'
                   '        return np.tile(self.p_, (len(bags), 1))\n'
                   '    def predict(self, bags):\n'
                   '        return (self.predict_proba(bags) > 0.5).astype(np.uint8)\n')
    out = no_data / 'o'
    assert run('--methods', f'{src}:Mean', '--seeds', '0', out=out) == 0
    assert load(cell_file(out, 'Mean'))['status'] == 'ok'


def test_own_estimator_that_raises_in_fit_is_a_failed_cell(run, no_data, monkeypatch):
    flag = no_data / 'f'
    flag.write_text('all')
    monkeypatch.setenv('STUB_FAIL_FILE', str(flag))
    out = no_data / 'o'
    assert run('--methods', f'{S}:FailingStub', '--seeds', '0', out=out) == 1
    r = load(cell_file(out, 'FailingStub'))
    assert r['status'] == 'failed' and r['error'] == 'RuntimeError: planned failure (seed 0)'
    assert 'planned failure' in r['traceback']


def test_real_arff_file_by_path(run, no_data):
    """End to end with the package's reader: an ARFF file and its Mulan XML by path."""
    from gmiml.datasets import load_bags
    f = no_data / 'mine.arff'
    _write_arff(f)
    assert load_bags(str(f)).Y.shape == (40, 2)
    out = no_data / 'o'
    assert run('--datasets', str(f), '--methods', 'MIMLNN', '--seeds', '0', out=out) == 0
    assert load(cell_file(out, 'MIMLNN', dataset='mine'))['n_test'] > 0
