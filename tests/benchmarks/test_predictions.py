"""Each cell saves its test predictions and split indices; any metric can be recomputed
from them without refitting, and a tampered file is refused."""
import json

import numpy as np
import pytest

from bench_helpers import cell_file, load

S = 'bench_stubs'


@pytest.fixture
def finished(run, no_data):
    out = no_data / 'o'
    assert run('--methods', 'MIMLNN', f'{S}:GridStub', '--seeds', '0', '1', out=out) == 0
    return out


def test_saved_predictions_hold_the_split_and_the_scores(finished):
    from gmiml.datasets import make_synthetic_miml
    from suite.predictions import load_predictions
    Y = make_synthetic_miml(n_bags=40, n_labels=8, n_features=12, random_state=0).Y
    f = cell_file(finished, 'MIMLNN')
    z = load_predictions(f)
    n = len(z['train_idx']) + len(z['val_idx']) + len(z['test_idx'])
    assert n == 40 and len(set(np.concatenate([z['train_idx'], z['val_idx'],
                                               z['test_idx']]).tolist())) == 40
    assert z['scores'].shape == z['pred'].shape == z['y_test'].shape == (len(z['test_idx']), 8)
    assert z['scores'].dtype == np.float64 and z['pred'].dtype == np.uint8
    assert (z['y_test'] == Y[z['test_idx']]).all()
    assert 'history' not in z  # MIMLNN has none
    h = load_predictions(cell_file(finished, 'GridStub'))['history']
    assert json.loads(str(h)) == [{'epoch': e, 'train_loss': 1.0 / (e + 1)} for e in range(3)]


def test_recomputed_metrics_equal_the_stored_ones(finished):
    from suite.predictions import recompute_results
    rec = recompute_results(finished, 'tuned-holdout')
    assert len(rec) == 4
    for r in rec:
        stored = load(cell_file(finished, r['method'], seed=r['seed']))['metrics']
        assert r['metrics'] == stored


def test_recompute_with_another_threshold_changes_only_threshold_metrics(finished):
    from suite.predictions import recompute_results
    a = {(r['method'], r['seed']): r['metrics']
         for r in recompute_results(finished, 'tuned-holdout')}
    b = {(r['method'], r['seed']): r['metrics']
         for r in recompute_results(finished, 'tuned-holdout', threshold=0.01)}
    for k in a:
        assert a[k]['ranking_loss'] == b[k]['ranking_loss']
        assert a[k]['mean_average_precision'] == b[k]['mean_average_precision']
    assert any(a[k]['hamming_loss'] != b[k]['hamming_loss'] for k in a)


def test_tampered_or_missing_predictions_are_refused(finished):
    from suite.predictions import load_predictions
    f = cell_file(finished, 'MIMLNN')
    npz = f.with_suffix('.npz')
    data = npz.read_bytes()
    npz.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(ValueError, match='sha256 differs'):
        load_predictions(f)
    npz.unlink()
    with pytest.raises(ValueError, match='cannot read the predictions'):
        load_predictions(f)
    r = load(f)
    r.pop('predictions')
    with pytest.raises(ValueError, match='saved no predictions'):
        load_predictions(f, r)


def test_recompute_tool_writes_a_table(finished, capsys):
    import recompute
    assert recompute.main(['--out', str(finished)]) == 0
    md = (finished / 'recomputed-tuned-holdout.md').read_text()
    assert '| synthetic-40 | MIMLNN | 2 |' in md and 'one_error' in md
    t = json.loads((finished / 'recomputed-tuned-holdout.json').read_text())
    stored = load(cell_file(finished, 'MIMLNN', seed=1))['metrics']['ranking_loss']
    row = next(r for r in t['rows'] if r['method'] == 'MIMLNN')
    assert row['metrics']['ranking_loss']['values'][1] == stored
    with pytest.raises(SystemExit) as e:
        recompute.main(['--out', str(finished), '--protocol', 'reference-holdout'])
    assert e.value.code == 2 and "no cells of protocol 'reference-holdout'" in \
        capsys.readouterr().err
    with pytest.raises(SystemExit):
        recompute.main(['--out', str(finished), '--threshold', '2'])
