"""benchmarks/flem_protocol.py: FLEM code's split protocol and its output files."""
import json

import numpy as np
import pytest

import flem_protocol as F


def test_split_is_the_permutation_in_70_20_10():
    tr, va, te = F.split(101, seed=3)
    perm = np.random.default_rng(3).permutation(101)
    np.testing.assert_array_equal(np.concatenate([tr, va, te]), perm)
    assert (len(tr), len(va), len(te)) == (70, 20, 11)
    assert not np.array_equal(F.split(101, seed=4)[0], tr)


def test_reference_numbers_are_read_from_the_csv():
    ref = F.flem_code()
    assert sorted(ref) == ['GS', 'HM', 'image']
    assert all(sorted(v) == sorted(F.METRICS) for v in ref.values())
    assert ref['image']['mean_average_precision'] == pytest.approx(0.597)


def test_param_parsing():
    assert F._param('lr=0.01') == ('lr', 0.01)
    assert F._param('classifier_init=kaiming') == ('classifier_init', 'kaiming')
    assert F._param('standardize=False') == ('standardize', False)
    with pytest.raises(Exception, match='key=value'):
        F._param('lr')


@pytest.mark.real_data
def test_end_to_end_on_hm(data_root, tmp_path, monkeypatch):
    monkeypatch.setenv('GMIML_DATA', str(data_root))
    assert F.main(['--datasets', 'HM', '--seeds', '0', '1', '--param', 'max_epochs=3',
                   '--out', str(tmp_path)]) == 0
    res = json.loads((tmp_path / 'flem_protocol.json').read_text())
    assert res['params'] == {'max_epochs': 3} and len(res['rows']) == 2
    assert {r['seed'] for r in res['rows']} == {0, 1}
    assert all(0 <= r['best_epoch'] < 3 for r in res['rows'])
    md = (tmp_path / 'flem_protocol.md').read_text()
    assert '| HM, FLEM code (issue #14) | 0.402 |' in md and 'HM, gmiml MIFLEM (2 seeds)' in md
