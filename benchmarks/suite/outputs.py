"""The result files of a benchmark run besides Table 2: Table 1, Table 3, the figures,
``environment.json``, and (only when asked) the results block of the README."""
import csv
import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from .report import (REF, ReportContext, metric_keys, paper_dataset_name, paper_values,
                     write_table2)
from .store import atomic_write_json, predictions_path
from .tables import aggregate, fmt, fmt_paired, paired_test, read_paper_table3

__all__ = ['write_reports', 'write_table1', 'write_environment', 'update_readme',
           'README_START', 'README_END']

README_START = '<!-- benchmark-results:start -->'
README_END = '<!-- benchmark-results:end -->'


def write_table1(out_dir: Path, root: Optional[str] = None) -> List[Dict]:
    """Table 1 as ``python -m gmiml.datasets stats`` prints it (what the files hold)."""
    from gmiml.datasets.stats import dataset_stats
    rows = dataset_stats(root=root)
    lines = ['# Table 1: dataset statistics (measured on the data files)', '',
             'Command: `python -m gmiml.datasets stats`. Std is the sample std (ddof=1), as '
             'the paper. The paper\'s Table 1 has errors (see `benchmarks/reference/'
             'README.md`).', '',
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


def _write_table3(out_dir: Path, agg: Dict, ctx: ReportContext) -> None:
    abbrevs, keys = metric_keys()
    paper3 = read_paper_table3(REF / 'paper_table3.csv')
    dsets = ctx.table3_datasets
    base = ctx.table3_scenarios[0] if ctx.table3_scenarios else 'GLEMIML'
    md = ['# Table 3: ablations', '', ctx.protein_note, '',
          'GLEMIML-A: one-layer classifier; -B: three-layer classifier; -C: no instance '
          'interaction; -noLE (not in the paper): no label enhancement, the classifier alone '
          'on the logical labels. -noBG, -noHub, -meanBG, -noPB, -t05 (not in the paper): '
          'the additions of the default beyond the paper switched off one at a time (no bag '
          'label propagation; no hubness correction; mean-instance instead of chamfer bag '
          'similarity; no prior bias; one threshold 0.5), see docs/method.md. '
          'Each scenario is selected like GLEMIML (its grid with the '
          f'ablation\'s switch applied). Mean ± std over seeds; paper values for Image and '
          f'SC. † = fewer than the {ctx.n_asked} seeds asked for. "Δ vs {base} (p)": '
          f'the scenario\'s mean minus {base}\'s over the seeds both have, and the '
          f'two-sided paired t-test over those seeds (table3.csv also has the Wilcoxon '
          f'signed-rank p).', '',
          '| Scenario | Metric | ' + ' | '.join(
              f'{d} (ours) | Δ vs {base} (p) | {paper_dataset_name(d)} (paper)'
              if d.lower() == 'image' else f'{d} (ours) | Δ vs {base} (p) | SC (paper)'
              for d in dsets) + ' |',
          '|---|---|' + '---|---|---|' * len(dsets)]
    rows = []
    for s in ctx.table3_scenarios:
        for a, k in zip(abbrevs, keys):
            parts = []
            for d in dsets:
                e = agg.get((s, d))
                pds = 'image' if d.lower() == 'image' else 'sc'
                pv = paper3.get((ctx.specs[s].paper_name, pds, a))
                t = None if s == base else paired_test(e, agg.get((base, d)), k)
                parts += [fmt(e, k, asked=ctx.n_asked), '' if s == base else fmt_paired(t),
                          'n/a' if pv is None else f'{pv:.4f}']
                mk = e['metrics'].get(k) if e else None
                rows.append({'scenario': s, 'dataset': d, 'metric': k, 'metric_abbrev': a,
                             'mean': mk['mean'] if mk else None,
                             'std': mk['std'] if mk else None,
                             'n_values': len(mk['values']) if mk else 0,
                             'n_asked': ctx.n_asked,
                             'values': ';'.join(f'{v:.6g}' for v in mk['values']) if mk else '',
                             'diff_vs_base': t['diff'] if t else None,
                             'p_ttest_vs_base': t['p_t'] if t else None,
                             'p_wilcoxon_vs_base': t['p_w'] if t else None,
                             'paper_dataset': 'Image' if pds == 'image' else 'SC',
                             'paper_value': pv})
            md.append(f'| {s} | {a} | ' + ' | '.join(parts) + ' |')
    (out_dir / 'table3.md').write_text('\n'.join(md) + '\n')
    with open(out_dir / 'table3.csv', 'w', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ['scenario'])
        w.writeheader()
        w.writerows(rows)


def _histories(results: List[Dict], out_dir: Path, key: str) -> Dict:
    """``{(method, dataset): history}`` of the first seed that saved one."""
    hist = {}
    for r in sorted(results, key=lambda r: (r['seed'], r.get('fold') or 0)):
        k = (r['method'], r['dataset'])
        if r['status'] != 'ok' or k in hist or not r.get('predictions'):
            continue
        f = out_dir / 'cells' / key / r['method'] / r['dataset'] / r['predictions']['file']
        try:
            with np.load(predictions_path(f)) as z:
                if 'history' in z.files:
                    hist[k] = json.loads(str(z['history']))
        except (OSError, ValueError):
            continue
    return hist


def _plots(out_dir: Path, agg: Dict, results: List[Dict], table2: Dict,
           ctx: ReportContext) -> None:
    from .plots import (ablation_plot, cd_diagram, dataset_metric_plot, timing_plot,
                        training_curves)
    abbrevs, keys = metric_keys()
    fns = [(None, table2['friedman_nemenyi'])] + list(
        table2['friedman_nemenyi_per_metric'].items())
    for abbrev, fn in fns:
        if fn.get('critical_difference') is None:
            continue
        name = 'cd_diagram.png' if abbrev is None else f'cd_diagram_{abbrev}.png'
        title = (f"Average rank over {fn['n_blocks']} (data set, metric) pairs as blocks"
                 if abbrev is None else
                 f"{abbrev}: average rank over {fn['n_blocks']} data sets as blocks")
        cd_diagram(fn['average_rank'], fn['critical_difference'], out_dir / name, title=title)
    highlight = [m for m in ctx.table2_methods if m.startswith('GLEMIML')]
    refs = [m for m in ctx.table2_methods if ctx.specs[m].reference]
    for ds in ctx.table2_datasets:
        dataset_metric_plot(agg, ds, ctx.table2_methods, dict(zip(abbrevs, keys)),
                            paper_values(ctx, ds), out_dir / 'plots' / f'{ds}.png',
                            highlight=highlight, reference=refs)
    timing_plot(agg, ctx.table2_methods, ctx.table2_datasets, out_dir / 'plots' / 'timing.png')
    if ctx.table3_datasets and ctx.table3_scenarios:
        ablation_plot(agg, ctx.table3_scenarios, ctx.table3_datasets,
                      dict(zip(abbrevs, keys)), out_dir / 'plots' / 'table3.png')
    hist = _histories(results, out_dir, ctx.protocol.key)
    for ds in dict.fromkeys(ctx.table2_datasets + ctx.table3_datasets):
        curves = {m: h for (m, d), h in hist.items() if d == ds}
        if curves:
            training_curves(curves, ds, out_dir / 'plots' / f'curves_{ds}.png')


def write_reports(out_dir: Path, results: List[Dict], ctx: ReportContext) -> Dict:
    """Tables 2 and 3 (Markdown, CSV, JSON) and the figures from the cell results."""
    agg = aggregate(results)
    table2 = write_table2(out_dir, agg, ctx)
    _write_table3(out_dir, agg, ctx)
    if ctx.make_plots:
        _plots(out_dir, agg, results, table2, ctx)
    return table2


def _git_commit() -> Optional[str]:
    try:
        return subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[2]).stdout.strip() or None
    except OSError:
        return None


