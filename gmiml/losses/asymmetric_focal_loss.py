r"""Module form of :func:`gmiml.losses.functional.asymmetric_focal_loss` (Eq. 6)."""
from torch import Tensor, nn

from .functional import asymmetric_focal_loss

__all__ = ['AsymmetricFocalLoss']


class AsymmetricFocalLoss(nn.Module):
    r"""The enhancer's interaction loss :math:`L_{CL}` (Eq. 6 of GLEMIML): binary
    cross-entropy on the enhancer's logits, weighted per label by the classifier's
    (gradient-free) probabilities :math:`p`,

    .. math::
        w_{ij} = \begin{cases} (1 - p_{ij})^{\gamma^+}, & y_{ij} = 1 \\
        p_{ij}^{\gamma^-}, & y_{ij} = 0 \end{cases}

    See :func:`gmiml.losses.functional.asymmetric_focal_loss`.

    Args:
        gamma_pos (float, optional): :math:`\gamma^+`. (default: :obj:`0.0`)
        gamma_neg (float, optional): :math:`\gamma^-`. (default: :obj:`1.0`)

    Shapes:
        - **input** (enhancer logits), **target**, **teacher** (classifier logits):
          :math:`(B, L)`
        - **output:** scalar
    """
    def __init__(self, gamma_pos: float = 0.0, gamma_neg: float = 1.0):
        super().__init__()
        self.gamma_pos = gamma_pos
        self.gamma_neg = gamma_neg

    def forward(self, input: Tensor, target: Tensor, teacher: Tensor) -> Tensor:
        return asymmetric_focal_loss(input, target, teacher, self.gamma_pos,
                                     self.gamma_neg)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(gamma_pos={self.gamma_pos}, '
                f'gamma_neg={self.gamma_neg})')
