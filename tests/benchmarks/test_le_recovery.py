"""benchmarks/le_recovery.py end to end on synthetic .mat files (no real data read)."""
import json
import math
import sys

import numpy as np
import pytest
from scipy.io import savemat

from gmiml.datasets import make_synthetic_ldl

FOUR = 'LP,GLLE,softmax(L),L/|L|'


@pytest.fixture
def mats(tmp_path):
    """Two synthetic LDL files: usual variable names, and names of the user's own."""
    X, D = make_synthetic_ldl(60, 5, 4, random_state=0)
    a = tmp_path / 'toy.mat'
    savemat(a, {'features': X.astype(np.float32), 'label_distribution': D})
    X2, D2 = make_synthetic_ldl(40, 3, 3, random_state=1)
    b = tmp_path / 'own.mat'
    savemat(b, {'feats': X2, 'dist': D2})
    return a, b


@pytest.fixture
def le(no_data):
    import le_recovery
    return le_recovery


def _finite(table):
    for ds in table['datasets'].values():
        for r in ds['methods'].values():
            assert 'error' not in r, r
            for k in ('mean', 'std'):
                assert all(math.isfinite(v) for v in r[k].values())


def test_end_to_end(le, mats, tmp_path, capsys):
    out = tmp_path / 'out'
    assert le.main(['--data', str(mats[0]), '--out', str(out), '--methods', FOUR,
                    '--seeds', '0,1']) == 0
    table = json.loads((out / 'table4.json').read_text())
    _finite(table)
    ms = table['datasets']['toy']['methods']
    assert list(ms) == ['LP', 'GLLE', 'softmax(L)', 'L/|L|']
    assert ms['GLLE']['seeds'] == [0, 1] and ms['LP']['seeds'] == [0]
    assert 'deterministic' in ms['LP']['source'] and 'gmiml.baselines.glle:GLLE' in \
        ms['GLLE']['source']
    assert ms['LP']['std']['chebyshev'] == 0.0
    # the features carry the distributions, so LP beats the fixed softmax(L)
    assert ms['LP']['mean']['chebyshev'] < ms['softmax(L)']['mean']['chebyshev']
    md = (out / 'table4.md').read_text()
    assert '## toy (60 instances, 5 features, 4 labels' in md and '| L/\\|L\\| |' in md
    assert ' +- ' in md.split('| GLLE |')[1].splitlines()[0]
    assert (out / 'plots' / 'le_recovery.png').stat().st_size > 5000
    lines = capsys.readouterr().out.splitlines()  # redirected: plain lines, no \r
    assert lines[0].startswith('[le_recovery] 1/5 toy LP seed 0: Chebyshev')
    assert not any('\r' in s for s in lines)


def test_own_keys_several_files_and_module_methods(le, mats, tmp_path):
    out = tmp_path / 'out'
    with pytest.raises(KeyError, match=r"own.mat: no features variable found .*feats "
                       r"\(40, 3\), dist \(40, 3\); name it with features="):
        le.main(['--data', str(mats[1]), '--out', str(out)])
    savemat(tmp_path / 'own2.mat', {'feats': np.ones((5, 2)), 'dist': np.eye(5)[:, :3]})
    args = ['--data', str(mats[1]), '--data', str(mats[1]), '--features', 'feats',
            '--distributions', 'dist', '--out', str(out), '--no-plots', '--methods',
            'gmiml.utils.label_distribution:softmax_labels,gmiml.baselines.lp:LP']
    assert le.main(args) == 0
    table = json.loads((out / 'table4.json').read_text())
    assert list(table['datasets']) == ['own', 'own_2']
    assert list(table['datasets']['own']['methods']) == ['softmax_labels', 'LP']
    assert table['datasets']['own']['features_key'] == 'feats'
    _finite(table)
    with pytest.raises(KeyError, match="own.mat: no variable 'nope' .*distributions="):
        le.main(args[:6] + ['--distributions', 'nope', '--out', str(out)])
    with pytest.raises(ValueError, match=r"own2.mat: variable 'dist' .*row 3 sums to 0"):
        le.main(['--data', str(tmp_path / 'own2.mat'), '--features', 'feats',
                 '--distributions', 'dist', '--out', str(out)])


