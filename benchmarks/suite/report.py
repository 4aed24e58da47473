"""Writes the result files of a benchmark run: Table 1-3 as Markdown/CSV/JSON, the plots,
environment.json, and the results block of the README."""
import csv
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional

from .cells import atomic_write_json
from .methods import METHODS
from .tables import (PAPER_METRIC_ORDER, aggregate, compare, fmt, friedman_nemenyi,
                     rank_table, read_paper_table2, read_paper_table3)

__all__ = ['write_reports', 'write_table1', 'write_environment', 'update_readme']

REF = Path(__file__).resolve().parents[1] / 'reference'
README_START = '<!-- benchmark-results:start -->'
README_END = '<!-- benchmark-results:end -->'


def paper_dataset_name(name: str) -> str:
    return {'image': 'Image', 'text': 'Text'}.get(name.lower(), name)


def write_table1(out_dir: Path, root: Optional[str] = None) -> List[Dict]:
    """Table 1 as ``python -m gmiml.datasets stats`` prints it (what the files hold)."""
    from gmiml.datasets.stats import dataset_stats
    rows = dataset_stats(root=root)
    lines = ['# Table 1: dataset statistics (measured on the data files)', '',
             f'Command: `{" ".join(["python", "-m", "gmiml.datasets", "stats"])}`. Std is the '
             'sample std (ddof=1), as the paper. The paper\'s Table 1 has errors (see '
             '`benchmarks/reference/README.md`).', '',
             '| dataset | available | bags | labels | dim | instances/bag | labels/bag |',
             '|---|---|---|---|---|---|---|']
    for r in rows:
        if r['available']:
            lines.append(
                f"| {r['name']} | yes | {r['bags']} | {r['labels']} | {r['dim']} | "
                f"{r['instances_per_bag_mean']:.2f} ± {r['instances_per_bag_std']:.2f} | "
                f"{r['labels_per_bag_mean']:.2f} ± {r['labels_per_bag_std']:.2f} |")
        else:
            lines.append(f"| {r['name']} | no | | | | | |")
    (out_dir / 'table1.md').write_text('\n'.join(lines) + '\n')
    return rows


def _git_commit() -> Optional[str]:
    try:
        return subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[2]).stdout.strip() or None
    except OSError:
        return None


def write_environment(out_dir: Path, argv: List[str], extra: Dict) -> Dict:
    import numpy
    import scipy
    import sklearn
    import torch
    import torch_geometric
    cpu = platform.processor()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    env = {
        'date': datetime.now(timezone.utc).isoformat(timespec='seconds'),
        'command': 'python benchmarks/run_all.py ' + ' '.join(argv),
        'git_commit': _git_commit(),
        'python': sys.version.split()[0], 'platform': platform.platform(),
        'cpu': cpu, 'cpu_count': os.cpu_count(),
        'versions': {'torch': torch.__version__, 'torch_geometric': torch_geometric.__version__,
                     'numpy': numpy.__version__, 'scipy': scipy.__version__,
                     'scikit-learn': sklearn.__version__},
        **extra,
    }
    atomic_write_json(out_dir / 'environment.json', env)
    return env


def _paper_lookup(paper2: Dict, dataset: str, abbrev: str, method: str):
    return paper2.get((paper_dataset_name(dataset).lower(), abbrev, METHODS[method].paper_name),
                      (None, None))


