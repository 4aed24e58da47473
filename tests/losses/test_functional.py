import math

import pytest
import torch

from gmiml.losses import functional as LF


def test_asymmetric_focal_loss_hand_computed():
    z = torch.tensor([[0.0, 1.0]])
    y = torch.tensor([[1.0, 0.0]])
    teacher = torch.tensor([[0.0, 0.0]])  # p = 0.5
    # positive: weight (1 - 0.5)^0 = 1, log sigmoid(0) = -log 2
    # negative: weight 0.5^1, log(1 - sigmoid(1)) = log sigmoid(-1)
    expected = (math.log(2) + 0.5 * math.log(1 + math.e)) / 2
    assert LF.asymmetric_focal_loss(z, y, teacher).item() == pytest.approx(expected, rel=1e-6)
    # gamma_pos = 1 halves the positive term too
    expected = (0.5 * math.log(2) + 0.5 * math.log(1 + math.e)) / 2
    out = LF.asymmetric_focal_loss(z, y, teacher, gamma_pos=1.0)
    assert out.item() == pytest.approx(expected, rel=1e-6)


def test_asymmetric_focal_loss_no_gradient_into_teacher():
    z = torch.randn(4, 3, requires_grad=True)
    teacher = torch.randn(4, 3, requires_grad=True)
    y = torch.randint(0, 2, (4, 3)).float()
    LF.asymmetric_focal_loss(z, y, teacher).backward()
    assert teacher.grad is None
    assert z.grad is not None and z.grad.abs().sum() > 0


def test_asymmetric_focal_loss_gamma_zero_is_bce():
    z, t = torch.randn(5, 4), torch.randn(5, 4)
    y = torch.randint(0, 2, (5, 4)).float()
    bce = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    out = LF.asymmetric_focal_loss(z, y, t, gamma_pos=0.0, gamma_neg=0.0)
    assert out.item() == pytest.approx(bce.item(), rel=1e-6)


def test_similarity_consistency_loss_hand_computed():
    feats = torch.tensor([[1.0, 0.0], [0.0, 1.0]])  # Z = identity
    z = torch.tensor([[1.0, 1.0], [2.0, 2.0]])  # A = all ones
    # squared differences: 0 on the diagonal, 1 off it -> mean 0.5
    assert LF.similarity_consistency_loss(feats, z).item() == pytest.approx(0.5)
    z2 = torch.tensor([[1.0, 0.0], [0.0, 3.0]])  # A = identity -> 0
    assert LF.similarity_consistency_loss(feats, z2).item() == pytest.approx(0.0, abs=1e-7)


def test_similarity_consistency_loss_gradient_only_into_input():
    feats = torch.randn(5, 3, requires_grad=True)
    z = torch.randn(5, 4, requires_grad=True)
    LF.similarity_consistency_loss(feats, z).backward()
    assert feats.grad is None and z.grad.abs().sum() > 0


