"""Figures of the benchmark: critical-difference diagrams, per-dataset metric bars, fit
times, the ablations, and training curves."""
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np

__all__ = ['cd_diagram', 'dataset_metric_plot', 'timing_plot', 'ablation_plot',
           'training_curves']


def _plt():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def cd_diagram(avg_rank: Dict[str, float], cd: float, path: Path, title: str = '') -> None:
    """Demsar-style critical-difference diagram: methods on the average-rank axis (1 =
    best, left), a bar of length CD, and thick lines joining groups of methods whose
    average ranks differ by less than CD (not significantly different, Nemenyi)."""
    plt = _plt()
    names = sorted(avg_rank, key=avg_rank.get)
    ranks = np.array([avg_rank[n] for n in names])
    k = len(names)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.35 * k))
    ax.set_xlim(0.5, k + 0.5)
    ax.set_ylim(-(k + 1), 2.2)
    ax.hlines(0, 1, k, color='k')
    for t in range(1, k + 1):
        ax.vlines(t, 0, 0.15, color='k')
        ax.text(t, 0.3, str(t), ha='center', va='bottom', fontsize=9)
    half = (k + 1) // 2
    for i, (n, r) in enumerate(zip(names, ranks)):
        left = i < half
        y = -(i + 1) if left else -(k - i)
        x_text = 0.6 if left else k + 0.4
        ax.plot([r, r, x_text], [0, y, y], color='k', lw=0.8)
        ax.text(x_text, y, f'{n} ({r:.2f})', ha='left' if left else 'right',
                va='center', fontsize=9,
                bbox=dict(facecolor='white', edgecolor='none', pad=1))
    if cd and np.isfinite(cd):
        ax.plot([1, 1 + cd], [1.4, 1.4], color='k', lw=2)
        ax.text(1 + cd / 2, 1.55, f'CD = {cd:.2f}', ha='center', va='bottom', fontsize=9)
        # maximal groups of consecutive methods within CD of each other
        groups, level = [], 0
        for i in range(k):
            j = i
            while j + 1 < k and ranks[j + 1] - ranks[i] < cd:
                j += 1
            if j > i and not any(g[0] <= i and j <= g[1] for g in groups):
                groups.append((i, j))
        for (i, j) in groups:
            y = -0.35 - 0.25 * level
            ax.plot([ranks[i] - 0.05, ranks[j] + 0.05], [y, y], color='tab:red', lw=3)
            level += 1
    ax.axis('off')
    if title:
        ax.set_title(title, fontsize=10)
    _save(fig, path, dpi=120)


def _lower():
    from gmiml.metrics import LOWER_IS_BETTER
    return LOWER_IS_BETTER


def _save(fig, path: Path, dpi: int = 110) -> None:
    plt = _plt()
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def _stat(agg: Dict, method: str, dataset: str, key: str):
    e = agg.get((method, dataset))
    v = e['metrics'].get(key) if e else None
    return (v['mean'], v['std']) if v else (np.nan, 0.0)


