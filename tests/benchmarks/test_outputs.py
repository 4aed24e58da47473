"""The figures and report sections a run produces, and where an estimator's warnings go."""
import json

import pytest

from bench_helpers import cell_file, load

S = 'bench_stubs'


@pytest.mark.slow
def test_figures_of_a_run(run, no_data):
    out = no_data / 'o'
    assert run('--datasets', 'synthetic-40', 'synthetic-30', '--methods', 'MIMLNN', 'MIMLSVM',
               f'{S}:GridStub', 'Prior', '--seeds', '0', '1', '--no-le', '--no-ablation',
               '--quiet', defaults=False, out=out) == 0
    for f in ('cd_diagram.png', 'cd_diagram_HL.png', 'cd_diagram_mAP.png',
              'plots/synthetic-40.png', 'plots/synthetic-30.png', 'plots/timing.png',
              'plots/curves_synthetic-40.png'):
        assert (out / f).stat().st_size > 1000, f
    t = json.loads((out / 'table2.json').read_text())
    per = t['friedman_nemenyi_per_metric']
    assert set(per) == {'HL', 'RL', 'mAP', 'Ma-F1'}
    assert all(v['n_blocks'] == 2 and v['blocks'] == 'datasets' for v in per.values())
    assert t['friedman_nemenyi']['n_blocks'] == 8
    md = (out / 'table2.md').read_text()
    assert '| data sets (HL) | 2 |' in md and '| (data set, metric) pairs | 8 |' in md


def test_ablation_and_timing_figures(tmp_path):
    from suite.plots import ablation_plot, timing_plot
    from suite.tables import aggregate
    rs = [{'method': m, 'dataset': d, 'seed': s, 'status': 'ok', 'fit_time_s': 1.0 + s,
           'predict_time_s': 0.1, 'metrics': {'hamming_loss': 0.1 * (i + 1),
                                              'macro_f1': 0.5}}
          for i, m in enumerate(['GLEMIML', 'GLEMIML-A']) for d in ('image', 'GS')
          for s in (0, 1)]
    agg = aggregate(rs)
    ablation_plot(agg, ['GLEMIML', 'GLEMIML-A'], ['image', 'GS'],
                  {'HL': 'hamming_loss', 'Ma-F1': 'macro_f1'}, tmp_path / 'a.png')
    timing_plot(agg, ['GLEMIML', 'GLEMIML-A', 'missing'], ['image', 'GS'], tmp_path / 't.png')
    assert (tmp_path / 'a.png').stat().st_size > 1000
    assert (tmp_path / 't.png').stat().st_size > 1000


def test_estimator_warnings_and_prints_go_to_the_cell_not_the_run_log(run, no_data, capfd):
    out = no_data / 'o'
    assert run('--methods', f'{S}:WarningStub', '--seeds', '0', out=out) == 0
    cap = capfd.readouterr()
    assert 'planned warning' not in cap.err + cap.out
    assert 'noise on stdout' not in cap.out
    log = out / 'logs' / 'tuned-holdout' / 'WarningStub' / 'synthetic-40' / 'seed0.log'
    assert 'noise on stdout from fit' in log.read_text()
    r = load(cell_file(out, 'WarningStub'))
    assert r['warnings'] == ['RuntimeWarning: planned warning: did not converge']
