r"""Module form of :func:`gmiml.losses.functional.label_distribution_loss` (Eq. 12)."""
from torch import Tensor, nn

from .functional import label_distribution_loss

__all__ = ['LabelDistributionLoss']


class LabelDistributionLoss(nn.Module):
    r"""The label-distribution loss :math:`L_{DC}` (Eq. 12 of GLEMIML): soft-target
    cross-entropy of the classifier's softmax against a label distribution,

    .. math::
        L_{DC} = -\frac{1}{n} \sum_{i} \sum_{j} d_{ij} \log \mathrm{softmax}(\mathbf{s}_i)_j.

    See :func:`gmiml.losses.functional.label_distribution_loss`.

    Shapes:
        - **input** (logits), **target** (distributions, rows summing to 1): :math:`(B, L)`
        - **output:** scalar
    """
    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return label_distribution_loss(input, target)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'
