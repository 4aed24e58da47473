r"""PyG transforms for bags."""
from .mutual_knn_graph import MutualKNNGraph

__all__ = [
    'MutualKNNGraph',
]
