r"""Tensor-level algorithms: validation, bag graphs, bag distances, label distributions."""
from .validation import check_bags, check_labels, check_bags_labels
from .hausdorff import hausdorff_distances
from .k_medoids import k_medoids
from .mutual_knn_graph import mutual_knn_graph
from .label_distribution import (check_distribution, check_logical_labels,
                                 logical_from_distribution, softmax_labels,
                                 normalized_labels)

__all__ = [
    'check_bags',
    'check_labels',
    'check_bags_labels',
    'hausdorff_distances',
    'k_medoids',
    'mutual_knn_graph',
    'check_distribution',
    'check_logical_labels',
    'logical_from_distribution',
    'softmax_labels',
    'normalized_labels',
]
