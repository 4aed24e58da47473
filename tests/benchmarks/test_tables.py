import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'benchmarks'))
from suite.tables import aggregate, compare, friedman_nemenyi, nemenyi_q, rank_table  # noqa


def _res(method, dataset, seed, hl, rl, status='ok'):
    return {'method': method, 'dataset': dataset, 'seed': seed, 'status': status,
            'fit_time_s': 1.0, 'predict_time_s': 0.1, 'peak_rss_mb': 10.0,
            'metrics': {'hamming_loss': hl, 'ranking_loss': rl}}


def test_aggregate_mean_std_and_failures():
    agg = aggregate([_res('A', 'd', 1, 0.2, 0.3), _res('A', 'd', 0, 0.4, 0.1),
                     {'method': 'A', 'dataset': 'd', 'seed': 2, 'status': 'failed',
                      'error': 'boom'}])
    e = agg[('A', 'd')]
    assert e['seeds'] == [0, 1] and e['failed'] == [2] and e['errors'] == ['boom']
    assert e['metrics']['hamming_loss']['values'] == [0.4, 0.2]  # ordered by seed
    assert e['metrics']['hamming_loss']['mean'] == pytest.approx(0.3)
    assert e['metrics']['hamming_loss']['std'] == pytest.approx(np.std([0.2, 0.4], ddof=1))


def test_rank_table_ties_direction_and_missing():
    agg = aggregate([_res('A', 'd', 0, 0.1, 0.5), _res('B', 'd', 0, 0.1, 0.2),
                     _res('C', 'd', 0, 0.3, 0.9)])
    r = rank_table(agg, ['A', 'B', 'C', 'D'], ['d'], ['hamming_loss', 'ranking_loss'])
    assert r['cells'][('d', 'hamming_loss')] == {'A': 1.5, 'B': 1.5, 'C': 3.0, 'D': 4.0}
    assert r['cells'][('d', 'ranking_loss')] == {'A': 2.0, 'B': 1.0, 'C': 3.0, 'D': 4.0}
    assert r['average_rank'] == {'A': 1.75, 'B': 1.25, 'C': 3.0, 'D': 4.0}


def test_higher_is_better_metric_ranks_descending():
    agg = aggregate([{**_res('A', 'd', 0, 0, 0), 'metrics': {'mean_average_precision': 0.9}},
                     {**_res('B', 'd', 0, 0, 0), 'metrics': {'mean_average_precision': 0.5}}])
    r = rank_table(agg, ['A', 'B'], ['d'], ['mean_average_precision'])
    assert r['cells'][('d', 'mean_average_precision')] == {'A': 1.0, 'B': 2.0}


def test_friedman_nemenyi_matches_formula():
    # Demsar (2006): q_0.05 for k = 7 is 2.949
    assert nemenyi_q(7) == pytest.approx(2.949, abs=2e-3)
    ranks = {'cells': {(f'd{i}', 'm'): {'A': 1.0, 'B': 2.0, 'C': 3.0} for i in range(6)}}
    out = friedman_nemenyi(ranks, ['A', 'B', 'C'])
    assert out['critical_difference'] == pytest.approx(nemenyi_q(3) * math.sqrt(3 * 4 / 36))
    # perfectly consistent rankings over 6 blocks: chi2 = 12N/(k(k+1)) sum(R^2) - 3N(k+1)
    assert out['statistic'] == pytest.approx(12 * 6 / 12 * (1 + 4 + 9) - 3 * 6 * 4)
    assert out['p_value'] < 0.01


def test_compare_directions():
    assert compare(0.10, 0.01, 5, 0.11, lower=True).startswith('agrees')
    assert compare(0.10, 0.001, 5, 0.20, lower=True).startswith('better')
    assert compare(0.10, 0.001, 5, 0.20, lower=False).startswith('worse')
    assert compare(0.10, 0.0, 1, 0.10001, lower=True).startswith('better')  # 1 seed: no std
    assert compare(0.1, 0.0, 5, None, lower=True) == 'n/a'


def test_friedman_per_metric_uses_datasets_as_blocks():
    ranks = {'cells': {(d, m): {'A': 1.0, 'B': 2.0, 'C': 3.0} if d != 'd2' else
                       {'A': 2.0, 'B': 1.0, 'C': 3.0}
                       for d in ('d0', 'd1', 'd2') for m in ('hl', 'rl')}}
    per = friedman_nemenyi(ranks, ['A', 'B', 'C'], metric='hl')
    pooled = friedman_nemenyi(ranks, ['A', 'B', 'C'])
    assert per['n_blocks'] == 3 and per['blocks'] == 'datasets' and per['metric'] == 'hl'
    assert pooled['n_blocks'] == 6 and pooled['blocks'] == '(dataset, metric) pairs'
    assert per['average_rank'] == pytest.approx({'A': 4 / 3, 'B': 5 / 3, 'C': 3.0})
    assert per['critical_difference'] == pytest.approx(nemenyi_q(3) * math.sqrt(12 / 18))
    assert pooled['critical_difference'] < per['critical_difference']


def test_fmt_marks_values_on_fewer_seeds_than_asked():
    from suite.tables import fmt
    agg = aggregate([_res('A', 'd', 0, 0.1, 0.2), _res('A', 'd', 1, 0.3, 0.2)])
    assert fmt(agg[('A', 'd')], 'hamming_loss', asked=2) == '0.2000 ± 0.1414'
    assert fmt(agg[('A', 'd')], 'hamming_loss', asked=3).endswith('†')
    assert fmt(None, 'hamming_loss', asked=3) == 'n/a'


def test_aggregate_labels_folds_and_orders_them():
    rs = [{**_res('A', 'd', s, 0.1 * (s + f), 0.0), 'fold': f} for s in (1, 0) for f in (1, 0)]
    e = aggregate(rs)[('A', 'd')]
    assert e['seeds'] == ['0-f0', '0-f1', '1-f0', '1-f1']
    assert e['metrics']['hamming_loss']['values'] == pytest.approx([0.0, 0.1, 0.1, 0.2])


def test_paired_test_matches_seeds_and_scipy():
    from scipy import stats
    from suite.tables import fmt_paired, paired_test
    a = [(0, 0.30, 0.1), (1, 0.25, 0.1), (2, 0.35, 0.1), (3, 0.20, 0.1)]
    b = [(2, 0.30, 0.1), (0, 0.20, 0.1), (1, 0.24, 0.1)]  # seed 3 missing, other order
    agg = aggregate([_res('S', 'd', s, hl, rl) for s, hl, rl in a]
                    + [_res('G', 'd', s, hl, rl) for s, hl, rl in b])
    t = paired_test(agg[('S', 'd')], agg[('G', 'd')], 'hamming_loss')
    x, y = [0.30, 0.25, 0.35], [0.20, 0.24, 0.30]  # seeds 0, 1, 2 paired
    assert t['n'] == 3
    assert t['diff'] == pytest.approx(np.mean(np.subtract(x, y)))
    assert t['p_t'] == pytest.approx(stats.ttest_rel(x, y).pvalue)
    assert t['p_w'] == pytest.approx(stats.wilcoxon(np.subtract(x, y)).pvalue)
    same = paired_test(agg[('S', 'd')], agg[('G', 'd')], 'ranking_loss')
    assert same['diff'] == 0 and same['p_t'] == 1.0 and math.isnan(same['p_w'])
    assert paired_test(agg[('S', 'd')], None, 'hamming_loss') is None
    assert fmt_paired(t).startswith('+0.0533 (p=')