def dataset_metric_plot(agg: Dict, dataset: str, methods: List[str], metrics: Dict[str, str],
                        paper: Dict, path: Path, highlight: Sequence[str] = (),
                        reference: Sequence[str] = ()) -> None:
    """One panel per metric: mean ± std over seeds per method (bars; ``highlight``ed
    methods in orange, ``reference`` rows grey and hatched), the paper's value as a black
    tick where it reports one; each panel says whether lower or higher is better."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics), 3.6))
    axes = np.atleast_1d(axes)
    x = np.arange(len(methods))
    colors = ['tab:orange' if m in highlight else '0.6' if m in reference else 'tab:blue'
              for m in methods]
    for ax, (abbrev, key) in zip(axes, metrics.items()):
        means, stds = zip(*(_stat(agg, m, dataset, key) for m in methods))
        bars = ax.bar(x, means, yerr=stds, color=colors, alpha=0.85, capsize=3)
        for b, m in zip(bars, methods):
            if m in reference:
                b.set_hatch('//')
        for i, m in enumerate(methods):
            pv = paper.get((m, abbrev))
            if pv is not None:
                ax.plot([i - 0.4, i + 0.4], [pv, pv], color='k', lw=2,
                        label='paper' if not ax.get_legend_handles_labels()[0] else None)
        ax.set_xticks(x)
        ax.set_xticklabels(methods, rotation=60, ha='right', fontsize=8)
        for t, m in zip(ax.get_xticklabels(), methods):
            if m in highlight:
                t.set_fontweight('bold')
        ax.set_title(f"{abbrev} ({'lower' if key in _lower() else 'higher'} is better)",
                     fontsize=9)
    if paper:
        axes[0].legend(fontsize=7)
    fig.suptitle(f'{dataset}: mean ± std over seeds on the test part')
    _save(fig, path)


def timing_plot(agg: Dict, methods: List[str], datasets: List[str], path: Path) -> None:
    """Fit time per cell (mean over seeds, log scale) per data set and method: the chosen
    configuration's fit (solid) and all configurations of the selection (light)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(1.2 + 1.1 * len(datasets) * max(len(methods), 3) / 4, 3.8))
    w = 0.8 / max(len(methods), 1)
    cmap = plt.get_cmap('tab10')
    for j, m in enumerate(methods):
        xs = np.arange(len(datasets)) + (j - (len(methods) - 1) / 2) * w
        e = [agg.get((m, d)) or {} for d in datasets]
        allc = [v.get('fit_time_all_s') or np.nan for v in e]
        chosen = [v.get('fit_time_s') or np.nan for v in e]
        ax.bar(xs, allc, w, color=cmap(j % 10), alpha=0.35)
        ax.bar(xs, chosen, w, color=cmap(j % 10), label=m)
    ax.set_yscale('log')
    ax.set_xticks(np.arange(len(datasets)))
    ax.set_xticklabels(datasets)
    ax.set_ylabel('fit time per cell (s)')
    ax.set_title('Fit time: chosen configuration (solid), all configurations (light)',
                 fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    _save(fig, path)


def ablation_plot(agg: Dict, scenarios: List[str], datasets: List[str],
                  metrics: Dict[str, str], path: Path) -> None:
    """Table 3 as a figure: one row per data set, one panel per metric, a bar per
    scenario (mean ± std over seeds)."""
    plt = _plt()
    fig, axes = plt.subplots(len(datasets), len(metrics),
                             figsize=(3 * len(metrics), 2.8 * len(datasets)), squeeze=False)
    x = np.arange(len(scenarios))
    for r, d in enumerate(datasets):
        for c, (abbrev, key) in enumerate(metrics.items()):
            ax = axes[r, c]
            means, stds = zip(*(_stat(agg, s, d, key) for s in scenarios))
            ax.bar(x, means, yerr=stds, capsize=3,
                   color=['tab:orange' if i == 0 else 'tab:blue' for i in x])
            ax.set_xticks(x)
            ax.set_xticklabels(scenarios, rotation=60, ha='right', fontsize=7)
            ax.set_title(f"{d}: {abbrev} ({'lower' if key in _lower() else 'higher'} better)",
                         fontsize=8)
    _save(fig, path)


def training_curves(histories: Dict[str, List[Dict]], dataset: str, path: Path) -> None:
    """Training loss and the validation criterion per epoch (one seed) of every method
    that saved a ``history_``."""
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    for m, h in histories.items():
        ep = [r.get('epoch', i) for i, r in enumerate(h)]
        if any('train_loss' in r for r in h):
            a1.plot(ep, [r.get('train_loss', np.nan) for r in h], label=m)
        val = 'val_criterion' if any('val_criterion' in r for r in h) else (
            'val_hamming_loss' if any('val_hamming_loss' in r for r in h) else None)
        if val:
            a2.plot(ep, [r.get(val, np.nan) for r in h],
                    label=m if val == 'val_criterion' else f'{m} (val HL)')
    if all(v > 0 for ln in a1.get_lines() for v in ln.get_ydata() if np.isfinite(v)):
        a1.set_yscale('log')  # the methods' losses differ in scale
    a1.set_title(f'{dataset}: training loss', fontsize=9)
    a2.set_title(f'{dataset}: validation (criterion; HL where that is all)', fontsize=9)
    for a in (a1, a2):
        a.set_xlabel('epoch')
        if a.get_legend_handles_labels()[0]:
            a.legend(fontsize=7)
    _save(fig, path)
