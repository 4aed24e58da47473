r"""Message-passing layers of GLEMIML."""
from .instance_interaction import InstanceInteraction, sym_norm
from .label_graph_conv import LabelGraphConv, label_knn_graph, cosine_from_gram

__all__ = [
    'InstanceInteraction',
    'LabelGraphConv',
    'sym_norm',
    'label_knn_graph',
    'cosine_from_gram',
]