def test_threshold_loss_hand_computed():
    z = torch.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 1.0], [1.0, 2.0, 3.0]])
    y = torch.tensor([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    # bag 0: max_neg 1 - min_pos 2 -> 0; bag 1: 5 - 0 = 5; bag 2: no negative -> 0
    assert LF.threshold_loss(z, y).item() == pytest.approx(5.0 / 3)
    # margin 1.5: bag 0: 1 - 2 + 1.5 = 0.5; bag 1: 6.5; bag 2: still 0
    assert LF.threshold_loss(z, y, margin=1.5).item() == pytest.approx(7.0 / 3)


def test_label_distribution_loss_hand_computed():
    s = torch.tensor([[0.0, math.log(3.0)]])  # softmax = [0.25, 0.75]
    d = torch.tensor([[0.5, 0.5]])
    expected = -(0.5 * math.log(0.25) + 0.5 * math.log(0.75))
    assert LF.label_distribution_loss(s, d).item() == pytest.approx(expected, rel=1e-6)


def test_label_distribution_loss_minimum_is_entropy():
    # cross-entropy >= entropy of the target, with equality when softmax(s) = d
    torch.manual_seed(0)
    d = torch.softmax(torch.randn(6, 5), dim=1)
    entropy = -(d * d.log()).sum(1).mean()
    assert LF.label_distribution_loss(d.log(), d).item() == pytest.approx(entropy.item(),
                                                                          rel=1e-5)
    assert LF.label_distribution_loss(torch.randn(6, 5), d).item() > entropy.item()


def test_logical_label_loss_hand_computed():
    s = torch.tensor([[0.0, 2.0]])
    y = torch.tensor([[1.0, 0.0]])
    expected = (math.log(2) + math.log(1 + math.exp(2))) / 2
    assert LF.logical_label_loss(s, y).item() == pytest.approx(expected, rel=1e-6)


def test_combined_losses():
    s = torch.tensor([[0.0, 2.0]])
    y = torch.tensor([[1.0, 0.0]])
    d = torch.tensor([[0.5, 0.5]])
    lc = LF.logical_label_loss(s, y)
    ld = LF.label_distribution_loss(s, d)
    out = LF.classifier_loss(s, y, d, rho=0.3)
    assert out.item() == pytest.approx(0.3 * lc.item() + 0.7 * ld.item(), rel=1e-6)
    assert LF.classifier_loss(s, y, rho=1.0).item() == pytest.approx(lc.item())

    z = torch.tensor([[0.5, 1.0], [2.0, -1.0]])
    y2 = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    t = torch.zeros(2, 2)
    f = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    parts = (LF.asymmetric_focal_loss(z, y2, t), LF.similarity_consistency_loss(f, z),
             LF.threshold_loss(z, y2))
    out = LF.enhancer_loss(z, y2, t, f, betas=(0.5, 0.3, 0.2))
    expected = 0.5 * parts[0] + 0.3 * parts[1] + 0.2 * parts[2]
    assert out.item() == pytest.approx(expected.item(), rel=1e-6)


def test_bad_arguments():
    z = torch.zeros(2, 3)
    with pytest.raises(ValueError, match='same shape'):
        LF.threshold_loss(z, torch.zeros(2, 4))
    with pytest.raises(ValueError, match='2-D'):
        LF.logical_label_loss(torch.zeros(3), torch.zeros(3))
    with pytest.raises(ValueError, match='betas'):
        LF.enhancer_loss(z, z, z, z, betas=(0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match='features'):
        LF.enhancer_loss(z, z, z, None, betas=(0.5, 0.5, 0.0))
    with pytest.raises(ValueError, match='rho'):
        LF.classifier_loss(z, z, z, rho=1.5)
    with pytest.raises(ValueError, match='distribution'):
        LF.classifier_loss(z, z, None, rho=0.5)
    with pytest.raises(ValueError, match='number of bags'):
        LF.similarity_consistency_loss(torch.zeros(3, 2), z)


def test_combined_losses_report_their_parts_and_defaults_match_the_estimator():
    import inspect
    from gmiml.estimators import GLEMIMLClassifier
    torch.manual_seed(0)
    s, z, f = torch.randn(5, 4), torch.randn(5, 4), torch.randn(5, 3)
    y = (torch.rand(5, 4) > 0.5).float()
    d = torch.softmax(z, 1)
    cp, ep = {}, {}
    lc = LF.classifier_loss(s, y, d, rho=0.7, parts=cp)
    assert torch.equal(lc, 0.7 * cp['L_LC'] + (1 - 0.7) * cp['L_DC'])
    assert torch.equal(cp['L_LC'], LF.logical_label_loss(s, y))
    le = LF.enhancer_loss(z, y, s, f, betas=(0.5, 0.3, 0.2), parts=ep)
    assert torch.equal(le, 0.5 * ep['L_CL'] + 0.3 * ep['L_Sim'] + 0.2 * ep['L_threshold'])
    LF.enhancer_loss(z, y, s, None, betas=(1.0, 0.0, 0.0), parts=ep)
    assert ep['L_Sim'] == 0 and ep['L_threshold'] == 0
    est = inspect.signature(GLEMIMLClassifier).parameters
    assert inspect.signature(LF.classifier_loss).parameters['rho'].default == est['rho'].default
    assert tuple(inspect.signature(LF.enhancer_loss).parameters['betas'].default) == \
        tuple(est['betas'].default)