def test_cli_errors(le, mats, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, 'argv', ['le_recovery.py', '--data', str(mats[1]),
                                      '--features', 'x1'])
    assert le._cli() == 2
    err = capsys.readouterr().err
    assert err.startswith("le_recovery.py: error: ") and "own.mat: no variable 'x1'" in err
    with pytest.raises(ValueError, match="unknown method 'LPP'"):
        le.main(['--data', str(mats[0]), '--methods', 'LPP'])
    with pytest.raises(ValueError, match='cannot import nosuchmod:X'):
        le.main(['--data', str(mats[0]), '--methods', 'nosuchmod:X'])
    with pytest.raises(FileNotFoundError, match='--data: .*absent.mat: no such file'):
        le.main(['--data', str(tmp_path / 'absent.mat')])
    with pytest.raises(SystemExit):
        le.main(['--seeds', '1-x'])
    with pytest.raises(SystemExit):
        le.main(['--threads', '0'])
    assert '--threads: expected an integer >= 1, got 0' in capsys.readouterr().err


def test_missing_default_data_names_the_files(le, tmp_path):
    with pytest.raises(FileNotFoundError, match=r'no LDL data: .*no-data-here/ldl/sj.mat, '
                                                r'.*ldl/ns.mat not found \(data root from '
                                                r'\$GMIML_DATA\)'):
        le.main(['--out', str(tmp_path / 'o')])


def test_run_all_skips_table4_without_ldl_data(le, tmp_path, capsys):
    import run_all
    assert run_all._table4(tmp_path / 'o', quick=True) == 0
    out = capsys.readouterr().out
    assert 'Table 4 skipped: label-distribution data missing (no LDL data: ' in out


def test_failing_method_is_reported(le, mats, tmp_path, monkeypatch):
    (tmp_path / 'bad_le.py').write_text(
        'import numpy as np\n'
        'def broken(X, L):\n'
        '    raise RuntimeError("boom")\n'
        'def unnormalised(L):\n'
        '    return 2.0 * L\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / 'out'
    assert le.main(['--data', str(mats[0]), '--out', str(out), '--no-plots', '--methods',
                    'bad_le:broken,bad_le:unnormalised,LP']) == 1
    ms = json.loads((out / 'table4.json').read_text())['datasets']['toy']['methods']
    assert ms['broken']['error'] == 'RuntimeError: boom'
    assert 'D_pred: row 0 sums to' in ms['unnormalised']['error']
    assert 'error' not in ms['LP']
    assert '| broken | FAILED (seed 0): RuntimeError: boom' in \
        (out / 'table4.md').read_text()


@pytest.mark.slow
def test_glemiml_bags_of_one_quick(le, mats, tmp_path):
    out = tmp_path / 'out'
    assert le.main(['--data', str(mats[1]), '--features', 'feats', '--distributions',
                    'dist', '--out', str(out), '--methods', 'GLEMIML', '--quick',
                    '--no-plots']) == 0
    r = json.loads((out / 'table4.json').read_text())['datasets']['own']['methods'][
        'GLEMIML']
    assert r['seeds'] == [0] and 0 <= r['mean']['chebyshev'] <= 1
    assert 'glemiml' in r['source'].lower()


def test_run_all_skips_image_figure_without_data(le, tmp_path, capsys):
    import run_all
    assert run_all._le_figures(tmp_path / 'o', quick=True) == 0
    assert 'label-significance figure skipped: image data missing (' in \
        capsys.readouterr().out
    assert not (tmp_path / 'o' / 'plots' / 'image_label_significance.png').exists()


@pytest.mark.real_data
@pytest.mark.slow
def test_image_significance_figure(data_root, tmp_path):
    import le_figures
    path = le_figures.image_significance_figure(tmp_path, quick=True, root=data_root,
                                                n_bags=4)
    assert path == tmp_path / 'plots' / 'image_label_significance.png'
    assert path.stat().st_size > 5000


def test_quick_sets_epochs_of_wrapped_classifier(le, tmp_path, monkeypatch):
    (tmp_path / 'wrap_le.py').write_text(
        'import numpy as np\n'
        'SEEN = []\n'
        'class Wrapped:\n'
        '    def __init__(self, *, random_state=None, classifier_params=None):\n'
        '        SEEN.append((random_state, classifier_params))\n'
        '    def fit_transform(self, X, L):\n'
        '        return np.full(L.shape, 1.0 / L.shape[1])\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    m = le.resolve_method('wrap_le:Wrapped')
    X, L = np.zeros((3, 2)), np.eye(3)
    m.run(X, L, 4, quick=True)
    m.run(X, L, 5, quick=False)
    import wrap_le
    assert wrap_le.SEEN == [(4, {'max_epochs': le.QUICK_EPOCHS}), (5, None)]
