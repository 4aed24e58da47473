r"""Module form of :func:`gmiml.losses.functional.threshold_loss` (Eq. 10)."""
from torch import Tensor, nn

from .functional import threshold_loss

__all__ = ['ThresholdLoss']


class ThresholdLoss(nn.Module):
    r"""The threshold loss :math:`L_{threshold}` (Eq. 10 of GLEMIML): a hinge that keeps
    every relevant label of a bag above every irrelevant one,

    .. math::
        L_{threshold} = \frac{1}{n} \sum_{i} \max\big(\max_{j \in \Omega^-_i} z^*_{ij}
        - \min_{j \in \Omega^+_i} z^*_{ij} + \text{margin}, 0\big).

    See :func:`gmiml.losses.functional.threshold_loss`.

    Args:
        margin (float, optional): the required gap. (default: :obj:`0.0`)

    Shapes:
        - **input** (enhancer logits), **target:** :math:`(B, L)`
        - **output:** scalar
    """
    def __init__(self, margin: float = 0.0):
        super().__init__()
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return threshold_loss(input, target, self.margin)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(margin={self.margin})'
