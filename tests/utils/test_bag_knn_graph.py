import math

import pytest
import torch

from gmiml.utils import bag_knn_graph, bag_similarity, hubness_radius


def _bags(*bags):
    x = torch.tensor([row for b in bags for row in b], dtype=torch.float32)
    sizes = torch.tensor([len(b) for b in bags])
    return x, torch.cat([torch.zeros(1, dtype=torch.long), sizes.cumsum(0)])


def test_chamfer_by_hand():
    # A = {e1, e2}, B = {e1, (e1 + e3)/sqrt2}
    xa, pa = _bags([[1., 0, 0], [0, 1, 0]])
    xb, pb = _bags([[2., 0, 0], [1, 0, 1]])
    c = 1 / math.sqrt(2)
    # A -> B: e1 best 1, e2 best 0 -> 0.5 ; B -> A: e1 best 1, (e1+e3)/sqrt2 best c
    expected = 0.5 * (0.5 + 0.5 * (1 + c))
    s = bag_similarity(xa, pa, xb, pb)
    assert s.shape == (1, 1)
    assert s.item() == pytest.approx(expected, abs=1e-6)
    # symmetric, and the mean-pooled variant is the cosine of the means
    assert bag_similarity(xb, pb, xa, pa).item() == pytest.approx(expected, abs=1e-6)
    ma, mb = torch.tensor([.5, .5, 0]), torch.tensor([1.5, 0, .5])
    assert bag_similarity(xa, pa, xb, pb, 'mean').item() == pytest.approx(
        float(torch.nn.functional.cosine_similarity(ma, mb, dim=0)), abs=1e-6)


def test_blocks_do_not_change_the_result():
    g = torch.Generator().manual_seed(0)
    sizes = torch.randint(1, 6, (30, ), generator=g)
    x = torch.randn(int(sizes.sum()), 4, generator=g)
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), sizes.cumsum(0)])
    full = bag_similarity(x, ptr, x, ptr, block_elements=1 << 30)
    small = bag_similarity(x, ptr, x, ptr, block_elements=7)
    assert torch.allclose(full, small, atol=1e-6)
    assert torch.allclose(full.diagonal(), torch.ones(30), atol=1e-5)


def test_csls_and_leave_one_out_by_hand():
    # three one-instance bags on the unit circle at 0, 30 and 90 degrees
    ang = torch.tensor([0., 30., 90.]) * math.pi / 180
    x = torch.stack([ang.cos(), ang.sin()], 1)
    ptr = torch.arange(4)
    cos = torch.cos(ang[:, None] - ang[None, :])
    # radius with k=1, self left out: best other bag; with k=2: mean of the other two
    r1 = torch.tensor([cos[0, 1], cos[1, 0], cos[2, 1]])
    s = bag_similarity(x, ptr, x, ptr)
    assert torch.allclose(hubness_radius(s, 1, torch.arange(3)), r1, atol=1e-6)
    r = (cos.sum(1) - 1) / 2
    idx, val = bag_knn_graph(x, ptr, x, ptr, k=2, beta=0.5, self_index=torch.arange(3))
    assert not (idx == torch.arange(3)[:, None]).any()  # a bag never sees itself
    assert idx.shape == (3, 2)  # k=2 of the two other bags
    corrected = 2 * cos - 0.5 * (r[:, None] + r[None, :])
    for i in range(3):
        others = [j for j in range(3) if j != i]
        exp = sorted(((corrected[i, j].item(), j) for j in others), reverse=True)
        assert idx[i].tolist() == [j for _, j in exp]
        assert val[i].tolist() == pytest.approx([v for v, _ in exp], abs=1e-6)


def test_hubness_changes_the_ranking():
    # query q between a hub h (close to everything) and a loner b
    x = torch.tensor([[1., 0.05], [1., 0.], [0.9, 0.3], [0.9, -0.3], [1, 0.12]])
    ptr = torch.arange(6)
    bank = x[:4], torch.arange(5)  # hub = bag 1 (similar to 0, 2, 3)
    q, qp = x[4:], torch.arange(2)
    plain, _ = bag_knn_graph(q, qp, *bank, k=1, beta=0.0)
    hub, _ = bag_knn_graph(q, qp, *bank, k=1, beta=1.0)
    s = bag_similarity(q, qp, *bank)[0]
    assert plain.item() == int(s.argmax())
    r = hubness_radius(bag_similarity(*bank, *bank), 1, torch.arange(4))
    assert hub.item() == int((2 * s - r).argmax())


def test_errors():
    x, p = _bags([[1., 0]])
    with pytest.raises(ValueError, match='too few'):
        bag_knn_graph(x, p, x, p, k=3, self_index=torch.zeros(1, dtype=torch.long))
    with pytest.raises(ValueError, match='similarity'):
        bag_similarity(x, p, x, p, 'hausdorff')
    with pytest.raises(ValueError, match='bag 1 has no instance'):
        bag_similarity(x, torch.tensor([0, 1, 1]), x, p)


@pytest.mark.parametrize('axis', [0, 1])
def test_max_over_equal_segments_is_bitwise_segment_reduce(axis):
    # the reshape-and-amax path for segments of one length gives exactly what
    # torch.segment_reduce gives (the results of the benchmark were made with it)
    from gmiml.utils.bag_knn_graph import _segment
    g = torch.Generator().manual_seed(3)
    t = torch.randn(12, 18, generator=g)
    lengths = torch.full((6, ), 2 if axis == 0 else 3)  # 6 segments of the axis
    fast = _segment(t, 'max', lengths, axis)
    ref_len = lengths if axis == 0 else lengths.expand(t.size(0), -1).contiguous()
    ref = torch.segment_reduce(t, 'max', lengths=ref_len, axis=axis)
    assert fast.shape == ref.shape and torch.equal(fast, ref)


def test_equal_size_bags_match_a_loop():
    # bags of one size take the fast path; every similarity equals the definition
    g = torch.Generator().manual_seed(4)
    xq, xb = torch.randn(5 * 3, 4, generator=g), torch.randn(7 * 3, 4, generator=g)
    pq, pb = torch.arange(0, 16, 3), torch.arange(0, 22, 3)
    s = bag_similarity(xq, pq, xb, pb, block_elements=40)  # several blocks
    n = torch.nn.functional.normalize
    for i in range(5):
        for j in range(7):
            c = n(xq[3 * i:3 * i + 3], dim=1) @ n(xb[3 * j:3 * j + 3], dim=1).t()
            ref = 0.5 * (c.max(1).values.mean() + c.max(0).values.mean())
            assert s[i, j].item() == pytest.approx(ref.item(), abs=1e-6)
    # mixed sizes in the bank: the general path, the same values where bags agree
    xb2 = torch.cat([xb, torch.randn(2, 4, generator=g)])
    pb2 = torch.cat([pb, torch.tensor([23])])
    s2 = bag_similarity(xq, pq, xb2, pb2)
    assert torch.allclose(s2[:, :7], s, atol=1e-6)
