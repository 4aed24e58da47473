r"""Module form of :func:`gmiml.losses.functional.enhancer_loss` (Eq. 11)."""
from typing import Optional, Sequence

from torch import Tensor, nn

from .functional import _check_betas, enhancer_loss

__all__ = ['EnhancerLoss']


class EnhancerLoss(nn.Module):
    r"""The label enhancer's loss :math:`L_{CLE}` (Eq. 11 of GLEMIML),

    .. math::
        L_{CLE} = \beta_1 L_{CL} + \beta_2 L_{Sim} + \beta_3 L_{threshold},
        \qquad \textstyle\sum_i \beta_i = 1.

    See :func:`gmiml.losses.functional.enhancer_loss`.

    Args:
        betas (tuple, optional): :math:`(\beta_1, \beta_2, \beta_3)`.
            (default: :obj:`(0.98, 0.01, 0.01)`)
        gamma_pos (float, optional): :math:`\gamma^+` of :math:`L_{CL}`. (default: :obj:`0.0`)
        gamma_neg (float, optional): :math:`\gamma^-` of :math:`L_{CL}`. (default: :obj:`1.0`)
        margin (float, optional): margin of :math:`L_{threshold}`. (default: :obj:`0.0`)

    Shapes:
        - **input** (enhancer logits), **target**, **teacher** (classifier logits):
          :math:`(B, L)`; **features** (optional): :math:`(B, F)`
        - **output:** scalar
    """
    def __init__(self, betas: Sequence[float] = (0.98, 0.01, 0.01), gamma_pos: float = 0.0,
                 gamma_neg: float = 1.0, margin: float = 0.0):
        super().__init__()
        self.betas = _check_betas(betas)
        self.gamma_pos = gamma_pos
        self.gamma_neg = gamma_neg
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor, teacher: Tensor,
                features: Optional[Tensor] = None) -> Tensor:
        return enhancer_loss(input, target, teacher, features, self.betas, self.gamma_pos,
                             self.gamma_neg, self.margin)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(betas={self.betas}, gamma_pos={self.gamma_pos}, '
                f'gamma_neg={self.gamma_neg}, margin={self.margin})')
