"""Figures of the benchmark: the critical-difference diagram and per-dataset metric bars."""
from pathlib import Path
from typing import Dict, List

import numpy as np

__all__ = ['cd_diagram', 'dataset_metric_plot']


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
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def dataset_metric_plot(agg: Dict, dataset: str, methods: List[str], metrics: Dict[str, str],
                        paper: Dict, path: Path) -> None:
    """One panel per metric: mean ± std over seeds per method (bars), with the paper's
    value as a black tick where it reports one."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics), 3.4))
    axes = np.atleast_1d(axes)
    x = np.arange(len(methods))
    for ax, (abbrev, key) in zip(axes, metrics.items()):
        means, stds = [], []
        for m in methods:
            e = agg.get((m, dataset))
            v = e['metrics'].get(key) if e else None
            means.append(v['mean'] if v else np.nan)
            stds.append(v['std'] if v else 0.0)
        ax.bar(x, means, yerr=stds, color='tab:blue', alpha=0.75, capsize=3, label='ours')
        for i, m in enumerate(methods):
            pv = paper.get((m, abbrev))
            if pv is not None:
                ax.plot([i - 0.4, i + 0.4], [pv, pv], color='k', lw=2,
                        label='paper' if i == 0 else None)
        ax.set_xticks(x)
        ax.set_xticklabels(methods, rotation=60, ha='right', fontsize=8)
        ax.set_title(abbrev)
    axes[0].legend(fontsize=7)
    fig.suptitle(dataset)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
