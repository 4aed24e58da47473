import pytest
import torch

from gmiml.nn.conv import cosine_from_gram, label_knn_graph
from gmiml.nn.models import LabelEnhancer


def test_running_label_graph():
    torch.manual_seed(0)
    le = LabelEnhancer(6, 5, num_labels=4, hidden_channels=8, label_k=2)
    assert 'LabelEnhancer(6, interaction_channels=5, num_labels=4' in str(le)
    x, w = torch.randn(10, 6), torch.randn(10, 5)
    y = (torch.rand(10, 4) > 0.5).float()
    ei, ew = le.label_graph()
    assert ei.shape == (2, 4 * 2 * 2) and not ew.any()  # nothing estimated yet: no weight
    le.eval()
    z0 = le(x, w, y)
    assert z0.shape == (10, 4)
    assert int(le.num_batches_tracked) == 0  # evaluation does not update the estimate
    le.train()
    z = le(x, w, y)
    assert int(le.num_batches_tracked) == 1
    d = torch.softmax(le.decoder(le.omega1(x) + le.omega2(w) + le.omega3(y)), -1)
    assert torch.allclose(le.label_gram, d.t() @ d / 10, atol=1e-5)
    ei, ew = le.label_graph()
    # every label has its 2 neighbours, both directions (fixed size for torch.compile);
    # a pair found twice counts once: the graph is the unique undirected union
    assert ei.size(1) == 4 * 2 * 2
    sim = cosine_from_gram(le.label_gram)
    ref_ei, ref_ew = label_knn_graph(sim, 2)
    key = ei[0] * 4 + ei[1]
    first = torch.cat([torch.tensor([True]), key[1:] != key[:-1]])
    assert torch.equal(ei[:, first], ref_ei)
    assert torch.equal(ew[first], ref_ew) and not ew[~first].any()
    old = le.label_gram.clone()
    le(x * 2, w, y)
    new_d = torch.softmax(le.decoder(le.omega1(x * 2) + le.omega2(w) + le.omega3(y)), -1)
    assert torch.allclose(le.label_gram, 0.9 * old + 0.1 * new_d.t() @ new_d / 10, atol=1e-5)


def test_without_interaction_and_label_graph():
    le = LabelEnhancer(6, 0, num_labels=4, hidden_channels=8, label_k=0)
    assert le.omega2 is None and le.label_conv is None
    x, y = torch.randn(5, 6), torch.ones(5, 4)
    assert le(x, None, y).shape == (5, 4)
    with pytest.raises(ValueError, match='interaction output'):
        LabelEnhancer(6, 3, num_labels=4)(x, None, y)
