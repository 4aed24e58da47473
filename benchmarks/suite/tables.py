"""Aggregation of cell results into the paper's tables, with ranks, the Friedman test, the
Nemenyi critical difference and a side-by-side comparison with the paper's numbers."""
import csv
import math
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
from scipy import stats

__all__ = ['aggregate', 'rank_table', 'friedman_nemenyi', 'read_paper_table2',
           'read_paper_table3', 'compare', 'fmt', 'replicate_label', 'paired_test',
           'fmt_paired']

PAPER_METRIC_ORDER = ['HL', 'RL', 'mAP', 'Ma-F1']


def _metric_defs():
    from gmiml.metrics import LOWER_IS_BETTER, PAPER_METRICS
    return PAPER_METRICS, LOWER_IS_BETTER


def replicate_label(r: Dict):
    """A cell's replicate within its (method, data set): the seed, or ``'S-fF'`` for fold
    F of seed S under k-fold cross-validation."""
    return r['seed'] if r.get('fold') is None else f"{r['seed']}-f{r['fold']}"


def _order(r: Dict):
    return (r['seed'], -1 if r.get('fold') is None else r['fold'])


def aggregate(results: Sequence[Dict]) -> Dict:
    """``{(method, dataset): {'seeds': [...], 'metrics': {key: {'values', 'mean', 'std'}},
    'fit_time_s': mean, 'failed': [seed, ...], 'chosen': [config index per seed], ...}}``
    from cell results; std is the sample std over seeds (0 for a single seed). Under k-fold
    cross-validation the "seeds" are the (seed, fold) replicates, labelled ``'S-fF'``."""
    groups: Dict = {}
    for r in sorted(results, key=_order):
        g = groups.setdefault((r['method'], r['dataset']),
                              {'seeds': [], 'failed': [], 'errors': [], 'per_seed': {},
                               'fit': [], 'fit_all': [], 'predict': [], 'rss': [],
                               'chosen': [], 'n_configs': []})
        if r['status'] != 'ok':
            g['failed'].append(replicate_label(r))
            g['errors'].append(r.get('error', ''))
            continue
        g['seeds'].append(replicate_label(r))
        g['fit'].append(r['fit_time_s'])
        sel = r.get('selection') or {}
        g['fit_all'].append(sel.get('fit_time_total_s', r['fit_time_s']))
        g['chosen'].append(sel.get('chosen', 0))
        g['n_configs'].append(sel.get('n_configs', 1))
        g['predict'].append(r['predict_time_s'])
        g['rss'].append(r.get('peak_rss_mb', float('nan')))
        for k, v in r['metrics'].items():
            g['per_seed'].setdefault(k, []).append(v)
    out = {}
    mean = lambda v: float(np.mean(v)) if v else None  # noqa: E731
    for key, g in groups.items():
        metrics = {}
        for k, vals in g['per_seed'].items():
            v = np.asarray(vals, dtype=float)
            metrics[k] = {'values': v.tolist(), 'mean': float(np.mean(v)),
                          'std': float(np.std(v, ddof=1)) if len(v) > 1 else 0.0}
        out[key] = {'seeds': g['seeds'], 'failed': g['failed'],
                    'errors': g['errors'], 'metrics': metrics, 'chosen': g['chosen'],
                    'n_configs': max(g['n_configs']) if g['n_configs'] else None,
                    'fit_time_s': mean(g['fit']), 'fit_time_all_s': mean(g['fit_all']),
                    'predict_time_s': mean(g['predict']),
                    'peak_rss_mb': float(np.max(g['rss'])) if g['rss'] else None}
    return out


def rank_table(agg: Dict, methods: List[str], datasets: List[str],
               metric_keys: List[str]) -> Dict:
    """Ranks of the methods in every (dataset, metric) cell, by mean over seeds, ties sharing
    the average rank (1 = best). A method without a result in a cell (it failed or could not
    run) takes the worst rank there, as the paper does for MIMLWEL on SC.

    Returns ``{'cells': {(dataset, metric): {method: rank}}, 'average_rank': {method: r}}``.
    """
    _, lower = _metric_defs()
    cells = {}
    for ds in datasets:
        for mk in metric_keys:
            vals = []
            for m in methods:
                e = agg.get((m, ds))
                v = e['metrics'].get(mk, {}).get('mean') if e else None
                vals.append(np.nan if v is None or not np.isfinite(v) else v)
            vals = np.asarray(vals, dtype=float)
            if np.isnan(vals).all():
                continue
            signed = vals if mk in lower else -vals
            signed = np.where(np.isnan(signed), np.inf, signed)
            cells[(ds, mk)] = dict(zip(methods, stats.rankdata(signed).tolist()))
    avg = {m: float(np.mean([c[m] for c in cells.values()])) if cells else float('nan')
           for m in methods}
    return {'cells': cells, 'average_rank': avg}


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """Critical value q_alpha of the Nemenyi test for k methods: the studentized range
    quantile over sqrt(2) (Demsar, JMLR 2006)."""
    return float(stats.studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2))


