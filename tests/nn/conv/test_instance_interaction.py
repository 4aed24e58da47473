import torch

from gmiml.nn.conv import InstanceInteraction, sym_norm


def _dense(conv, x, edge_index, edge_weight, normalize=True):
    n = x.size(0)
    A = torch.zeros(n, n)
    A[edge_index[1], edge_index[0]] = edge_weight  # row = target
    if normalize:
        deg = A.sum(1)
        dis = torch.where(deg > 0, deg.pow(-0.5), torch.zeros_like(deg))
        A = dis.view(-1, 1) * A * dis.view(1, -1)
    return A @ x @ conv.lin_rel.weight.t() + conv.lin_rel.bias + x @ conv.lin_root.weight.t()


def test_instance_interaction_matches_dense_formula():
    torch.manual_seed(0)
    # path 0 - 1 - 2 with weights 1 and 0.5, node 3 isolated
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    edge_weight = torch.tensor([1.0, 1.0, 0.5, 0.5])
    x = torch.randn(4, 5)
    conv = InstanceInteraction(5, 3)
    assert str(conv) == 'InstanceInteraction(5, 3, normalize=True)'
    out = conv(x, edge_index, edge_weight)
    assert out.shape == (4, 3)
    assert torch.allclose(out, _dense(conv, x, edge_index, edge_weight), atol=1e-6)
    # the isolated instance keeps its root term (plus bias)
    iso = conv.lin_root(x[3:4]) + conv.lin_rel.bias
    assert torch.allclose(out[3:4], iso, atol=1e-6)
    conv2 = InstanceInteraction(5, 3, normalize=False)
    out2 = conv2(x, edge_index, edge_weight)
    assert torch.allclose(out2, _dense(conv2, x, edge_index, edge_weight, False), atol=1e-6)


def test_sym_norm_values():
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    w = torch.tensor([1.0, 1.0, 0.5, 0.5])
    _, nw = sym_norm(edge_index, w, 3)
    # deg = [1, 1.5, 0.5]
    exp01 = 1.0 / (1.0 * 1.5) ** 0.5
    exp12 = 0.5 / (1.5 * 0.5) ** 0.5
    assert torch.allclose(nw, torch.tensor([exp01, exp01, exp12, exp12]), atol=1e-6)


def test_instance_interaction_no_edges_and_reset():
    conv = InstanceInteraction(4, 2)
    x = torch.randn(3, 4)
    out = conv(x, torch.empty(2, 0, dtype=torch.long), torch.empty(0))
    assert torch.allclose(out, conv.lin_root(x) + conv.lin_rel.bias, atol=1e-6)
    w = conv.lin_rel.weight.detach().clone()
    conv.reset_parameters()
    assert not torch.equal(w, conv.lin_rel.weight)
