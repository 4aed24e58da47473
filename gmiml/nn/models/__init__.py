r"""GLEMIML models."""
from .label_enhancer import LabelEnhancer
from .glemiml_net import GLEMIMLNet
from .bag_label_propagation import BagLabelPropagation

__all__ = ['LabelEnhancer', 'GLEMIMLNet', 'BagLabelPropagation']