def write_environment(out_dir: Path, argv: List[str], extra: Dict) -> Dict:
    from importlib.metadata import PackageNotFoundError, version

    def ver(dist):  # without importing the package (torch_geometric takes seconds)
        try:
            return version(dist)
        except PackageNotFoundError:
            return None
    cpu = platform.processor()
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next((ln.split(':', 1)[1].strip() for ln in f
                        if ln.startswith('model name')), cpu)
    except OSError:
        pass
    env = {
        'date': datetime.now(timezone.utc).isoformat(timespec='seconds'),
        'command': 'python benchmarks/run_all.py ' + ' '.join(argv),
        'git_commit': _git_commit(), 'python': sys.version.split()[0],
        'platform': platform.platform(), 'cpu': cpu, 'cpu_count': os.cpu_count(),
        'versions': {d: ver(d) for d in ('gmiml', 'torch', 'torch_geometric', 'numpy',
                                         'scipy', 'scikit-learn', 'torch_scatter')},
        **extra,
    }
    atomic_write_json(out_dir / 'environment.json', env)
    return env


def update_readme(readme: Path, out_dir: Path, env: Dict) -> bool:
    """Replaces the README block between the benchmark markers with this run's Table 2
    (up to the paper comparison). Returns False if the markers are absent."""
    if not readme.exists():
        return False
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        return False
    rel = os.path.relpath(out_dir, readme.parent)
    t2 = (out_dir / 'table2.md').read_text().split('\n## Chosen configuration')[0]
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
