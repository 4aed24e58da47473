r"""Module form of :func:`gmiml.losses.functional.logical_label_loss` (Eq. 13)."""
from torch import Tensor, nn

from .functional import logical_label_loss

__all__ = ['LogicalLabelLoss']


class LogicalLabelLoss(nn.Module):
    r"""The logical-label loss :math:`L_{LC}` (Eq. 13 of GLEMIML): binary cross-entropy of
    the classifier's logits against the logical labels, averaged over bags and labels.

    See :func:`gmiml.losses.functional.logical_label_loss`.

    Shapes:
        - **input** (logits), **target:** :math:`(B, L)`
        - **output:** scalar
    """
    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return logical_label_loss(input, target)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'
