r"""GLEMIML models."""
from .label_enhancer import LabelEnhancer
from .glemiml_net import GLEMIMLNet

__all__ = ['LabelEnhancer', 'GLEMIMLNet']
