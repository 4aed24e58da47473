r"""GLEMIMLNet on a GPU: forward and backward match the CPU (skipped without CUDA)."""
import copy

import pytest
import torch

from gmiml.nn import GLEMIMLNet
from gmiml.utils.mutual_knn_graph import mutual_knn_graph

pytestmark = pytest.mark.cuda


@pytest.mark.parametrize('graph', ['input', 'embedding'])
def test_forward_backward_match_cpu(graph):
    g = torch.Generator().manual_seed(0)
    B, n = 12, 6
    x = torch.randn(B * n, 8, generator=g)
    batch = torch.arange(B).repeat_interleave(n)
    ei, ew = mutual_knn_graph(x, k=3, batch=batch)
    y = (torch.rand(B, 5, generator=g) > 0.5).float()
    torch.manual_seed(0)
    cpu = GLEMIMLNet(8, 5, hidden_channels=16, enhancer_channels=16, dropout=0.0,
                     graph=graph)
    gpu = copy.deepcopy(cpu).cuda()
    outs = []
    for model, dev in ((cpu, 'cpu'), (gpu, 'cuda')):
        model.train()
        logits, z = model(x.to(dev), ei.to(dev), ew.to(dev), batch.to(dev), y.to(dev),
                          num_bags=B)
        (logits.square().mean() + z.square().mean()).backward()
        outs.append((logits.detach().cpu(), z.detach().cpu(),
                     [p.grad.cpu() for p in model.parameters()]))
    torch.testing.assert_close(outs[1][0], outs[0][0], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(outs[1][1], outs[0][1], rtol=1e-4, atol=1e-5)
    for a, b in zip(outs[1][2], outs[0][2]):
        torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-5)
    torch.testing.assert_close(gpu.enhancer.label_gram.cpu(), cpu.enhancer.label_gram)


def test_compiled_forward_on_gpu():
    g = torch.Generator().manual_seed(1)
    B, n = 8, 5
    x = torch.randn(B * n, 6, generator=g).cuda()
    batch = torch.arange(B).repeat_interleave(n).cuda()
    ei, ew = mutual_knn_graph(x, k=3, batch=batch)
    y = (torch.rand(B, 4, generator=g) > 0.5).float().cuda()
    model = GLEMIMLNet(6, 4, hidden_channels=16, enhancer_channels=16, dropout=0.0).cuda()
    ref = copy.deepcopy(model)
    out = torch.compile(model, fullgraph=True)(x, ei, ew, batch, y, num_bags=B)
    exp = ref(x, ei, ew, batch, y, num_bags=B)
    for a, b in zip(out, exp):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_estimator_fit_and_label_distribution_on_gpu():
    import numpy as np
    from gmiml.datasets import make_synthetic_miml
    from gmiml.estimators import GLEMIMLClassifier
    data = make_synthetic_miml(n_bags=80, n_labels=4, n_features=6, random_state=0)
    est = GLEMIMLClassifier(device='cuda', max_epochs=2, hidden_channels=8,
                            enhancer_channels=8, random_state=0).fit(data.bags, data.Y)
    assert next(est.model_.parameters()).is_cuda
    ld = est.label_distribution(data.bags[:10], data.Y[:10])
    assert isinstance(ld, np.ndarray) and ld.shape == (10, 4)
    np.testing.assert_allclose(ld.sum(1), 1.0, rtol=1e-5)
