import torch

from gmiml.losses import (
    AsymmetricFocalLoss,
    ClassifierLoss,
    EnhancerLoss,
    LabelDistributionLoss,
    LogicalLabelLoss,
    SimilarityConsistencyLoss,
    ThresholdLoss,
)
from gmiml.losses import functional as LF


def test_modules_match_functions():
    torch.manual_seed(0)
    z, s, f = torch.randn(4, 3), torch.randn(4, 3), torch.randn(4, 5)
    y = torch.randint(0, 2, (4, 3)).float()
    d = torch.softmax(torch.randn(4, 3), dim=1)
    assert torch.equal(AsymmetricFocalLoss(1.0, 2.0)(z, y, s),
                       LF.asymmetric_focal_loss(z, y, s, 1.0, 2.0))
    assert torch.equal(SimilarityConsistencyLoss()(f, z), LF.similarity_consistency_loss(f, z))
    assert torch.equal(ThresholdLoss(0.5)(z, y), LF.threshold_loss(z, y, 0.5))
    assert torch.equal(LabelDistributionLoss()(s, d), LF.label_distribution_loss(s, d))
    assert torch.equal(LogicalLabelLoss()(s, y), LF.logical_label_loss(s, y))
    assert torch.equal(EnhancerLoss((0.2, 0.3, 0.5))(z, y, s, f),
                       LF.enhancer_loss(z, y, s, f, (0.2, 0.3, 0.5)))
    assert torch.equal(ClassifierLoss(0.4)(s, y, d), LF.classifier_loss(s, y, d, 0.4))


def test_reprs():
    assert str(AsymmetricFocalLoss()) == 'AsymmetricFocalLoss(gamma_pos=0.0, gamma_neg=1.0)'
    assert str(ThresholdLoss()) == 'ThresholdLoss(margin=0.0)'
    assert str(ClassifierLoss(0.9)) == 'ClassifierLoss(rho=0.9)'
    assert 'betas=(0.98, 0.01, 0.01)' in str(EnhancerLoss())
