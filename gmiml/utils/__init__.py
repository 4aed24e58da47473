r"""Tensor-level algorithms: validation, bag graphs, bag distances."""
from .validation import check_bags, check_labels, check_bags_labels

__all__ = [
    'check_bags',
    'check_labels',
    'check_bags_labels',
]
