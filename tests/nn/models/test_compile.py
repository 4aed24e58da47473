r"""``GLEMIMLNet`` compiles with ``torch.compile(fullgraph=True)`` given ``num_bags``
(no graph break: no ``.item()``, no data-dependent shape, no host sync)."""
import copy

import pytest
import torch

from gmiml.nn import GLEMIMLNet
from gmiml.utils.mutual_knn_graph import mutual_knn_graph


def _batch(B=6, n=5, d=6, L=4):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(B * n, d, generator=g)
    batch = torch.arange(B).repeat_interleave(n)
    ei, ew = mutual_knn_graph(x, k=3, batch=batch)
    y = (torch.rand(B, L, generator=g) > 0.5).float()
    return x, ei, ew, batch, y, B


def _steps(model, data, steps=2):
    """Outputs and gradients of a few training steps, then the evaluation output."""
    x, ei, ew, batch, y, B = data
    outs = []
    model.train()
    for _ in range(steps):
        logits, z = model(x, ei, ew, batch, y, num_bags=B)
        loss = logits.square().mean() + z.square().mean()
        loss.backward()
        outs += [logits.detach(), z.detach()]
    model.eval()
    outs += list(model(x, ei, ew, batch, y, num_bags=B))
    return outs


def _check(backend, **kw):
    torch.manual_seed(0)
    eager = GLEMIMLNet(6, 4, hidden_channels=16, enhancer_channels=16, dropout=0.0, **kw)
    compiled = copy.deepcopy(eager)
    data = _batch()
    ref = _steps(eager, data)
    torch._dynamo.reset()
    out = _steps(torch.compile(compiled, fullgraph=True, backend=backend), data)
    for a, b in zip(out, ref):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    for (name, p), q in zip(compiled.named_parameters(), eager.parameters()):
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-4, atol=1e-6, msg=name)
    torch.testing.assert_close(compiled.enhancer.label_gram, eager.enhancer.label_gram)
    assert int(compiled.enhancer.num_batches_tracked) == 2


@pytest.mark.parametrize('kw', [{}, {'pool': 'mean+max', 'share_encoder': False},
                                {'interaction': False}])
def test_fullgraph_capture_matches_eager(kw):
    # dynamo's capture with fullgraph=True fails on any graph break; 'aot_eager' also
    # traces the backward, without the (slow) code generation
    _check('aot_eager', **kw)


@pytest.mark.slow
def test_inductor_compile_matches_eager():
    # the real compiler, on the evaluation forward only (code generation for the
    # training step's forward and backward too takes minutes on one busy CPU core)
    torch.manual_seed(0)
    model = GLEMIMLNet(6, 4, hidden_channels=16, enhancer_channels=16)
    x, ei, ew, batch, y, B = _batch()
    model(x, ei, ew, batch, y, num_bags=B)  # one training step: a label graph to use
    model.eval()
    ref = model(x, ei, ew, batch, y, num_bags=B)
    torch._dynamo.reset()
    out = torch.compile(model, fullgraph=True)(x, ei, ew, batch, y, num_bags=B)
    for a, b in zip(out, ref):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
