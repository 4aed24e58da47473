r"""The GLEMIML losses as functions on tensors (Eqs. 6-14 of the GLEMIML paper).

Su et al., "Graph based Label Enhancement for Multi-instance Multi-label learning"
(GLEMIML) trains a label enhancer (LE, label-distribution logits
:math:`\mathbf{z}^*`) and a MIML classifier (logits :math:`\mathbf{s}`) together. Each side
has its own loss; the term through which one side guides the other reads the other side's
output *detached* (the callers pass detached tensors; see ``docs/method.md``):

* enhancer side, :math:`L_{CLE} = \beta_1 L_{CL} + \beta_2 L_{Sim} + \beta_3 L_{threshold}`
  (Eq. 11) with :func:`asymmetric_focal_loss` (Eq. 6), :func:`similarity_consistency_loss`
  (Eqs. 7-9) and :func:`threshold_loss` (Eq. 10), combined by :func:`enhancer_loss`;
* classifier side, :math:`L_C = \rho L_{LC} + (1 - \rho) L_{DC}` (Eq. 14) with
  :func:`logical_label_loss` (Eq. 13) and :func:`label_distribution_loss` (Eq. 12),
  combined by :func:`classifier_loss`.

All losses are means over the bags of the batch (and over labels where the paper averages
over labels), so their scale does not depend on the batch size.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ['asymmetric_focal_loss', 'similarity_consistency_loss', 'threshold_loss',
           'label_distribution_loss', 'logical_label_loss', 'enhancer_loss',
           'classifier_loss']


def _check_pair(a: Tensor, b: Tensor, name_a: str, name_b: str):
    if a.dim() != 2:
        raise ValueError(f"{name_a}: expected a 2-D tensor [B, L], got shape "
                         f"{tuple(a.shape)}")
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")


def asymmetric_focal_loss(
    input: Tensor,
    target: Tensor,
    teacher: Tensor,
    gamma_pos: float = 0.0,
    gamma_neg: float = 1.0,
) -> Tensor:
    r"""The interaction loss :math:`L_{CL}` of the label enhancer (Eq. 6): a binary
    cross-entropy on the enhancer's logits whose per-label weights come from the
    classifier's probabilities (an asymmetric focal loss, Ridnik et al. 2021):

    .. math::
        L_{CL} = -\frac{1}{n k} \sum_{i=1}^{n} \sum_{j=1}^{k}
        \begin{cases}
            (1 - p_{ij})^{\gamma^+} \log p^*_{ij}, & y_{ij} = 1 \\
            p_{ij}^{\gamma^-} \log (1 - p^*_{ij}), & y_{ij} = 0
        \end{cases}

    with :math:`p^* = \mathrm{sigmoid}(\text{input})` (enhancer) and
    :math:`p = \mathrm{sigmoid}(\text{teacher})` (classifier). The weights are computed
    without gradient: labels the classifier already gets right weigh less, so the enhancer
    concentrates on what the classifier finds hard.

    Args:
        input (Tensor): enhancer logits :math:`\mathbf{z}^*`.
        target (Tensor): logical labels in :math:`\{0, 1\}`.
        teacher (Tensor): classifier logits :math:`\mathbf{s}` (used under
            :obj:`torch.no_grad`).
        gamma_pos (float, optional): :math:`\gamma^+`. (default: :obj:`0.0`)
        gamma_neg (float, optional): :math:`\gamma^-`. (default: :obj:`1.0`)

    Shapes:
        - **input**, **target**, **teacher:** :math:`(B, L)`
        - **output:** scalar
    """
    _check_pair(input, target, 'input', 'target')
    _check_pair(input, teacher, 'input', 'teacher')
    target = target.to(input.dtype)
    with torch.no_grad():
        p = torch.sigmoid(teacher.to(input.dtype))
        w = target * (1 - p).pow(gamma_pos) + (1 - target) * p.pow(gamma_neg)
    # logsigmoid is the numerically stable log p* and log(1 - p*) = logsigmoid(-z).
    ll = target * F.logsigmoid(input) + (1 - target) * F.logsigmoid(-input)
    return -(w * ll).mean()


def _cosine_matrix(a: Tensor, eps: float = 1e-8) -> Tensor:
    a = a / a.norm(dim=-1, keepdim=True).clamp_min(eps)
    return a @ a.t()


def similarity_consistency_loss(features: Tensor, input: Tensor) -> Tensor:
    r"""The bag-similarity consistency loss :math:`L_{Sim}` (Eqs. 7-9): bags whose features
    are similar should get similar label distributions.

    .. math::
        Z_{ij} = \cos(\mathbf{x}_i, \mathbf{x}_j), \qquad
        A_{ij} = \cos(\mathbf{z}^*_i, \mathbf{z}^*_j), \qquad
        L_{Sim} = \frac{1}{n^2} \sum_{i=1}^{n} \sum_{j=1}^{n} (Z_{ij} - A_{ij})^2

    over the :math:`n` bags of a batch. Eq. 9 of the paper is garbled (it squares a sum of
    signed differences, in which positive and negative errors cancel); this is FLEM's form,
    the mean squared difference of the two similarity matrices (``docs/method.md``).
    :math:`Z` is a constant (no gradient flows into ``features``).

    Args:
        features (Tensor): one feature vector per bag :math:`\mathbf{x}_i` (GLEMIML uses
            the bag's mean standardised instance).
        input (Tensor): enhancer logits :math:`\mathbf{z}^*`.

    Shapes:
        - **features:** :math:`(B, F)`; **input:** :math:`(B, L)`
        - **output:** scalar
    """
    if features.dim() != 2 or input.dim() != 2 or features.size(0) != input.size(0):
        raise ValueError(f"features [B, F] and input [B, L] must be 2-D with the same "
                         f"number of bags, got {tuple(features.shape)} and "
                         f"{tuple(input.shape)}")
    with torch.no_grad():
        z = _cosine_matrix(features.to(input.dtype))
    a = _cosine_matrix(input)
    return (z - a).pow(2).mean()


def threshold_loss(input: Tensor, target: Tensor, margin: float = 0.0) -> Tensor:
    r"""The threshold loss :math:`L_{threshold}` (Eq. 10): in every bag the least
    significant relevant label must score above the most significant irrelevant one.

    .. math::
        L_{threshold} = \frac{1}{n} \sum_{i=1}^{n}
        \max\!\big(\max_{j \in \Omega^-_i} z^*_{ij} - \min_{j \in \Omega^+_i} z^*_{ij}
        + \text{margin},\ 0\big)

    Bags without a relevant or without an irrelevant label add 0 (they still count in
    :math:`n`). Applied to logits, as FLEM does; the softmax that turns logits into the
    distribution is monotone within a bag, so the ordering it enforces is the same.

    Args:
        input (Tensor): enhancer logits.
        target (Tensor): logical labels in :math:`\{0, 1\}`.
        margin (float, optional): the required gap. (default: :obj:`0.0`)

    Shapes:
        - **input**, **target:** :math:`(B, L)`
        - **output:** scalar
    """
    _check_pair(input, target, 'input', 'target')
    pos = target > 0.5
    neg = ~pos
    inf = torch.finfo(input.dtype).max
    max_neg = input.masked_fill(pos, -inf).amax(dim=1)
    min_pos = input.masked_fill(neg, inf).amin(dim=1)
    valid = pos.any(dim=1) & neg.any(dim=1)
    gap = torch.where(valid, max_neg - min_pos + margin, torch.zeros_like(max_neg))
    return gap.clamp_min(0).mean()


def label_distribution_loss(input: Tensor, target: Tensor) -> Tensor:
    r"""The label-distribution loss :math:`L_{DC}` (Eq. 12): the cross-entropy of the
    classifier's softmax against a target label distribution :math:`\mathbf{d}_i` (rows
    summing to 1), i.e.

    .. math::
        L_{DC} = -\frac{1}{n} \sum_{i=1}^{n} \sum_{j=1}^{k} d_{ij}
        \log \frac{e^{s_{ij}}}{\sum_{u=1}^{k} e^{s_{iu}}}
        = \frac{1}{n} \sum_{i} \sum_{j} d_{ij}
          \log\!\Big(\sum_{u} e^{s_{iu} - s_{ij}}\Big).

    Eq. 12 of the paper is garbled (``d log d (e^{sum s - s_j})``); the second form above
    is what it appears to write, and is FLEM's soft-target cross-entropy, which upper-bounds
    the multi-label softmax loss (``docs/method.md``).

    Args:
        input (Tensor): logits :math:`\mathbf{s}`.
        target (Tensor): target distributions :math:`\mathbf{d}` (pass them detached).

    Shapes:
        - **input**, **target:** :math:`(B, L)`
        - **output:** scalar
    """
    _check_pair(input, target, 'input', 'target')
    return -(target.to(input.dtype) * F.log_softmax(input, dim=1)).sum(dim=1).mean()


def logical_label_loss(input: Tensor, target: Tensor,
                       pos_weight: Optional[Tensor] = None) -> Tensor:
    r"""The logical-label loss :math:`L_{LC}` (Eq. 13): binary cross-entropy of the
    classifier's logits against the logical labels, averaged over bags and labels,

    .. math::
        L_{LC} = -\frac{1}{n k} \sum_{i, j} y_{ij} \log p_{ij} + (1 - y_{ij}) \log(1 - p_{ij}),
        \qquad p = \mathrm{sigmoid}(\mathbf{s}).

    Args:
        input (Tensor): logits.
        target (Tensor): labels in :math:`\{0, 1\}`.
        pos_weight (Tensor, optional): per-label weight of the positive term, as in
            :func:`torch.nn.functional.binary_cross_entropy_with_logits`.
            (default: :obj:`None`)

    Shapes:
        - **input**, **target:** :math:`(B, L)`
        - **output:** scalar
    """
    _check_pair(input, target, 'input', 'target')
    return F.binary_cross_entropy_with_logits(input, target.to(input.dtype),
                                              pos_weight=pos_weight)


def _check_betas(betas: Sequence[float]) -> Tuple[float, float, float]:
    betas = tuple(float(b) for b in betas)
    if len(betas) != 3 or min(betas) < 0 or abs(sum(betas) - 1.0) > 1e-6:
        raise ValueError(f"betas: expected three non-negative weights summing to 1 "
                         f"(Eq. 11), got {betas}")
    return betas


def enhancer_loss(
    input: Tensor,
    target: Tensor,
    teacher: Tensor,
    features: Optional[Tensor] = None,
    betas: Sequence[float] = (0.98, 0.01, 0.01),
    gamma_pos: float = 0.0,
    gamma_neg: float = 1.0,
    margin: float = 0.0,
    parts: Optional[dict] = None,
) -> Tensor:
    r"""The enhancer's loss :math:`L_{CLE}` (Eq. 11):

    .. math::
        L_{CLE} = \beta_1 L_{CL} + \beta_2 L_{Sim} + \beta_3 L_{threshold},
        \qquad \beta_1 + \beta_2 + \beta_3 = 1.

    Args:
        input (Tensor): enhancer logits.
        target (Tensor): logical labels.
        teacher (Tensor): classifier logits (used without gradient).
        features (Tensor, optional): bag features for :math:`L_{Sim}`; required when
            :math:`\beta_2 > 0`. (default: :obj:`None`)
        betas (tuple, optional): :math:`(\beta_1, \beta_2, \beta_3)`.
            (default: :obj:`(0.98, 0.01, 0.01)`)
        gamma_pos (float, optional): :math:`\gamma^+`. (default: :obj:`0.0`)
        gamma_neg (float, optional): :math:`\gamma^-`. (default: :obj:`1.0`)
        margin (float, optional): margin of :func:`threshold_loss`. (default: :obj:`0.0`)
        parts (dict, optional): if given, receives the terms ``L_CL``, ``L_Sim`` and
            ``L_threshold`` (a term with weight 0 is a zero). (default: :obj:`None`)
    """
    b1, b2, b3 = _check_betas(betas)
    l_cl = asymmetric_focal_loss(input, target, teacher, gamma_pos, gamma_neg)
    l_sim = l_thr = input.new_zeros(())
    loss = b1 * l_cl
    if b2 > 0:
        if features is None:
            raise ValueError("enhancer_loss: betas[1] > 0 needs the bag features")
        l_sim = similarity_consistency_loss(features, input)
        loss = loss + b2 * l_sim
    if b3 > 0:
        l_thr = threshold_loss(input, target, margin)
        loss = loss + b3 * l_thr
    if parts is not None:
        parts.update(L_CL=l_cl, L_Sim=l_sim, L_threshold=l_thr)
    return loss


def classifier_loss(
    input: Tensor,
    target: Tensor,
    distribution: Optional[Tensor] = None,
    rho: float = 0.9,
    parts: Optional[dict] = None,
) -> Tensor:
    r"""The classifier's loss :math:`L_C` (Eq. 14):

    .. math::
        L_C = \rho L_{LC} + (1 - \rho) L_{DC}.

    Args:
        input (Tensor): classifier logits.
        target (Tensor): logical labels.
        distribution (Tensor, optional): the enhancer's label distribution (rows summing to
            1, pass it detached); required when :math:`\rho < 1`. (default: :obj:`None`)
        rho (float, optional): :math:`\rho \in [0, 1]`. (default: :obj:`0.9`, as
            :class:`~gmiml.estimators.GLEMIMLClassifier`)
        parts (dict, optional): if given, receives the terms ``L_LC`` and ``L_DC`` (a
            zero when no distribution is given). (default: :obj:`None`)
    """
    if not 0.0 <= rho <= 1.0:
        raise ValueError(f"rho: expected a weight in [0, 1], got {rho}")
    l_lc = logical_label_loss(input, target)
    l_dc = input.new_zeros(())
    loss = rho * l_lc
    if distribution is not None:
        l_dc = label_distribution_loss(input, distribution)
        loss = loss + (1.0 - rho) * l_dc
    elif rho < 1.0:
        raise ValueError("classifier_loss: rho < 1 needs the label distribution")
    if parts is not None:
        parts.update(L_LC=l_lc, L_DC=l_dc)
    return loss
