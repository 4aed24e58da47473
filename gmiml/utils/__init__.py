r"""Tensor-level algorithms: validation, bag graphs, bag distances, batching, label
distributions.

Names are imported lazily, so that the light modules (validation, used by the readers and
``python -m gmiml.datasets``) do not pay the torch import.
"""
from gmiml._lazy import lazy_attributes

_LAZY = {
    'check_bags': 'gmiml.utils.validation',
    'check_labels': 'gmiml.utils.validation',
    'check_bags_labels': 'gmiml.utils.validation',
    'hausdorff_distances': 'gmiml.utils.hausdorff',
    'k_medoids': 'gmiml.utils.k_medoids',
    'mutual_knn_graph': 'gmiml.utils.mutual_knn_graph',
    'split_batches': 'gmiml.utils.batches',
    'memory_status': 'gmiml.utils.memory',
    'reset_peak': 'gmiml.utils.memory',
    'peak_rss_bytes': 'gmiml.utils.memory',
    'peak_since': 'gmiml.utils.memory',
    'threshold_rule': 'gmiml.utils.label_calibration',
    'neighbour_label_average': 'gmiml.utils.label_calibration',
    'calibrated_distribution': 'gmiml.utils.label_calibration',
    'fit_rule_temperature': 'gmiml.utils.label_calibration',
    'check_distribution': 'gmiml.utils.label_distribution',
    'check_logical_labels': 'gmiml.utils.label_distribution',
    'logical_from_distribution': 'gmiml.utils.label_distribution',
    'softmax_labels': 'gmiml.utils.label_distribution',
    'normalized_labels': 'gmiml.utils.label_distribution',
    'bag_knn_graph': 'gmiml.utils.bag_knn_graph',
    'bag_similarity': 'gmiml.utils.bag_knn_graph',
    'hubness_radius': 'gmiml.utils.bag_knn_graph',
}

__all__ = list(_LAZY)

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
