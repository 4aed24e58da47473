"""The benchmark runner resumes an interrupted run without computing any cell twice and
ends with the same tables as an uninterrupted run."""
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / 'benchmarks'
sys.path.insert(0, str(BENCH))
import run_all  # noqa: E402

ARGS = ['--datasets', 'synthetic-90', 'PF', '--methods', 'MIMLNN',
        'MIMLSVM', '--seeds', '0', '1', '--no-ablation', '--quiet', '--no-plots',
        '--no-readme']


def _journal(out):
    return [line.split('\t')[0] for line in (out / 'computed.log').read_text().splitlines()]


def _table(out):
    t = json.loads((out / 'table2.json').read_text())
    return [(c['dataset'], c['metric'], c['method'], c['values']) for c in t['cells']]


@pytest.mark.slow
def test_interrupted_run_resumes_without_recomputing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv('GMIML_DATA', str(tmp_path / 'no-data-here'))  # PF is missing
    a, b = tmp_path / 'a', tmp_path / 'b'
    # first run is cut short after 2 of 4 cells
    assert run_all.main(ARGS + ['--out', str(a), '--max-cells', '2']) == 3
    assert 'skipping dataset PF' in capsys.readouterr().out
    assert len(_journal(a)) == 2
    # a write that was killed midway leaves only a temporary file, which is ignored
    stray = a / 'cells' / 'MIMLSVM' / 'synthetic-90' / 'seed1.json0123.tmp'
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text('{"status": "o')
    assert run_all.main(ARGS + ['--out', str(a)]) == 0
    journal = _journal(a)
    assert len(journal) == 4 and len(set(journal)) == 4  # no cell computed twice
    assert run_all.main(ARGS + ['--out', str(a)]) == 0  # nothing left to do
    assert len(_journal(a)) == 4
    # same tables as one uninterrupted run
    assert run_all.main(ARGS + ['--out', str(b)]) == 0
    assert _table(a) == _table(b)
    t = json.loads((a / 'table2.json').read_text())
    assert set(t['average_rank']) == {'MIMLNN', 'MIMLSVM'}
    for name in ('table1.md', 'table2.md', 'table2.csv', 'table3.md', 'environment.json'):
        assert (a / name).exists(), name


def test_force_recomputes(tmp_path):
    args = ['--datasets', 'synthetic-60', '--methods', 'MIMLNN', '--seeds', '0',
            '--no-ablation', '--quiet', '--no-plots', '--no-readme', '--out', str(tmp_path)]
    assert run_all.main(args) == 0
    assert run_all.main(args + ['--force']) == 0
    assert _journal(tmp_path) == ['MIMLNN/synthetic-60/seed0'] * 2


def test_unknown_method_is_an_error(tmp_path, capsys):
    assert run_all.main(['--methods', 'NoSuchMethod', '--out', str(tmp_path)]) == 2
    assert 'unknown method' in capsys.readouterr().err


def test_unknown_dataset_is_an_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        run_all.main(['--datasets', 'no-such-data', '--out', str(tmp_path)])
    assert e.value.code == 2
    assert "unknown MIML data set 'no-such-data'" in capsys.readouterr().err
