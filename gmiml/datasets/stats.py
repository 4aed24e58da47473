r"""The paper's Table 1 (data set statistics), computed from the files."""
from typing import Dict, List, Optional, Sequence

import numpy as np

from gmiml.io.miml_bags import MIMLBags

__all__ = ['STATS_KEYS', 'bag_stats', 'dataset_stats', 'format_stats']

STATS_KEYS = ('name', 'available', 'bags', 'labels', 'dim', 'instances_per_bag_mean',
              'instances_per_bag_std', 'labels_per_bag_mean', 'labels_per_bag_std')


def bag_stats(bags: MIMLBags) -> Dict:
    r"""Table 1 figures of one data set: number of bags, labels, instance dimension, and
    mean and **sample** standard deviation (``ddof=1``, as the paper) of the instances per
    bag and the labels per bag.

    Returns:
        dict: the :data:`STATS_KEYS` (``name`` = ``bags.name``, ``available`` = True).
    """
    sizes = bags.bag_sizes.astype(np.float64)
    per_bag = bags.Y.sum(axis=1, dtype=np.int64).astype(np.float64)
    ddof = 1 if bags.n_bags > 1 else 0
    return {
        'name': bags.name,
        'available': True,
        'bags': bags.n_bags,
        'labels': bags.n_labels,
        'dim': bags.n_features,
        'instances_per_bag_mean': float(sizes.mean()),
        'instances_per_bag_std': float(sizes.std(ddof=ddof)),
        'labels_per_bag_mean': float(per_bag.mean()),
        'labels_per_bag_std': float(per_bag.std(ddof=ddof)),
    }


def dataset_stats(names: Optional[Sequence] = None, root=None, verify: bool = True,
                  **read_kwargs) -> List[Dict]:
    r"""Table 1 for registered data sets or files (all nine registered ones by default,
    in the paper's order). A registered data set with no complete layout under the root
    is listed with ``available=False`` and :obj:`None` figures; one that is present but
    corrupt raises (never wrong numbers), as does a path that cannot be read.

    Args:
        names (sequence, optional): data set names or paths (see
            :func:`~gmiml.datasets.load_bags`). (default: all registered)
        root (str or os.PathLike, optional): the data root for names. (default: :obj:`None`)
        verify (bool, optional): check pinned checksums. (default: :obj:`True`)
        **read_kwargs: for paths: ``xml``, ``n_labels``, ``labels``, ``entry`` (see
            :func:`gmiml.io.read_miml`).

    Returns:
        list of dict: one dict with exactly the :data:`STATS_KEYS` per data set (``name``:
        the registered key, or the data set name read from the path).
    """
    from .errors import DatasetNotFoundError
    from .load import as_path, load_bags
    from .registry import dataset_names, resolve_name

    rows = []
    for item in (dataset_names() if names is None else names):
        path = as_path(item)
        if path is not None:
            rows.append(bag_stats(load_bags(path, **read_kwargs)))
            continue
        key = resolve_name(item)
        try:
            bags = load_bags(key, root, verify=verify)
        except DatasetNotFoundError:
            rows.append(dict({k: None for k in STATS_KEYS}, name=key, available=False))
            continue
        rows.append(dict(bag_stats(bags), name=key))
    return rows


def format_stats(rows: List[Dict]) -> str:
    r"""Renders :func:`dataset_stats` rows as a plain-text table (mean +- sample std)."""
    head = ('dataset', 'available', 'bags', 'labels', 'dim', 'instances/bag', 'labels/bag')
    body = []
    for r in rows:
        if not r['available']:
            body.append((r['name'], 'no', '-', '-', '-', '-', '-'))
            continue
        body.append((r['name'], 'yes', str(r['bags']), str(r['labels']), str(r['dim']),
                     f"{r['instances_per_bag_mean']:.3f} +- {r['instances_per_bag_std']:.3f}",
                     f"{r['labels_per_bag_mean']:.3f} +- {r['labels_per_bag_std']:.3f}"))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    fmt = lambda row: '  '.join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip()
    lines = [fmt(head), fmt(['-' * w for w in widths])] + [fmt(b) for b in body]
    return '\n'.join(lines)
