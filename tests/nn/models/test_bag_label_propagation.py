import math

import pytest
import torch

from gmiml.nn.models import BagLabelPropagation, GLEMIMLNet


def _bank(seed=0, n=12, d=3, L=4):
    g = torch.Generator().manual_seed(seed)
    sizes = torch.randint(1, 4, (n, ), generator=g)
    x = torch.randn(int(sizes.sum()), d, generator=g)
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), sizes.cumsum(0)])
    y = (torch.rand(n, L, generator=g) < 0.4).float()
    y[0] = 0
    y[0, 0] = 1
    return x, ptr, y


def test_forward_by_hand():
    x, ptr, y = _bank()
    prop = BagLabelPropagation(4, k=3, beta=0.5, tau=0.1, alpha=0.2)
    prop.set_bank(x, ptr, y)
    idx, sim = prop.neighbours(x, ptr, torch.arange(12))
    assert idx.shape == (12, 3) and not (idx == torch.arange(12)[:, None]).any()
    e = prop(idx, sim)
    a = torch.softmax(sim / 0.1, -1)
    pi = y.mean(0)
    q = 0.8 * (a[..., None] * y[idx]).sum(1) + 0.2 * pi
    expected = torch.log(q / (1 - q)) - torch.log(pi / (1 - pi))
    assert torch.allclose(e, expected, atol=1e-5)
    # the evidence is positive where all neighbours have the label, negative where none
    allpos = (y[idx].min(1).values > 0)
    nopos = (y[idx].max(1).values == 0)
    assert (e[allpos] > 0).all() and (e[nopos] < 0).all()


def test_learnable_tau_and_weight_get_gradients():
    x, ptr, y = _bank()
    prop = BagLabelPropagation(4, k=4)
    prop.set_bank(x, ptr, y)
    idx, sim = prop.neighbours(x, ptr, torch.arange(12))
    prop(idx, sim).pow(2).sum().backward()
    assert prop.log_tau.grad is not None and prop.weight.grad is not None
    assert prop.log_tau.item() == pytest.approx(math.log(0.05))


def test_select_bank_caps_and_keeps_every_label():
    y = torch.zeros(50, 5)
    y[:, 0] = 1
    y[7, 3] = 1  # the one positive of label 3
    y[31, 4] = 1
    prop = BagLabelPropagation(5, max_bank=10)
    keep = prop.select_bank(y, torch.Generator().manual_seed(0))
    assert keep.numel() == 10 and bool((keep[1:] > keep[:-1]).all())
    assert 7 in keep.tolist() and 31 in keep.tolist()
    assert BagLabelPropagation(5, max_bank=100).select_bank(y).tolist() == list(range(50))


def test_state_dict_round_trip_restores_the_bank():
    x, ptr, y = _bank()
    prop = BagLabelPropagation(4, k=3)
    prop.set_bank(x, ptr, y)
    other = BagLabelPropagation(4, k=3)
    other.load_state_dict(prop.state_dict())
    q = x[:5], torch.tensor([0, 2, 5])
    a, b = prop.neighbours(*q), other.neighbours(*q)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    with pytest.raises(RuntimeError, match='set_bank'):
        BagLabelPropagation(4).neighbours(*q)
    assert 'bank=12' in repr(prop)


def test_in_glemiml_net_adds_evidence_to_logits():
    x, ptr, y = _bank()
    torch.manual_seed(0)
    net = GLEMIMLNet(3, 4, hidden_channels=8, interaction=False, enhancement=False)
    torch.manual_seed(0)
    prop = BagLabelPropagation(4, k=3)
    with_prop = GLEMIMLNet(3, 4, hidden_channels=8, interaction=False, enhancement=False,
                           bag_propagation=prop)
    # the network's own weights are drawn exactly as without propagation
    for (n1, p1), (n2, p2) in zip(net.named_parameters(), with_prop.named_parameters()):
        assert n1 == n2 and torch.equal(p1, p2)
    prop.set_bank(x, ptr, y)
    idx, sim = prop.neighbours(x, ptr, torch.arange(12))
    batch = torch.repeat_interleave(torch.arange(12), ptr[1:] - ptr[:-1])
    net.eval(), with_prop.eval()
    out = with_prop(x, batch=batch, num_bags=12, nbr_index=idx, nbr_sim=sim)
    assert torch.allclose(out, net(x, batch=batch, num_bags=12) + prop(idx, sim))
    # propagate=False: the network's own prediction, the evidence left out
    own = with_prop(x, batch=batch, num_bags=12, nbr_index=idx, nbr_sim=sim, propagate=False)
    assert torch.equal(own, net(x, batch=batch, num_bags=12))
    with pytest.raises(ValueError, match='nbr_index'):
        with_prop(x, batch=batch, num_bags=12)
