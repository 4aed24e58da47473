r"""Module form of :func:`gmiml.losses.functional.classifier_loss` (Eq. 14)."""
from typing import Optional

from torch import Tensor, nn

from .functional import classifier_loss

__all__ = ['ClassifierLoss']


class ClassifierLoss(nn.Module):
    r"""The MIML classifier's loss :math:`L_C` (Eq. 14 of GLEMIML),

    .. math::
        L_C = \rho L_{LC} + (1 - \rho) L_{DC}.

    See :func:`gmiml.losses.functional.classifier_loss`.

    Args:
        rho (float, optional): :math:`\rho \in [0, 1]`. (default: :obj:`0.9`)

    Shapes:
        - **input** (logits), **target**, **distribution** (optional, detached enhancer
          distribution): :math:`(B, L)`
        - **output:** scalar
    """
    def __init__(self, rho: float = 0.9):
        super().__init__()
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"rho: expected a weight in [0, 1], got {rho}")
        self.rho = rho

    def forward(self, input: Tensor, target: Tensor,
                distribution: Optional[Tensor] = None) -> Tensor:
        return classifier_loss(input, target, distribution, self.rho)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(rho={self.rho})'
