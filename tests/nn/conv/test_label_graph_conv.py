import torch

from gmiml.nn.conv import LabelGraphConv, cosine_from_gram, label_knn_graph


def test_cosine_from_gram():
    torch.manual_seed(0)
    D = torch.rand(7, 4)
    D[:, 3] = 0  # an all-zero column gets similarity 0
    c = cosine_from_gram(D.t() @ D)
    ref = torch.nn.functional.cosine_similarity(D.t().unsqueeze(1), D.t().unsqueeze(0),
                                                dim=-1)
    assert torch.allclose(c[:3, :3], ref[:3, :3], atol=1e-6)
    assert torch.all(c[3] == 0) and torch.all(c[:, 3] == 0)


def test_label_knn_graph_exact_edges():
    sim = torch.tensor([
        [1.0, 0.9, 0.1, -0.5],
        [0.9, 1.0, 0.2, 0.3],
        [0.1, 0.2, 1.0, 0.8],
        [-0.5, 0.3, 0.8, 1.0],
    ])
    ei, w = label_knn_graph(sim, k=1)
    # kNN: 0->1, 1->0, 2->3, 3->2 ; undirected union
    assert ei.tolist() == [[0, 1, 2, 3], [1, 0, 3, 2]]
    assert torch.allclose(w, torch.tensor([0.9, 0.9, 0.8, 0.8]))
    ei, w = label_knn_graph(sim, k=2)
    # kNN(0) = {1, 2}; kNN(1) = {0, 3}; kNN(2) = {3, 1}; kNN(3) = {2, 1}
    pairs = set(map(tuple, ei.t().tolist()))
    assert pairs == {(0, 1), (1, 0), (0, 2), (2, 0), (1, 3), (3, 1), (2, 3), (3, 2),
                     (1, 2), (2, 1)}
    # negative similarities pass nothing (weight clipped to 0)
    ei, w = label_knn_graph(sim, k=3)
    assert w[(ei[0] == 0) & (ei[1] == 3)].item() == 0.0
    # k is clipped to L - 1; one label -> no edge
    ei, w = label_knn_graph(torch.ones(1, 1), k=3)
    assert ei.shape == (2, 0)


def test_label_graph_conv_batched_equals_per_bag_and_dense():
    torch.manual_seed(0)
    L = 5
    sim = torch.rand(L, L)
    sim = (sim + sim.t()) / 2
    ei, w = label_knn_graph(sim, k=2)
    conv = LabelGraphConv(3, 2)
    assert str(conv) == 'LabelGraphConv(3, 2, normalize=True)'
    x = torch.randn(4, L, 3)
    out = conv(x, ei, w)
    assert out.shape == (4, L, 2)
    for b in range(4):
        assert torch.allclose(out[b], conv(x[b], ei, w), atol=1e-6)
    A = torch.zeros(L, L)
    A[ei[1], ei[0]] = w
    deg = A.sum(1)
    dis = torch.where(deg > 0, deg.pow(-0.5), torch.zeros_like(deg))
    A = dis.view(-1, 1) * A * dis.view(1, -1)
    ref = A @ x[0] @ conv.lin_rel.weight.t() + conv.lin_rel.bias + \
        x[0] @ conv.lin_root.weight.t()
    assert torch.allclose(out[0], ref, atol=1e-6)


def test_label_knn_graph_matches_dense_union_on_random_matrices():
    """Against a dense reference: each label's k most similar other labels (by
    brute-force ranking on the value, ties by the lower index), united with the reverse
    relation, in row-major order, weighted by the clipped similarity."""
    g = torch.Generator().manual_seed(3)
    for L, k in [(2, 1), (9, 2), (40, 3), (40, 39), (120, 5)]:
        sim = torch.rand(L, L, generator=g) * 2 - 1
        sim = (sim + sim.t()) / 2
        adj = torch.zeros(L, L, dtype=torch.bool)
        for u in range(L):
            order = sorted((v for v in range(L) if v != u), key=lambda v: (-sim[u, v], v))
            adj[u, order[:min(k, L - 1)]] = True
        adj = adj | adj.t()
        ref_ei = adj.nonzero().t()
        ei, w = label_knn_graph(sim, k)
        assert torch.equal(ei, ref_ei), (L, k)
        torch.testing.assert_close(w, sim[ref_ei[0], ref_ei[1]].clamp_min(0))


def test_fixed_size_label_graph_propagates_identically():
    from gmiml.nn.conv import LabelGraphConv, label_knn_graph
    g = torch.Generator().manual_seed(1)
    d = torch.softmax(torch.randn(20, 6, generator=g), -1)
    sim = torch.nn.functional.normalize(d, dim=0).t() @ torch.nn.functional.normalize(d, dim=0)
    ei, ew = label_knn_graph(sim, 3)
    fei, few = label_knn_graph(sim, 3, fixed_size=True)
    assert fei.size(1) == 2 * 6 * 3 and ei.size(1) < fei.size(1)  # some pairs twice
    conv = LabelGraphConv(2, 3)
    x = torch.randn(4, 6, 2, generator=g)
    torch.testing.assert_close(conv(x, fei, few), conv(x, ei, ew), rtol=0, atol=0)
