r"""The GLEMIML losses (Eqs. 6-14), functions on tensors (:mod:`gmiml.losses.functional`)."""
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

__all__ = [
    'functional',
    'asymmetric_focal_loss',
    'similarity_consistency_loss',
    'threshold_loss',
    'label_distribution_loss',
    'logical_label_loss',
    'enhancer_loss',
    'classifier_loss',
]