def write_reports(out_dir: Path, results: List[Dict], table2_methods: List[str],
                  table2_datasets: List[str], table3_scenarios: List[str],
                  table3_datasets: List[str], protein_note: str, seeds: List[int],
                  make_plots: bool = True) -> Dict:
    from gmiml.metrics import LOWER_IS_BETTER, PAPER_METRICS

    agg = aggregate(results)
    paper2 = read_paper_table2(REF / 'paper_table2.csv')
    paper3 = read_paper_table3(REF / 'paper_table3.csv')
    abbrevs = [a for a in PAPER_METRIC_ORDER if a in PAPER_METRICS]
    keys = [PAPER_METRICS[a] for a in abbrevs]
    all_keys = sorted({k for e in agg.values() for k in e['metrics']})
    extra_keys = [k for k in all_keys if k not in keys]

    # ---------------- Table 2 ----------------
    ranks = rank_table(agg, table2_methods, table2_datasets, keys)
    fn = friedman_nemenyi(ranks, table2_methods)
    # the paper's average rank over the same datasets (its ranks, among all 7 methods)
    paper_avg_same, paper_avg_all = {}, {}
    for m in table2_methods:
        pn = METHODS[m].paper_name
        same = [r for (d, a, pm), (_, r) in paper2.items() if pm == pn and d in
                {paper_dataset_name(x).lower() for x in table2_datasets}]
        allr = [r for (d, a, pm), (_, r) in paper2.items() if pm == pn]
        paper_avg_same[m] = sum(same) / len(same) if same else None
        paper_avg_all[m] = sum(allr) / len(allr) if allr else None

    rows_csv, cells_json = [], []
    md = ['# Table 2: GLEMIML and the baselines', '',
          f'Seeds: {seeds} (7:2:1 train/test/validation splits, one per seed); values are '
          'mean ± sample std over seeds on the test part; (rank) per dataset and metric, ties '
          'share the average rank, a method without a result takes the worst rank. '
          'HL, RL: lower is better; mAP, Ma-F1: higher is better.', '',
          '| Dataset | Metric | ' + ' | '.join(table2_methods) + ' |',
          '|---|---|' + '---|' * len(table2_methods)]
    for ds in table2_datasets:
        for a, k in zip(abbrevs, keys):
            cell_ranks = ranks['cells'].get((ds, k), {})
            row = []
            for m in table2_methods:
                e = agg.get((m, ds))
                r = cell_ranks.get(m)
                row.append(f"{fmt(e, k)} ({r:g})" if e and k in e['metrics'] else 'n/a')
                pv, pr = _paper_lookup(paper2, ds, a, m)
                mk = e['metrics'].get(k) if e else None
                comp = compare(mk['mean'] if mk else None, mk['std'] if mk else 0,
                               len(mk['values']) if mk else 0, pv, k in LOWER_IS_BETTER)
                rec = {'dataset': ds, 'metric': k, 'metric_abbrev': a, 'method': m,
                       'paper_name': METHODS[m].paper_name,
                       'seeds': e['seeds'] if e else [],
                       'values': mk['values'] if mk else [],
                       'mean': mk['mean'] if mk else None, 'std': mk['std'] if mk else None,
                       'rank': r, 'paper_value': pv, 'paper_rank': pr, 'comparison': comp}
                cells_json.append(rec)
                rows_csv.append(rec)
            md.append(f'| {ds} | {a} | ' + ' | '.join(row) + ' |')
    md += ['', '## Average rank', '',
           'Ours: over the datasets run here. Paper: its ranks over the same datasets, and over '
           'all nine of its datasets.', '',
           '| Method | ours | paper (same datasets) | paper (9 datasets) |', '|---|---|---|---|']
    for m in sorted(table2_methods, key=lambda m: ranks['average_rank'][m]):
        ps, pa = paper_avg_same[m], paper_avg_all[m]
        pn = METHODS[m].paper_name
        md.append(f"| {m if pn == m else f'{m} (paper: {pn})'} | "
                  f"{ranks['average_rank'][m]:.2f} | "
                  f"{'n/a' if ps is None else f'{ps:.2f}'} | "
                  f"{'n/a' if pa is None else f'{pa:.2f}'} |")
    if fn['statistic'] is not None:
        md += ['', f"Friedman test over {fn['n_blocks']} (dataset, metric) blocks and "
                   f"{fn['n_methods']} methods: chi² = {fn['statistic']:.2f}, "
                   f"p = {fn['p_value']:.3g}. Nemenyi critical difference (alpha = "
                   f"{fn['alpha']}): CD = {fn['critical_difference']:.2f} "
                   '(two methods whose average ranks differ by less are not significantly '
                   'different). Diagram: `cd_diagram.png`.']
    md += ['', '## Side by side with the paper', '',
           '"agrees" = the paper\'s single number lies within 2 std of our mean over seeds; '
           'otherwise better/worse than the paper, with our mean minus the paper\'s value.', '',
           '| Dataset | Metric | Method | ours | paper | our rank | paper rank | comparison |',
           '|---|---|---|---|---|---|---|---|']
    for rec in cells_json:
        pv = 'n/a' if rec['paper_value'] is None else f"{rec['paper_value']:.4f}"
        pr = 'n/a' if rec['paper_rank'] is None else f"{rec['paper_rank']:g}"
        ours = fmt(agg.get((rec['method'], rec['dataset'])), rec['metric'])
        rk = 'n/a' if rec['rank'] is None else f"{rec['rank']:g}"
        md.append(f"| {rec['dataset']} | {rec['metric_abbrev']} | {rec['method']} | {ours} | "
                  f"{pv} | {rk} | {pr} | {rec['comparison']} |")
    if extra_keys:
        md += ['', '## Further metrics (mean ± std)', '',
               '| Dataset | Method | ' + ' | '.join(extra_keys) + ' |',
               '|---|---|' + '---|' * len(extra_keys)]
        for ds in table2_datasets:
            for m in table2_methods:
                e = agg.get((m, ds))
                md.append(f'| {ds} | {m} | ' + ' | '.join(fmt(e, k) for k in extra_keys) + ' |')
    md += ['', '## Cost per cell (mean over seeds)', '',
           '| Dataset | Method | fit (s) | predict (s) | peak RSS (MB) | failed seeds |',
           '|---|---|---|---|---|---|']
    timings = []
    for ds in table2_datasets:
        for m in table2_methods:
            e = agg.get((m, ds))
            if not e:
                continue
            f = lambda v, d=1: 'n/a' if v is None else f'{v:.{d}f}'  # noqa: E731
            md.append(f"| {ds} | {m} | {f(e['fit_time_s'], 2)} | {f(e['predict_time_s'], 2)} "
                      f"| {f(e['peak_rss_mb'], 0)} | {e['failed'] or ''} |")
            timings.append({'dataset': ds, 'method': m, 'fit_time_s': e['fit_time_s'],
                            'predict_time_s': e['predict_time_s'],
                            'peak_rss_mb': e['peak_rss_mb'], 'failed_seeds': e['failed'],
                            'errors': e['errors']})
    (out_dir / 'table2.md').write_text('\n'.join(md) + '\n')
    extra_rows = []
    for ds in table2_datasets:
        for m in table2_methods:
            e = agg.get((m, ds))
            for k in extra_keys:
                mk = e['metrics'].get(k) if e else None
                if mk:
                    extra_rows.append({'dataset': ds, 'metric': k, 'method': m,
                                       'values': mk['values'], 'mean': mk['mean'],
                                       'std': mk['std']})
    cols = ['dataset', 'metric', 'metric_abbrev', 'method', 'paper_name', 'mean', 'std', 'rank',
            'paper_value', 'paper_rank', 'comparison', 'values']
    with open(out_dir / 'table2.csv', 'w', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction='ignore')
        w.writeheader()
        for rec in rows_csv + extra_rows:
            w.writerow({**rec, 'values': ';'.join(f'{v:.6g}' for v in rec['values'])})
    table2 = {
        'seeds': seeds, 'datasets': table2_datasets, 'methods': table2_methods,
        'cells': cells_json, 'extra_metrics': extra_rows,
        'average_rank': {METHODS[m].paper_name: ranks['average_rank'][m]
                         for m in table2_methods},
        'paper_average_rank_same_datasets': {METHODS[m].paper_name: paper_avg_same[m]
                                             for m in table2_methods},
        'paper_average_rank_all_datasets': {METHODS[m].paper_name: paper_avg_all[m]
                                            for m in table2_methods},
        'friedman_nemenyi': fn, 'timings': timings,
    }
    atomic_write_json(out_dir / 'table2.json', table2)

    # ---------------- Table 3 ----------------
    md3 = ['# Table 3: ablations', '', protein_note, '',
           'GLEMIML-A: one-layer classifier; -B: three-layer classifier; -C: no instance '
           'interaction; -noLE (not in the paper): no label enhancement, the classifier '
           'alone on the logical labels. Mean ± std over seeds; paper values for Image and SC.',
           '', '| Scenario | Metric | ' + ' | '.join(
               f'{d} (ours) | {paper_dataset_name(d)} (paper)' if d.lower() == 'image'
               else f'{d} (ours) | SC (paper)' for d in table3_datasets) + ' |',
           '|---|---|' + '---|---|' * len(table3_datasets)]
    rows3 = []
    for s in table3_scenarios:
        for a, k in zip(abbrevs, keys):
            parts = []
            for d in table3_datasets:
                e = agg.get((s, d))
                pds = 'image' if d.lower() == 'image' else 'sc'
                pv = paper3.get((METHODS[s].paper_name, pds, a))
                parts += [fmt(e, k), 'n/a' if pv is None else f'{pv:.4f}']
                mk = e['metrics'].get(k) if e else None
                rows3.append({'scenario': s, 'dataset': d, 'metric': k, 'metric_abbrev': a,
                              'mean': mk['mean'] if mk else None,
                              'std': mk['std'] if mk else None,
                              'values': ';'.join(f'{v:.6g}' for v in mk['values']) if mk else '',
                              'paper_dataset': 'Image' if pds == 'image' else 'SC',
                              'paper_value': pv})
            md3.append(f'| {s} | {a} | ' + ' | '.join(parts) + ' |')
    (out_dir / 'table3.md').write_text('\n'.join(md3) + '\n')
    with open(out_dir / 'table3.csv', 'w', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows3[0]) if rows3 else ['scenario'])
        w.writeheader()
        w.writerows(rows3)

    # ---------------- plots ----------------
    if make_plots:
        from .plots import cd_diagram, dataset_metric_plot
        if fn.get('critical_difference') is not None:
            cd_diagram({METHODS[m].paper_name: v for m, v in ranks['average_rank'].items()},
                       fn['critical_difference'], out_dir / 'cd_diagram.png',
                       title=f"Average rank over {fn['n_blocks']} (dataset, metric) cells")
        for ds in table2_datasets:
            paper = {}
            for m in table2_methods:
                for a in abbrevs:
                    pv, _ = _paper_lookup(paper2, ds, a, m)
                    if pv is not None:
                        paper[(m, a)] = pv
            dataset_metric_plot(agg, ds, table2_methods, dict(zip(abbrevs, keys)), paper,
                                out_dir / 'plots' / f'{ds}.png')
    return table2


def update_readme(readme: Path, out_dir: Path, table2: Dict, env: Dict) -> bool:
    """Replaces the README block between the benchmark markers with the latest Table 2 and
    average ranks, as produced by this run. Returns False if the markers are absent."""
    if not readme.exists():
        return False
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        return False
    rel = os.path.relpath(out_dir, readme.parent)
    t2 = (out_dir / 'table2.md').read_text().split('\n## Side by side')[0]
    t2 = t2.replace('# Table 2: GLEMIML and the baselines', '').strip()
    t2 = re.sub(r'^## ', '#### ', t2, flags=re.M)
    block = '\n'.join([
        README_START,
        f"Produced by `{env['command']}` on {env['date'][:10]} "
        f"(commit {str(env.get('git_commit'))[:10]}, {env['cpu_count']} CPU cores; "
        f"full tables, plots and per-seed values in `{rel}/`).", '', t2, README_END])
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    readme.write_text(text[:start] + block + text[end:])
    return True
