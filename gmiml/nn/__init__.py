r"""Neural-network parts of GLEMIML on PyTorch Geometric: message-passing layers
(:mod:`gmiml.nn.conv`), models (:mod:`gmiml.nn.models`) and the running label statistic."""
from . import conv, models
from .conv import InstanceInteraction, LabelGraphConv
from .models import GLEMIMLNet, LabelEnhancer
from .running_label_gram import RunningLabelGram

__all__ = [
    'conv',
    'models',
    'InstanceInteraction',
    'LabelGraphConv',
    'GLEMIMLNet',
    'LabelEnhancer',
    'RunningLabelGram',
]
