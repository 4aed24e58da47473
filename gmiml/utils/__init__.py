r"""Tensor-level algorithms: validation, bag graphs, bag distances."""
from .validation import check_bags, check_labels, check_bags_labels
from .hausdorff import hausdorff_distances
from .k_medoids import k_medoids
from .mutual_knn_graph import mutual_knn_graph
from .label_calibration import (threshold_rule, neighbour_label_average,
                                calibrated_distribution, fit_rule_temperature)

__all__ = [
    'check_bags',
    'check_labels',
    'check_bags_labels',
    'hausdorff_distances',
    'k_medoids',
    'mutual_knn_graph',
    'threshold_rule',
    'neighbour_label_average',
    'calibrated_distribution',
    'fit_rule_temperature',
]
