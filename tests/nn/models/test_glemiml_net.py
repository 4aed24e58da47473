import pytest
import torch
from torch_geometric.data import Batch, Data

from gmiml.nn import GLEMIMLNet
from gmiml.nn.conv import InstanceInteraction
from gmiml.utils.mutual_knn_graph import mutual_knn_graph


def _bags(sizes=(3, 1, 5, 2), d=6, L=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    datas = []
    for n in sizes:
        x = torch.randn(n, d, generator=g)
        ei, ew = mutual_knn_graph(x, k=2)
        y = (torch.rand(1, L, generator=g) > 0.5).float()
        y[0, 0] = 1.0
        datas.append(Data(x=x, edge_index=ei, edge_weight=ew, y=y))
    return datas


def _run(model, b, y=True):
    return model(b.x, b.edge_index, b.edge_weight, b.batch, b.y if y else None,
                 num_bags=b.num_graphs)


@pytest.mark.parametrize('kwargs', [
    {},
    {'share_encoder': False},
    {'graph': 'embedding', 'pool': 'mean+max'},
    {'classifier_layers': 3, 'label_k': 0},
])
def test_gradients_reach_every_parameter(kwargs):
    torch.manual_seed(0)
    datas = _bags()
    b = Batch.from_data_list(datas)
    kwargs = {'label_k': 2, **kwargs}
    model = GLEMIMLNet(6, 4, hidden_channels=8, enhancer_channels=8, **kwargs)
    model.train()
    # two steps so the label graph exists (it is built from the running estimate)
    for _ in range(2):
        model.zero_grad()
        logits, z = _run(model, b)
        # random linear read-outs: every output coordinate gets a non-zero gradient
        w1 = torch.randn(logits.shape, generator=torch.Generator().manual_seed(1))
        w2 = torch.randn(z.shape, generator=torch.Generator().manual_seed(2))
        ((logits * w1).sum() + (z * w2).sum()).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, name
        assert p.grad.abs().sum() > 0, name


def test_enhancer_input_is_detached_from_classifier():
    torch.manual_seed(0)
    b = Batch.from_data_list(_bags())
    model = GLEMIMLNet(6, 4, hidden_channels=8, enhancer_channels=8)
    _, z = _run(model, b)
    z.sum().backward()
    # only enhancer parameters get gradient from the enhancer's output
    for name, p in model.named_parameters():
        if not name.startswith('enhancer.'):
            assert p.grad is None or p.grad.abs().sum() == 0, name


@pytest.mark.parametrize('graph', ['input', 'embedding'])
def test_bag_alone_equals_bag_in_batch(graph):
    torch.manual_seed(0)
    datas = _bags()
    model = GLEMIMLNet(6, 4, hidden_channels=8, enhancer_channels=8, label_k=2, graph=graph,
                       pool='mean+max', dropout=0.3)
    model.train()
    _run(model, Batch.from_data_list(datas))  # fill running statistics
    model.eval()
    b = Batch.from_data_list(datas)
    logits, z = _run(model, b)
    for i, d in enumerate(datas):
        one = Batch.from_data_list([d])
        l1, z1 = _run(model, one)
        assert torch.allclose(l1, logits[i:i + 1], atol=1e-5)
        assert torch.allclose(z1, z[i:i + 1], atol=1e-5)
    assert torch.allclose(model.label_distribution(b.x, b.edge_index, b.edge_weight, b.batch,
                                                   b.y).sum(1), torch.ones(4))


def test_same_seed_same_model():
    torch.manual_seed(3)
    a = GLEMIMLNet(6, 4)
    torch.manual_seed(3)
    b = GLEMIMLNet(6, 4)
    for (na, pa), (nb, pb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert na == nb and torch.equal(pa, pb)


def _n_linear(mlp):
    return len(mlp.lins)


def test_ablation_switches_change_architecture():
    full = GLEMIMLNet(6, 4)
    assert isinstance(full.conv, InstanceInteraction)
    assert full.enhancer is not None and full.enhancer.omega2 is not None
    assert _n_linear(full.classifier) == 2
    assert _n_linear(GLEMIMLNet(6, 4, classifier_layers=1).classifier) == 1  # GLEMIML-A
    assert _n_linear(GLEMIMLNet(6, 4, classifier_layers=3).classifier) == 3  # GLEMIML-B
    c = GLEMIMLNet(6, 4, interaction=False)  # GLEMIML-C
    assert c.conv is None and c.enhancer.omega2 is None
    assert not any(isinstance(m, InstanceInteraction) for m in c.modules())
    assert c.classifier.lins[0].in_channels == full.classifier.lins[0].in_channels == 64
    # the full classifier reads the pooled W(x): its output depends on the instance graph
    b = Batch.from_data_list(_bags())
    full.eval()
    c.eval()
    no_edges = torch.empty(2, 0, dtype=torch.long)
    assert not torch.allclose(full(b.x, b.edge_index, b.edge_weight, b.batch),
                              full(b.x, no_edges, None, b.batch))
    assert torch.equal(c(b.x, b.edge_index, b.edge_weight, b.batch),
                       c(b.x, no_edges, None, b.batch))
    ne = GLEMIMLNet(6, 4, enhancement=False)
    assert ne.enhancer is None
    b = Batch.from_data_list(_bags())
    logits, z = _run(ne, b)
    assert logits.shape == (4, 4) and z is None
    assert _run(ne, b, y=False).shape == (4, 4)
    with pytest.raises(ValueError, match='classifier_layers'):
        GLEMIMLNet(6, 4, classifier_layers=4)
    with pytest.raises(ValueError, match='graph'):
        GLEMIMLNet(6, 4, graph='dense')


def test_trailing_empty_bags_keep_their_rows_and_repr():
    model = GLEMIMLNet(6, 4).eval()
    x = torch.randn(3, 6)
    out = model(x, torch.empty(2, 0, dtype=torch.long), None, torch.zeros(3, dtype=torch.long),
                num_bags=3)
    assert out.shape == (3, 4)
    assert 'GLEMIMLNet(6, 4, hidden_channels=64, classifier_layers=2' in str(model)
    with pytest.raises(ValueError, match='edge_index'):
        model(x)
