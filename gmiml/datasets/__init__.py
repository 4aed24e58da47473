r"""The MIML benchmark data sets: registry, locating, checksums, downloading, loading
(by name or path), splits, synthetic data, statistics.

:class:`MIMLDataset` (a PyG ``InMemoryDataset``) is imported lazily, so importing this
package does not import torch_geometric.
"""
from gmiml._lazy import lazy_attributes

from .checksums import file_sha256, git_blob_id, verify_files
from .download import download_dataset, download_datasets
from .errors import ChecksumMismatchError, DatasetNotFoundError
from .load import load_bags
from .locate import is_available, locate
from .paths import default_processed_dir, resolve_root
from .registry import REGISTRY, dataset_names, get_info, resolve_name
from .splits import iterative_stratification, kfold_split, train_val_test_split
from .stats import dataset_stats
from .synthetic import make_synthetic_miml

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
    'download_datasets',
    'file_sha256',
    'git_blob_id',
    'verify_files',
    'DatasetNotFoundError',
    'ChecksumMismatchError',
]


# MIMLDataset is imported on first use: it needs torch_geometric
__getattr__, __dir__ = lazy_attributes(
    __name__, {'MIMLDataset': 'gmiml.datasets.miml_dataset'}, __all__)
