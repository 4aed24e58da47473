r"""The GLEMIML losses (Eqs. 6-14): functions in :mod:`gmiml.losses.functional` and thin
:class:`torch.nn.Module` wrappers."""
from . import functional
from .functional import (
    asymmetric_focal_loss,
    similarity_consistency_loss,
    threshold_loss,
    label_distribution_loss,
    logical_label_loss,
    enhancer_loss,
    classifier_loss,
)
from .asymmetric_focal_loss import AsymmetricFocalLoss
from .similarity_consistency_loss import SimilarityConsistencyLoss
from .threshold_loss import ThresholdLoss
from .label_distribution_loss import LabelDistributionLoss
from .logical_label_loss import LogicalLabelLoss
from .enhancer_loss import EnhancerLoss
from .classifier_loss import ClassifierLoss

__all__ = [
    'functional',
    'asymmetric_focal_loss',
    'similarity_consistency_loss',
    'threshold_loss',
    'label_distribution_loss',
    'logical_label_loss',
    'enhancer_loss',
    'classifier_loss',
    'AsymmetricFocalLoss',
    'SimilarityConsistencyLoss',
    'ThresholdLoss',
    'LabelDistributionLoss',
    'LogicalLabelLoss',
    'EnhancerLoss',
    'ClassifierLoss',
]
