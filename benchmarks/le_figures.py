"""Figures of label enhancement.

- :func:`recovery_figure` (drawn by le_recovery.py): true and recovered label
  distributions of a few instances side by side, bars per label.
- :func:`image_significance_figure`: the label significance GLEMIML recovers for a few
  image bags (``clf.label_distribution(bags, Y)``) next to their logical labels.

    python benchmarks/le_figures.py [--out results/] [--quick] [--seed 0]

writes <out>/plots/image_label_significance.png (GLEMIMLClassifier with default
parameters, fitted on the library's train/validation split of the image data, bags from
the test part; --quick: 5 epochs). benchmarks/run_all.py draws it next to Table 4 and
skips it with a message when the image data is missing.
"""
import argparse
import sys
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for p in (str(HERE), str(REPO)):
    if p not in sys.path:
        sys.path.insert(0, p)

from suite.plots import _plt  # noqa: E402

__all__ = ['recovery_figure', 'image_significance_figure', 'main']


def _save(fig, path: Path) -> None:
    """Writes the figure (its layout already fixed, leaving room for the legend)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    _plt().close(fig)


def _bars(ax, series: Dict[str, np.ndarray], labels: Sequence[str], relevant, title):
    """Grouped bars: one group per label, one bar per series; relevant labels starred."""
    k, n = len(series), len(labels)
    width = 0.8 / k
    for j, (name, v) in enumerate(series.items()):
        ax.bar(np.arange(n) + (j - (k - 1) / 2) * width, v, width, label=name,
               color='k' if j == 0 else None, alpha=0.85)
    ax.set_xticks(np.arange(n))
    ax.set_xticklabels([f'{t}*' if r else t for t, r in zip(labels, relevant)],
                       rotation=45 if n > 6 else 0, fontsize=7)
    ax.set_title(title, fontsize=8)
    ax.tick_params(axis='y', labelsize=7)


def recovery_figure(recovered: Dict[str, Tuple[np.ndarray, np.ndarray, Dict]], path: Path,
                    n_instances: int = 3) -> None:
    """One row per data set, one panel per instance (evenly spaced among those with more
    than one relevant label, where there are enough): the true
    distribution (black) and each method's recovery (its first seed) as bars per label;
    ``*`` marks the labels the threshold rule made relevant.

    Args:
        recovered: ``{dataset: (D_true, L, {method: D_recovered})}``.
        path: the PNG to write.
        n_instances: panels per data set.
    """
    plt = _plt()
    rows = len(recovered)
    fig, axes = plt.subplots(rows, n_instances, figsize=(4.2 * n_instances, 2.8 * rows),
                             squeeze=False)
    for r, (dname, (D, L, methods)) in enumerate(recovered.items()):
        multi = np.flatnonzero(L.sum(1) > 1)  # more to see than one relevant label
        pool = multi if len(multi) >= n_instances else np.arange(len(D))
        idx = pool[np.linspace(0, len(pool) - 1, n_instances).round().astype(int)]
        names = [f'y{j + 1}' for j in range(D.shape[1])]
        for c, i in enumerate(idx):
            series = {'true': D[i], **{m: R[i] for m, R in methods.items()}}
            _bars(axes[r, c], series, names, L[i], f'{dname}, instance {i}')
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.suptitle('True and recovered label distributions (* = relevant by the threshold '
                 'rule; instances with several relevant labels, evenly spaced)', fontsize=9,
                 y=0.995)
    fig.legend(handles, labels, loc='upper center', ncol=min(len(labels), 6), fontsize=8,
               bbox_to_anchor=(0.5, 0.965))
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    _save(fig, path)


def _pick_bags(Y: np.ndarray, idx: np.ndarray, n: int) -> np.ndarray:
    """Up to ``n`` bags of ``idx``: ``n - n // 3`` with several labels (where the
    significance has something to split) and the rest with one, each group evenly
    spaced; fewer multi-label bags leave their places to single-label ones."""
    multi, single = idx[Y[idx].sum(1) > 1], idx[Y[idx].sum(1) <= 1]
    k = min(len(multi), n - n // 3)

    def spaced(a, m):
        return a[np.linspace(0, len(a) - 1, m).round().astype(int)] if m else a[:0]
    return np.concatenate([spaced(multi, k), spaced(single, min(len(single), n - k))])


def image_significance_figure(out: Path, quick: bool = False, seed: int = 0,
                              n_bags: int = 6, root=None) -> Path:
    """Fits GLEMIML (default parameters; ``quick``: 5 epochs) on the image data's
    library train/validation split and draws, for ``n_bags`` test bags (two thirds with
    several labels, evenly spaced), the recovered label significance
    (``clf.label_distribution``) next to the logical labels divided by their count.
    Raises FileNotFoundError (or DatasetNotFoundError) when the image data is missing.
    Returns the PNG's path."""
    from gmiml.datasets import load_bags, train_val_test_split
    from gmiml.estimators import GLEMIMLClassifier

    data = load_bags('image', root=root)
    tr, va, te = train_val_test_split(data.Y, seed=seed)
    kw = {'random_state': seed, **({'max_epochs': 5} if quick else {})}
    clf = GLEMIMLClassifier(**kw)
    bags = list(data.bags)
    clf.fit([bags[i] for i in tr], data.Y[tr],
            eval_set=([bags[i] for i in va], data.Y[va]))
    pick = _pick_bags(data.Y, te, n_bags)
    D = clf.label_distribution([bags[i] for i in pick], data.Y[pick])
    names = list(data.label_names) if data.label_names is not None else \
        [f'y{j + 1}' for j in range(data.Y.shape[1])]
    plt = _plt()
    cols = 3
    rows = int(np.ceil(len(pick) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.8 * rows), squeeze=False)
    for a, (i, d) in enumerate(zip(pick, D)):
        y = data.Y[i].astype(float)
        _bars(axes[a // cols, a % cols], {'logical labels / count': y / y.sum(),
                                           'GLEMIML significance': d},
              names, data.Y[i], f'image bag {i} ({len(bags[i])} instances)')
    for a in range(len(pick), rows * cols):
        axes[a // cols, a % cols].axis('off')
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc='upper center', ncol=2, fontsize=8,
               bbox_to_anchor=(0.5, 0.965))
    fig.suptitle(f"Label significance recovered by GLEMIML for test bags of the image "
                 f"data (seed {seed}{', quick: 5 epochs' if quick else ''}; * = the bag's "
                 f"labels)", fontsize=9, y=0.995)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    path = Path(out) / 'plots' / 'image_label_significance.png'
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(fig, path)
    return path


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(prog='le_figures.py', description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default=str(REPO / 'results'))
    p.add_argument('--quick', action='store_true')
    p.add_argument('--seed', type=int, default=0)
    opts = p.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    path = image_significance_figure(Path(opts.out), opts.quick, opts.seed)
    print(f'[le_figures] wrote {path}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
