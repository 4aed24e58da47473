"""gmiml: multi-instance multi-label learning with graph-based label enhancement.

Top-level names are imported lazily so that ``import gmiml`` stays cheap; the heavy
submodules (torch_geometric, scipy) load on first use.
"""
from gmiml._lazy import lazy_attributes

__version__ = '0.1.0'

_LAZY = {
    'GLEMIMLNet': 'gmiml.nn.models.glemiml_net',
    'GLEMIMLClassifier': 'gmiml.estimators.glemiml_classifier',
    'GLEMIMLEnhancer': 'gmiml.estimators.glemiml_enhancer',
    'MIMLBags': 'gmiml.io.miml_bags',
    'load_bags': 'gmiml.datasets.load',
    'MIMLDataset': 'gmiml.datasets.miml_dataset',
    'mutual_knn_graph': 'gmiml.utils.mutual_knn_graph',
    'evaluate': 'gmiml.metrics.evaluate',
}

__all__ = ['__version__'] + list(_LAZY)


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
