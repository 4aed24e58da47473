r"""Module form of :func:`gmiml.losses.functional.similarity_consistency_loss`
(Eqs. 7-9)."""
from torch import Tensor, nn

from .functional import similarity_consistency_loss

__all__ = ['SimilarityConsistencyLoss']


class SimilarityConsistencyLoss(nn.Module):
    r"""The bag-similarity consistency loss :math:`L_{Sim}` (Eqs. 7-9 of GLEMIML): the mean
    squared difference between the cosine-similarity matrix of the bags' features and that
    of their enhancer outputs within a batch,

    .. math::
        L_{Sim} = \frac{1}{n^2} \sum_{i,j} \big(\cos(\mathbf{x}_i, \mathbf{x}_j)
        - \cos(\mathbf{z}^*_i, \mathbf{z}^*_j)\big)^2.

    See :func:`gmiml.losses.functional.similarity_consistency_loss`.

    Shapes:
        - **features:** :math:`(B, F)`; **input** (enhancer logits): :math:`(B, L)`
        - **output:** scalar
    """
    def forward(self, features: Tensor, input: Tensor) -> Tensor:
        return similarity_consistency_loss(features, input)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'
