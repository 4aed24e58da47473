import pickle

import torch

from gmiml.nn.models.flem_net import FLEMNet


def test_flem_net_shapes_init_and_pickle():
    torch.manual_seed(0)
    net = FLEMNet(6, 3, hidden_channels=5)
    assert str(net) == 'FLEMNet(6, 3, hidden_channels=5)'
    assert all(torch.all(p == 0) for n, p in net.named_parameters() if n.endswith('bias')
               and 'norm' not in n)
    x, y = torch.randn(4, 6), torch.tensor([[1., 0, 1]] * 4)
    s, z = net(x, y)
    assert s.shape == (4, 3) and z.shape == (4, 3)
    assert net(x)[1] is None
    # the enhancer reads the features detached: no gradient reaches x through z
    x.requires_grad_(True)
    _, z = net(x, y)
    z.sum().backward()
    assert x.grad is None or torch.all(x.grad == 0)
    net.eval()
    r = pickle.loads(pickle.dumps(net))
    assert torch.equal(r(x.detach(), y)[1], net(x.detach(), y)[1])


def test_flem_net_reset_parameters():
    net = FLEMNet(4, 2, hidden_channels=3)
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(7.0)
    net.reset_parameters()
    assert torch.all(net.classifier.bias == 0)
    assert torch.all(net.le.feature.norm.weight == 1)
    assert not torch.all(net.classifier.weight == 7.0)