def friedman_nemenyi(ranks: Dict, methods: List[str], alpha: float = 0.05,
                     metric: Optional[str] = None) -> Dict:
    """Friedman test over the blocks of ``rank_table`` (all (dataset, metric) cells, or
    with ``metric`` the data sets of that metric), the average ranks over those blocks,
    and the Nemenyi critical difference CD = q_alpha sqrt(k (k + 1) / (6 N))."""
    blocks = [b for (ds, mk), b in ranks['cells'].items() if metric in (None, mk)]
    k, n = len(methods), len(blocks)
    out = {'n_blocks': n, 'n_methods': k, 'alpha': alpha,
           'blocks': 'datasets' if metric else '(dataset, metric) pairs', 'metric': metric,
           'average_rank': {m: float(np.mean([b[m] for b in blocks])) if blocks else None
                            for m in methods}}
    if k < 3 or n < 2:
        out.update(statistic=None, p_value=None, critical_difference=None)
        return out
    R = np.array([[b[m] for m in methods] for b in blocks])
    # Friedman on the ranks (scipy re-ranks each block, which leaves them unchanged).
    if np.all(R == R[:, :1]):
        stat, p = 0.0, 1.0
    else:
        stat, p = stats.friedmanchisquare(*R.T)
    out.update(statistic=float(stat), p_value=float(p),
               critical_difference=nemenyi_q(k, alpha) * math.sqrt(k * (k + 1) / (6.0 * n)))
    return out


def read_paper_table2(path: Path) -> Dict:
    """``{(dataset_lower, metric_abbrev, paper_method): (value or None, rank)}``."""
    out = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            v = row['value']
            out[(row['dataset'].lower(), row['metric'], row['method'])] = (
                None if v == 'N/A' else float(v), float(row['rank']))
    return out


def read_paper_table3(path: Path) -> Dict:
    """``{(scenario, dataset_lower, metric_abbrev): value}``."""
    out = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            out[(row['scenario'], row['dataset'].lower(), row['metric'])] = float(row['value'])
    return out


def compare(mean: float, std: float, n: int, paper: Optional[float], lower: bool) -> str:
    """How our mean over seeds relates to the paper's single number: 'agrees' when the
    paper's value lies within 2 standard deviations of our mean (with at least 2 seeds),
    else 'better'/'worse' with the difference."""
    if paper is None or mean is None or not np.isfinite(mean):
        return 'n/a'
    diff = mean - paper
    if n >= 2 and abs(diff) <= 2 * std:
        return f'agrees ({diff:+.4f})'
    better = diff < 0 if lower else diff > 0
    return f"{'better' if better else 'worse'} ({diff:+.4f})"


def fmt(entry: Optional[Dict], key: str, digits: int = 4, asked: Optional[int] = None) -> str:
    """``mean ± std`` of a metric, with ``†`` when it stands on fewer than ``asked``
    seeds."""
    if not entry or key not in entry['metrics']:
        return 'n/a'
    m = entry['metrics'][key]
    mark = '†' if asked is not None and len(m['values']) < asked else ''
    if len(m['values']) > 1:
        return f"{m['mean']:.{digits}f} ± {m['std']:.{digits}f}{mark}"
    return f"{m['mean']:.{digits}f}{mark}"


def paired_test(entry: Optional[Dict], ref: Optional[Dict], key: str) -> Optional[Dict]:
    """Paired comparison of a metric of ``entry`` against ``ref`` over the seeds both
    have: ``{'n', 'diff' (mean of entry - ref), 'p_t' (two-sided paired t-test),
    'p_w' (two-sided Wilcoxon signed-rank test, exact for few seeds)}``; a p-value is
    NaN where it is undefined (fewer than 2 pairs; the Wilcoxon test with all
    differences 0). ``None`` when either side lacks the metric."""
    if not entry or not ref or key not in entry['metrics'] or key not in ref['metrics']:
        return None
    a = dict(zip(entry['seeds'], entry['metrics'][key]['values']))
    b = dict(zip(ref['seeds'], ref['metrics'][key]['values']))
    common = [s for s in a if s in b]
    d = np.array([a[s] - b[s] for s in common], dtype=float)
    out = {'n': len(d), 'diff': float(d.mean()) if len(d) else float('nan'),
           'p_t': float('nan'), 'p_w': float('nan')}
    if len(d) >= 2:
        if np.allclose(d, d[0]):  # constant differences: the t statistic is undefined
            out['p_t'] = 1.0 if d[0] == 0 else 0.0
        else:
            out['p_t'] = float(stats.ttest_rel([a[s] for s in common],
                                               [b[s] for s in common]).pvalue)
        if np.any(d != 0):
            out['p_w'] = float(stats.wilcoxon(d).pvalue)
    return out


def fmt_paired(t: Optional[Dict], digits: int = 4) -> str:
    """``Δ (p = ...)`` of :func:`paired_test` for a table cell."""
    if t is None or t['n'] == 0:
        return 'n/a'
    if t['n'] < 2:
        return f"{t['diff']:+.{digits}f}"
    return f"{t['diff']:+.{digits}f} (p={t['p_t']:.2g})"
