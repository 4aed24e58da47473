"""Table 2 of a benchmark run as Markdown, CSV and JSON: the methods on every data set,
with ranks, both readings of the Friedman/Nemenyi test, the chosen configurations, the
cost, and the paper's numbers side by side."""
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from .methods import MethodSpec
from .protocol import Protocol
from .selection import CRITERION
from .store import atomic_write_json
from .tables import (PAPER_METRIC_ORDER, compare, fmt, friedman_nemenyi, rank_table,
                     read_paper_table2)

__all__ = ['ReportContext', 'write_table2', 'paper_dataset_name', 'paper_values',
           'metric_keys', 'protocol_text', 'REF']

REF = Path(__file__).resolve().parents[1] / 'reference'


@dataclass
class ReportContext:
    specs: Dict[str, MethodSpec]  # every method of the run, by name
    table2_methods: List[str]
    table2_datasets: List[str]
    table3_scenarios: List[str]
    table3_datasets: List[str]
    protein_note: str
    seeds: List[int]
    protocol: Protocol
    make_plots: bool = True

    @property
    def n_asked(self) -> int:
        """Replicates asked for per (method, data set): seeds x folds."""
        return len(self.seeds) * len(self.protocol.fold_ids)

    @property
    def ranked(self) -> List[str]:
        return [m for m in self.table2_methods if not self.specs[m].reference]


def paper_dataset_name(name: str) -> str:
    return {'image': 'Image', 'text': 'Text'}.get(name.lower(), name)


def metric_keys():
    from gmiml.metrics import PAPER_METRICS
    abbrevs = [a for a in PAPER_METRIC_ORDER if a in PAPER_METRICS]
    return abbrevs, [PAPER_METRICS[a] for a in abbrevs]


def _paper(paper2: Dict, ctx: ReportContext, ds: str, abbrev: str, m: str):
    return paper2.get((paper_dataset_name(ds).lower(), abbrev, ctx.specs[m].paper_name),
                      (None, None))


def protocol_text(ctx: ReportContext) -> str:
    p = ctx.protocol
    sel = (f"**{p.selection}** model selection: each method's configurations fitted on the "
           f'training part, the one with the best {CRITERION} kept (ties: the earlier '
           'configuration), the test part scored once'
           if p.selection == 'tuned' else
           f'**{p.selection}** settings: configuration 0 of each method (its reference '
           'settings) only')
    unit = ('seed' if ctx.n_asked == 1 else 'seeds') if p.folds is None else \
        f'seeds x {p.folds} folds'
    return (f'Protocol `{p.key}`: {sel}. Splits: {p.describe()}. Seeds: {ctx.seeds}. '
            f'Values: mean ± sample std over the {ctx.n_asked} {unit} on the test part.')


def _config_note(ctx: ReportContext, agg: Dict) -> List[str]:
    counts = {}
    for m in ctx.table2_methods:
        ns = [agg[(m, d)]['n_configs'] for d in ctx.table2_datasets
              if (m, d) in agg and agg[(m, d)]['n_configs']]
        counts[m] = max(ns) if ns else None
    parts = [f"{m} {'n/a' if n is None else n}" for m, n in counts.items()]
    lines = ['Configurations fitted per cell: ' + ', '.join(parts) + '.']
    single = [m for m, n in counts.items() if n == 1 and not ctx.specs[m].reference]
    if single and ctx.protocol.selection == 'tuned':
        lines.append('One configuration (no `param_grid`, or fixed by the method entry): '
                     + ', '.join(single) + ' — the same under both protocols.')
    ranked = {counts[m] for m in ctx.ranked if counts[m] is not None}
    if len(ranked) > 1 and ctx.protocol.selection == 'tuned':
        lines.append('**The methods had different selection budgets** (numbers above).')
    return lines


def _significance(ranks: Dict, ctx: ReportContext, abbrevs, keys) -> Tuple[List[str], Dict]:
    per_metric = {a: friedman_nemenyi(ranks, ctx.ranked, metric=k)
                  for a, k in zip(abbrevs, keys)}
    pooled = friedman_nemenyi(ranks, ctx.ranked)
    f = lambda v, d: 'n/a' if v is None else f'{v:.{d}g}'  # noqa: E731
    md = ['', '## Significance (Friedman test, Nemenyi critical difference, alpha = 0.05)',
          '', 'Primary: one test per metric with the **data sets as blocks** (independent '
          'blocks). For comparison with the paper: one test over all (data set, metric) '
          'pairs as blocks, which are correlated within a data set, so its p-value and CD '
          'are optimistic. Two methods whose average ranks differ by less than CD are not '
          'significantly different.', '',
          '| blocks | N | chi² | p | CD | best average rank |', '|---|---|---|---|---|---|']
    for label, fn in [*((f'data sets ({a})', v) for a, v in per_metric.items()),
                      ('(data set, metric) pairs', pooled)]:
        ar = {m: r for m, r in fn['average_rank'].items() if r is not None}
        best = min(ar, key=ar.get) if ar else None
        md.append(f"| {label} | {fn['n_blocks']} | {f(fn['statistic'], 4)} | "
                  f"{f(fn['p_value'], 3)} | {f(fn['critical_difference'], 3)} | "
                  f"{'n/a' if best is None else f'{best} ({ar[best]:.2f})'} |")
    md.append('')
    md.append('Diagrams: `cd_diagram.png` (pairs as blocks), `cd_diagram_<metric>.png` '
              '(data sets as blocks).')
    return md, {'per_metric': per_metric, 'pooled': pooled}


