r"""Tensor-level algorithms: validation, bag graphs, bag distances."""
from .validation import check_bags, check_labels, check_bags_labels
from .hausdorff import hausdorff_distances
from .k_medoids import k_medoids
from .mutual_knn_graph import mutual_knn_graph
from .bag_knn_graph import bag_knn_graph, bag_similarity, hubness_radius

__all__ = [
    'check_bags',
    'check_labels',
    'check_bags_labels',
    'hausdorff_distances',
    'k_medoids',
    'mutual_knn_graph',
    'bag_knn_graph',
    'bag_similarity',
    'hubness_radius',
]
