r"""The MIML benchmark data sets: registry, loading, splits, synthetic data, statistics.

:class:`MIMLDataset` (a PyG ``InMemoryDataset``) is imported lazily, so importing this
package does not import torch_geometric.
"""
import importlib
from typing import Any

from .errors import ChecksumMismatchError, DatasetNotFoundError
from .load import is_available, load_bags, locate
from .paths import default_processed_dir, resolve_root
from .registry import REGISTRY, dataset_names, get_info, resolve_name
from .splits import iterative_stratification, kfold_split, train_val_test_split
from .stats import dataset_stats
from .synthetic import make_synthetic_miml

_LAZY = {'MIMLDataset': 'gmiml.datasets.miml_dataset',
         'download_dataset': 'gmiml.datasets.download'}

__all__ = [
    'load_bags',
    'locate',
    'is_available',
    'MIMLDataset',
    'REGISTRY',
    'dataset_names',
    'get_info',
    'resolve_name',
    'resolve_root',
    'default_processed_dir',
    'train_val_test_split',
    'kfold_split',
    'iterative_stratification',
    'make_synthetic_miml',
    'dataset_stats',
    'download_dataset',
    'DatasetNotFoundError',
    'ChecksumMismatchError',
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gmiml.datasets' has no attribute '{name}'")


def __dir__() -> list:
    return sorted(__all__)