def write_table2(out_dir: Path, agg: Dict, ctx: ReportContext) -> Dict:
    from gmiml.metrics import LOWER_IS_BETTER
    abbrevs, keys = metric_keys()
    paper2 = read_paper_table2(REF / 'paper_table2.csv')
    all_keys = sorted({k for e in agg.values() for k in e['metrics']})
    extra_keys = [k for k in all_keys if k not in keys]
    methods, datasets, asked = ctx.table2_methods, ctx.table2_datasets, ctx.n_asked
    ranks = rank_table(agg, ctx.ranked, datasets, keys)
    sig_md, sig = _significance(ranks, ctx, abbrevs, keys)
    refs = [m for m in methods if ctx.specs[m].reference]
    md = ['# Table 2: GLEMIML and the baselines', '', protocol_text(ctx), '',
          '(rank) per data set and metric, ties share the average rank, a method without a '
          'result takes the worst rank. HL, RL: lower is better; mAP, Ma-F1: higher is '
          'better.',
          '', '| Dataset | Metric | ' + ' | '.join(methods) + ' |',
          '|---|---|' + '---|' * len(methods)]
    records = []
    for ds in datasets:
        for a, k in zip(abbrevs, keys):
            cell_ranks, row = ranks['cells'].get((ds, k), {}), []
            for m in methods:
                e, r = agg.get((m, ds)), cell_ranks.get(m)
                mk = e['metrics'].get(k) if e else None
                tag = '(ref)' if ctx.specs[m].reference else f"({'n/a' if r is None else f'{r:g}'})"
                row.append(f'{fmt(e, k, asked=asked)} {tag}' if mk else 'n/a')
                pv, pr = _paper(paper2, ctx, ds, a, m)
                n = len(mk['values']) if mk else 0
                records.append({
                    'dataset': ds, 'metric': k, 'metric_abbrev': a, 'method': m,
                    'paper_name': ctx.specs[m].paper_name, 'reference': ctx.specs[m].reference,
                    'seeds': e['seeds'] if e else [], 'values': mk['values'] if mk else [],
                    'mean': mk['mean'] if mk else None, 'std': mk['std'] if mk else None,
                    'n_values': n, 'n_asked': asked, 'complete': n >= asked, 'rank': r,
                    'paper_value': pv, 'paper_rank': pr,
                    'comparison': compare(mk['mean'] if mk else None, mk['std'] if mk else 0,
                                          n, pv, k in LOWER_IS_BETTER)})
            md.append(f'| {ds} | {a} | ' + ' | '.join(row) + ' |')
    if refs:
        md += ['', f"Reference rows, marked (ref): {', '.join(refs)} "
               f'({ctx.specs[refs[0]].description}). They are shown but take no part in the '
               'ranks or the Friedman test.']
    if any('†' in line for line in md):
        md += ['', f'† = stands on fewer than the {asked} seeds asked for (failed or not yet '
               'computed cells; see the cost table and the cell files).']
    md += [''] + _config_note(ctx, agg)
    md += ['', '## Average rank', '', 'Ours: over the data sets run here, all four metrics. '
           'Paper: its ranks (among its 7 methods) over the same data sets, and over all '
           'nine of its data sets.', '',
           '| Method | ours | paper (same datasets) | paper (9 datasets) |', '|---|---|---|---|']
    paper_avg = {}
    for m in ctx.ranked:
        pn = ctx.specs[m].paper_name
        names = {paper_dataset_name(x).lower() for x in datasets}
        same = [r for (d, _, p), (_, r) in paper2.items() if p == pn and d in names]
        allr = [r for (d, _, p), (_, r) in paper2.items() if p == pn]
        paper_avg[m] = (sum(same) / len(same) if same else None,
                        sum(allr) / len(allr) if allr else None)
    for m in sorted(ctx.ranked, key=lambda m: ranks['average_rank'][m]):
        ps, pa = paper_avg[m]
        pn = ctx.specs[m].paper_name
        md.append(f"| {m if pn == m else f'{m} (paper: {pn})'} | "
                  f"{ranks['average_rank'][m]:.2f} | {'n/a' if ps is None else f'{ps:.2f}'} "
                  f"| {'n/a' if pa is None else f'{pa:.2f}'} |")
    md += sig_md
    md += ['', '## Chosen configuration per seed', '',
           'Index into each method\'s configurations (0 = reference settings); all '
           'configurations with their validation criterion are in the cell files.', '',
           '| Dataset | Method | chosen |', '|---|---|---|']
    chosen = [f"| {ds} | {m} | " + ', '.join(f'{s}: {c}' for s, c in zip(e['seeds'], e['chosen']))
              + ' |' for ds in datasets for m in methods
              for e in [agg.get((m, ds))] if e and (e['n_configs'] or 1) > 1]
    md += chosen or ['| (every method had one configuration) | | |']
    md += ['', '## Side by side with the paper', '',
           '"agrees" = the paper\'s single number lies within 2 std of our mean over seeds; '
           'otherwise better/worse than the paper, with our mean minus the paper\'s value.', '',
           '| Dataset | Metric | Method | ours | paper | our rank | paper rank | comparison |',
           '|---|---|---|---|---|---|---|---|']
    for rec in records:
        if rec['reference']:
            continue
        pv = 'n/a' if rec['paper_value'] is None else f"{rec['paper_value']:.4f}"
        pr = 'n/a' if rec['paper_rank'] is None else f"{rec['paper_rank']:g}"
        rk = 'n/a' if rec['rank'] is None else f"{rec['rank']:g}"
        md.append(f"| {rec['dataset']} | {rec['metric_abbrev']} | {rec['method']} | "
                  f"{fmt(agg.get((rec['method'], rec['dataset'])), rec['metric'], asked=asked)}"
                  f" | {pv} | {rk} | {pr} | {rec['comparison']} |")
    extra_rows = []
    if extra_keys:
        md += ['', '## Further metrics (mean ± std)', '',
               '| Dataset | Method | ' + ' | '.join(extra_keys) + ' |',
               '|---|---|' + '---|' * len(extra_keys)]
        for ds in datasets:
            for m in methods:
                e = agg.get((m, ds))
                md.append(f'| {ds} | {m} | ' + ' | '.join(
                    fmt(e, k, asked=asked) for k in extra_keys) + ' |')
                for k in extra_keys:
                    mk = e['metrics'].get(k) if e else None
                    if mk:
                        extra_rows.append({
                            'dataset': ds, 'metric': k, 'method': m, 'values': mk['values'],
                            'mean': mk['mean'], 'std': mk['std'], 'n_values': len(mk['values']),
                            'n_asked': asked, 'complete': len(mk['values']) >= asked})
    md += ['', '## Cost per cell (mean over seeds; wall-clock, machine shared)', '',
           '| Dataset | Method | configs | fit, chosen (s) | fit, all configs (s) | '
           'predict (s) | peak RSS (MB) | failed seeds |', '|---|---|---|---|---|---|---|---|']
    timings = []
    f = lambda v, d=1: 'n/a' if v is None else f'{v:.{d}f}'  # noqa: E731
    for ds in datasets:
        for m in methods:
            e = agg.get((m, ds))
            if not e:
                continue
            md.append(f"| {ds} | {m} | {e['n_configs'] or 'n/a'} | {f(e['fit_time_s'], 2)} | "
                      f"{f(e['fit_time_all_s'], 2)} | {f(e['predict_time_s'], 2)} | "
                      f"{f(e['peak_rss_mb'], 0)} | {', '.join(map(str, e['failed']))} |")
            timings.append({'dataset': ds, 'method': m, 'n_configs': e['n_configs'],
                            'fit_time_s': e['fit_time_s'],
                            'fit_time_all_configs_s': e['fit_time_all_s'],
                            'predict_time_s': e['predict_time_s'],
                            'peak_rss_mb': e['peak_rss_mb'], 'failed_seeds': e['failed'],
                            'errors': e['errors']})
    (out_dir / 'table2.md').write_text('\n'.join(md) + '\n')
    cols = ['dataset', 'metric', 'metric_abbrev', 'method', 'paper_name', 'reference', 'mean',
            'std', 'n_values', 'n_asked', 'complete', 'rank', 'paper_value', 'paper_rank',
            'comparison', 'values']
    with open(out_dir / 'table2.csv', 'w', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction='ignore')
        w.writeheader()
        for rec in records + extra_rows:
            w.writerow({**rec, 'values': ';'.join(f'{v:.6g}' for v in rec['values'])})
    table2 = {
        'protocol': ctx.protocol.as_dict(), 'criterion': CRITERION, 'seeds': ctx.seeds,
        'n_asked': asked, 'datasets': datasets, 'methods': methods,
        'reference_methods': refs, 'cells': records, 'extra_metrics': extra_rows,
        'average_rank': {m: ranks['average_rank'][m] for m in ctx.ranked},
        'paper_average_rank_same_datasets': {m: v[0] for m, v in paper_avg.items()},
        'paper_average_rank_all_datasets': {m: v[1] for m, v in paper_avg.items()},
        'friedman_nemenyi': sig['pooled'], 'friedman_nemenyi_per_metric': sig['per_metric'],
        'timings': timings,
    }
    atomic_write_json(out_dir / 'table2.json', table2)
    return table2


def paper_values(ctx: ReportContext, ds: str) -> Dict:
    """``{(method, metric abbrev): paper value}`` of data set ``ds``."""
    paper2, (abbrevs, _) = read_paper_table2(REF / 'paper_table2.csv'), metric_keys()
    out = {}
    for m in ctx.table2_methods:
        for a in abbrevs:
            pv, _ = _paper(paper2, ctx, ds, a, m)
            if pv is not None:
                out[(m, a)] = pv
    return out

