"""The benchmark runner resumes an interrupted run without computing any cell twice,
ends with the same tables as an uninterrupted run, and keeps the two protocols apart."""
import json
import sys

import pytest

from bench_helpers import cell_file, journal, load

S = 'bench_stubs'


def _table(out):
    t = json.loads((out / 'table2.json').read_text())
    return [(c['dataset'], c['metric'], c['method'], c['values']) for c in t['cells']]


@pytest.mark.slow
def test_interrupted_run_resumes_without_recomputing(run, no_data, capsys):
    args = ['--datasets', 'synthetic-90', 'PF', '--methods', 'MIMLNN', 'MIMLSVM',
            '--seeds', '0', '1']
    a, b = no_data / 'a', no_data / 'b'
    assert run(*args, '--max-cells', '2', out=a) == 3  # cut short after 2 of 4 cells
    assert 'skipping dataset PF' in capsys.readouterr().out
    assert len(journal(a)) == 2
    # a write that was killed midway leaves only a temporary file, which is ignored
    stray = a / 'cells' / 'tuned-holdout' / 'MIMLSVM' / 'synthetic-90' / 'seed1.json0123.tmp'
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text('{"status": "o')
    assert run(*args, out=a) == 0
    assert len(journal(a)) == 4 and len(set(journal(a))) == 4  # no cell computed twice
    assert run(*args, out=a) == 0  # nothing left to do
    assert len(journal(a)) == 4
    assert run(*args, out=b) == 0  # same tables as one uninterrupted run
    assert _table(a) == _table(b)
    t = json.loads((a / 'table2.json').read_text())
    assert set(t['average_rank']) == {'MIMLNN', 'MIMLSVM'}
    for name in ('table1.md', 'table2.md', 'table2.csv', 'table3.md', 'environment.json'):
        assert (a / name).exists(), name


def test_force_recomputes(run, no_data):
    out = no_data / 'o'
    assert run('--methods', 'MIMLNN', '--seeds', '0', out=out) == 0
    assert run('--methods', 'MIMLNN', '--seeds', '0', '--force', out=out) == 0
    assert journal(out) == ['tuned-holdout/MIMLNN/synthetic-40/seed0'] * 2


def test_protocols_do_not_mix(run, no_data):
    out = no_data / 'o'
    args = ('--methods', f'{S}:GridStub', '--seeds', '0')
    assert run(*args, '--selection', 'reference', out=out) == 0
    assert run(*args, out=out) == 0  # tuned: its own cells, not the reference ones
    ref = load(cell_file(out, 'GridStub', key='reference-holdout'))
    tuned = load(cell_file(out, 'GridStub'))
    assert ref['selection']['n_configs'] == 1 and tuned['selection']['n_configs'] == 3
    assert ref['protocol']['key'] == 'reference-holdout'
    assert len(journal(out)) == 2
    assert 'Protocol `tuned-holdout`' in (out / 'table2.md').read_text()


def test_default_run_leaves_readme_alone_and_update_readme_rewrites_it(run, no_data,
                                                                      monkeypatch):
    import run_all
    repo = no_data / 'repo'
    repo.mkdir()
    readme = repo / 'README.md'
    text = 'intro\n<!-- benchmark-results:start -->\nOLD-BLOCK\n<!-- benchmark-results:end -->\n'
    readme.write_text(text)
    monkeypatch.setattr(run_all, 'REPO', repo)
    out = no_data / 'o'
    assert run('--methods', 'MIMLNN', '--seeds', '0', out=out) == 0
    assert readme.read_text() == text
    assert run('--methods', 'MIMLNN', '--seeds', '0', '--update-readme', out=out) == 0
    new = readme.read_text()
    assert 'OLD-BLOCK' not in new and '| synthetic-40 | HL |' in new
    assert new.startswith('intro\n<!-- benchmark-results:start -->')


def test_table4_hook(run, no_data, monkeypatch, capsys):
    import run_all
    out = no_data / 'o'
    args = ('--methods', 'MIMLNN', '--seeds', '0')
    monkeypatch.setattr(run_all, 'HERE', no_data)  # no le_recovery.py there
    assert run_all.main([*args, '--datasets', 'synthetic-40', '--no-ablation', '--quiet',
                         '--no-plots', '--out', str(out)]) == 0
    assert 'Table 4 skipped: benchmarks/le_recovery.py is not in this checkout' in \
        capsys.readouterr().out
    (no_data / 'le_recovery.py').write_text(
        'import json, pathlib, sys\n'
        'def main(argv):\n'
        '    out = pathlib.Path(argv[argv.index("--out") + 1])\n'
        '    if (out / "no-ldl").exists():\n'
        '        raise FileNotFoundError("no LDL data in /x\\nmore")\n'
        '    (out / "table4.md").write_text(" ".join(argv))\n'
        '    return 0\n')
    monkeypatch.syspath_prepend(str(no_data))
    monkeypatch.delitem(sys.modules, 'le_recovery', raising=False)
    assert run_all.main([*args, '--datasets', 'synthetic-40', '--no-ablation', '--quiet',
                         '--no-plots', '--out', str(out)]) == 0
    assert (out / 'table4.md').read_text() == f'--out {out}'
    (out / 'table4.md').unlink()
    assert run(*args, out=out) == 0  # --no-le
    assert not (out / 'table4.md').exists()
    (out / 'no-ldl').write_text('')
    capsys.readouterr()
    assert run_all.main([*args, '--datasets', 'synthetic-40', '--no-ablation', '--quiet',
                         '--no-plots', '--out', str(out)]) == 0
    assert 'Table 4 skipped: label-distribution data missing (no LDL data in /x)' in \
        capsys.readouterr().out
    sys.modules.pop('le_recovery', None)
