import importlib
import math

import numpy as np
import pytest
import torch
from torch_geometric.utils import coalesce, is_undirected

from gmiml.utils import mutual_knn_graph
from gmiml.utils.mutual_knn_graph import size_buckets

# the module (gmiml.utils.mutual_knn_graph is the function once gmiml.utils is imported)
mkg_module = importlib.import_module('gmiml.utils.mutual_knn_graph')
blocks_module = importlib.import_module('gmiml.utils._knn_blocks')


# ---------------------------------------------------------------------------------------
# brute-force reference: pure Python / numpy, one bag at a time, float64
# ---------------------------------------------------------------------------------------
def _reference(bags, k, sigma='median', loop=False):
    """Edges (row, col, weight), sorted, of the mutual kNN graphs of ``bags``."""
    out = []
    offset = 0
    for x in bags:
        x = np.asarray(x, dtype=np.float64)
        n = len(x)
        d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
        knn = []
        for i in range(n):
            others = sorted((j for j in range(n) if j != i), key=lambda j: (d2[i, j], j))
            knn.append(others[:k])
        values = sorted(d2[i, j] for i in range(n) for j in knn[i])
        if isinstance(sigma, (int, float)):
            s2 = float(sigma) ** 2
        elif not values:
            s2 = None
        elif sigma == 'median':
            s2 = values[(len(values) - 1) // 2]
        else:
            s2 = float(np.mean(np.sqrt(values))) ** 2
        for i in range(n):
            for j in range(n):
                if i == j:
                    if loop:
                        out.append((offset + i, offset + j, 1.0))
                elif j in knn[i] and i in knn[j]:
                    if d2[i, j] == 0:
                        w = 1.0
                    elif s2 == 0:
                        w = 0.0
                    else:
                        w = math.exp(-d2[i, j] / (2 * s2))
                    out.append((offset + i, offset + j, w))
        offset += n
    return sorted(out)


def _batched(bags, k, **kwargs):
    x = torch.from_numpy(np.concatenate(bags).astype(np.float32))
    sizes = torch.tensor([len(b) for b in bags])
    batch = torch.repeat_interleave(torch.arange(len(bags)), sizes)
    edge_index, edge_weight = mutual_knn_graph(x, k, batch, **kwargs)
    return x, batch, edge_index, edge_weight


def _assert_matches_reference(bags, k, rtol=1e-4, **kwargs):
    x, batch, edge_index, edge_weight = _batched(bags, k, **kwargs)
    ref = _reference(bags, k, **kwargs)
    got = list(zip(edge_index[0].tolist(), edge_index[1].tolist()))
    assert got == [(r, c) for r, c, _ in ref]
    np.testing.assert_allclose(edge_weight.numpy(), [w for _, _, w in ref], rtol=rtol,
                               atol=1e-7)
    _assert_well_formed(edge_index, edge_weight, batch, x.size(0))
    return edge_index, edge_weight


def _assert_well_formed(edge_index, edge_weight, batch, num_nodes):
    assert edge_index.dtype == torch.long and edge_index.shape[0] == 2
    assert edge_weight.shape == (edge_index.shape[1],)
    assert torch.isfinite(edge_weight).all()
    assert ((edge_weight >= 0) & (edge_weight <= 1)).all()
    # no edge across bags
    assert torch.equal(batch[edge_index[0]], batch[edge_index[1]])
    # undirected with equal weights both ways
    assert is_undirected(edge_index, edge_weight, num_nodes=num_nodes)
    # coalesced: sorted and without duplicates, as torch_geometric's coalesce returns it
    ei, ew = coalesce(edge_index, edge_weight, num_nodes=num_nodes)
    assert torch.equal(ei, edge_index) and torch.equal(ew, edge_weight)


def _random_bags(rng, kind, num_bags, max_size=14, d=4):
    bags = []
    for _ in range(num_bags):
        n = int(rng.integers(1, max_size + 1))
        if kind == 'normal':
            b = rng.normal(size=(n, d))
        elif kind == 'ties':  # small integers: many exactly tied distances
            b = rng.integers(0, 3, size=(n, d)).astype(float)
        elif kind == 'duplicates':
            b = rng.normal(size=(n, d))
            b[rng.integers(0, n, size=n // 2)] = b[0]
        elif kind == 'offset':  # far from the origin: the Gram form cancels badly
            b = 1e4 + rng.normal(size=(n, d))
        elif kind == 'outlier':  # the first instance (the centre of the Gram form) far
            b = rng.normal(size=(n, d))
            b[0] += 300
        bags.append(b.astype(np.float32))
    return bags


# ---------------------------------------------------------------------------------------
# hand-built cases with exact expected edges
# ---------------------------------------------------------------------------------------
def test_points_on_a_line_k1():
    x = torch.tensor([[0.], [1.], [3.], [7.]])
    edge_index, edge_weight = mutual_knn_graph(x, k=1)
    # 0<->1 are each other's nearest; 3's nearest is 1, 7's nearest is 3: not mutual
    assert edge_index.tolist() == [[0, 1], [1, 0]]
    # kNN distances^2 are [1, 1, 4, 16]: lower median 1, so w = exp(-1 / 2)
    assert torch.allclose(edge_weight, torch.full((2,), math.exp(-0.5)))


def test_points_on_a_line_k2():
    x = torch.tensor([[0.], [1.], [3.], [7.]])
    edge_index, _ = mutual_knn_graph(x, k=2)
    assert edge_index.tolist() == [[0, 0, 1, 1, 2, 2], [1, 2, 0, 2, 0, 1]]


def test_ties_broken_by_lower_index():
    # instance 0 is equally far from 1 and 2: its nearest neighbour is 1 (lower index)
    x = torch.tensor([[0.], [1.], [-1.]])
    edge_index, _ = mutual_knn_graph(x, k=1)
    assert edge_index.tolist() == [[0, 1], [1, 0]]
    # the same points in another order give the mirrored choice
    edge_index, _ = mutual_knn_graph(x[[0, 2, 1]], k=1)
    assert edge_index.tolist() == [[0, 1], [1, 0]]


def test_fixed_sigma_and_mean_sigma():
    x = torch.tensor([[0., 0.], [3., 4.]])  # distance 5
    _, w = mutual_knn_graph(x, k=1, sigma=5.0)
    assert torch.allclose(w, torch.full((2,), math.exp(-0.5)))
    _, w = mutual_knn_graph(x, k=1, sigma=2)  # an int is accepted
    assert torch.allclose(w, torch.full((2,), math.exp(-25 / 8)))
    for s in ('mean', 'median'):  # two instances: sigma is their distance
        _, w = mutual_knn_graph(x, k=1, sigma=s)
        assert torch.allclose(w, torch.full((2,), math.exp(-0.5)))


def test_single_instance_bag_and_loops():
    x = torch.tensor([[1., 2.]])
    edge_index, edge_weight = mutual_knn_graph(x, k=3)
    assert edge_index.shape == (2, 0) and edge_weight.shape == (0,)
    assert edge_weight.dtype == torch.float32
    edge_index, edge_weight = mutual_knn_graph(x, k=3, loop=True)
    assert edge_index.tolist() == [[0], [0]] and edge_weight.tolist() == [1.0]


def test_loops_are_inserted_in_coalesced_order():
    x = torch.tensor([[0.], [1.], [5.], [9.], [9.5]])
    batch = torch.tensor([0, 0, 0, 1, 1])
    edge_index, edge_weight = mutual_knn_graph(x, k=1, batch=batch, loop=True)
    assert edge_index.tolist() == [[0, 0, 1, 1, 2, 3, 3, 4, 4],
                                   [0, 1, 0, 1, 2, 3, 4, 3, 4]]
    loops = edge_index[0] == edge_index[1]
    assert (edge_weight[loops] == 1).all()


def test_k_at_least_bag_size_gives_complete_graphs():
    rng = np.random.default_rng(1)
    bags = [rng.normal(size=(n, 3)).astype(np.float32) for n in (2, 3, 4, 1, 4)]
    for k in (3, 4, 10):
        _, batch, edge_index, _ = _batched(bags, k)
        sizes = np.array([len(b) for b in bags])
        assert edge_index.shape[1] == int((sizes * (sizes - 1)).sum())
        _assert_matches_reference(bags, k)


@pytest.mark.parametrize('k', [8, 10, 30])
def test_large_k(k):
    # complete bags larger than the flat pass handles, next to ranked ones
    rng = np.random.default_rng(k)
    sizes = [9, 12, 20, 3, 1, 11, 15, 2, 40]
    bags = [rng.integers(0, 3, size=(n, 3)).astype(np.float32) for n in sizes]
    _assert_matches_reference(bags, k)
    _assert_matches_reference(bags, k, sigma='mean')


def test_all_duplicates_bag():
    x = torch.ones(5, 3)
    edge_index, edge_weight = mutual_knn_graph(x, k=2)
    # every distance is 0: the 2 nearest of i are the two lowest other indices
    assert edge_index.tolist() == [[0, 0, 1, 1, 2, 2], [1, 2, 0, 2, 0, 1]]
    assert (edge_weight == 1).all()
    edge_index, edge_weight = mutual_knn_graph(x, k=4, sigma='mean')
    assert edge_index.shape[1] == 20 and (edge_weight == 1).all()


def test_zero_sigma_takes_the_limit():
    # three duplicates and one far point, complete graph: the lower median kNN distance
    # is 0, so pairs at distance 0 weigh 1 and the others 0 (no NaN)
    x = torch.tensor([[0., 0.], [0., 0.], [0., 0.], [3., 4.]])
    edge_index, edge_weight = mutual_knn_graph(x, k=3)
    far = (edge_index == 3).any(0)
    assert edge_index.shape[1] == 12
    assert (edge_weight[far] == 0).all() and (edge_weight[~far] == 1).all()


def test_batch_with_gaps_and_integer_dtype():
    x = torch.tensor([[0.], [1.], [5.], [6.]])
    batch = torch.tensor([0, 0, 3, 3], dtype=torch.int32)  # bag ids 1, 2 are empty
    edge_index, _ = mutual_knn_graph(x, k=1, batch=batch)
    assert edge_index.tolist() == [[0, 1, 2, 3], [1, 0, 3, 2]]


# ---------------------------------------------------------------------------------------
# against the brute-force reference on many random bags
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('kind', ['normal', 'ties', 'duplicates', 'offset', 'outlier'])
@pytest.mark.parametrize('k', [1, 2, 3, 5])
def test_matches_reference(kind, k):
    rng = np.random.default_rng(hash((kind, k)) % 2**32)
    bags = _random_bags(rng, kind, 40)
    bags[0] = bags[0][:1]  # a bag of one instance
    _assert_matches_reference(bags, k, rtol=1e-4 if kind in ('normal', 'ties') else 1e-3)


@pytest.mark.parametrize('sigma', ['mean', 0.7])
@pytest.mark.parametrize('loop', [False, True])
def test_matches_reference_sigma_loop(sigma, loop):
    rng = np.random.default_rng(3)
    bags = _random_bags(rng, 'duplicates', 30) + _random_bags(rng, 'ties', 30)
    _assert_matches_reference(bags, 3, sigma=sigma, loop=loop)


@pytest.mark.parametrize('seed', range(4))
def test_matches_reference_mixed_sweep(seed):
    # every kind of bag in one batch, sizes up to 40 (padded blocks), random k and sigma
    rng = np.random.default_rng(100 + seed)
    bags = []
    for kind in ('normal', 'ties', 'duplicates', 'offset', 'outlier'):
        bags += _random_bags(rng, kind, 12, max_size=40, d=5)
    order = rng.permutation(len(bags))
    bags = [bags[t] for t in order]
    k = int(rng.integers(1, 8))
    sigma = ['median', 'mean', 1.5][seed % 3]
    _assert_matches_reference(bags, k, rtol=1e-3, sigma=sigma, loop=bool(seed % 2))


@pytest.mark.cuda
def test_cuda_matches_cpu():
    rng = np.random.default_rng(14)
    bags = (_random_bags(rng, 'ties', 50, max_size=60) + _random_bags(rng, 'normal', 50)
            + _random_bags(rng, 'duplicates', 50))
    x, batch, edge_index, edge_weight = _batched(bags, 3)
    ei, ew = mutual_knn_graph(x.cuda(), 3, batch.cuda())
    assert ei.is_cuda and ew.is_cuda
    assert torch.equal(ei.cpu(), edge_index)
    torch.testing.assert_close(ew.cpu(), edge_weight, rtol=1e-4, atol=1e-6)


def test_matches_reference_large_and_mixed_bags():
    # sizes over 64 use topk, a wide spread of sizes gives padded buckets
    rng = np.random.default_rng(4)
    sizes = [1, 2, 3, 5, 9, 17, 30, 31, 45, 70, 71, 100, 2, 3]
    bags = [rng.normal(size=(n, 6)).astype(np.float32) for n in sizes]
    bags[9][10:20] = bags[9][3]  # duplicates in a large bag
    bags.append(rng.integers(0, 2, size=(80, 6)).astype(np.float32))  # massive ties
    _assert_matches_reference(bags, 4)


@pytest.mark.parametrize('k', [1, 3, 6])
def test_ties_in_large_bags(k):
    # bags over 64 instances are ranked with topk, which does not order ties by index
    rng = np.random.default_rng(12 + k)
    bags = [rng.integers(0, 2, size=(int(n), 5)).astype(np.float32)
            for n in rng.integers(60, 90, size=4)]
    _assert_matches_reference(bags, k)


def test_near_ties_are_resolved_by_exact_distances(monkeypatch):
    # instance 0's two nearest are 1e-4 apart in relative terms: within the Gram form's
    # rounding bound in 200 dimensions, but resolved by the elementwise distances
    calls = []
    original = blocks_module._exact_pairs
    monkeypatch.setattr(blocks_module, '_exact_pairs',
                        lambda x, i, j, **kw: calls.append(1) or original(x, i, j, **kw))
    rng = np.random.default_rng(13)
    bags = []
    for t in range(6):
        b = rng.normal(size=(10, 200))
        b *= (20 / np.linalg.norm(b, axis=1))[:, None]  # |x|^2 = 400
        b[0] = 0
        for j, r2 in ((1, 100.0), (2, 100.0 * (1 + 1e-4))):
            b[j] *= np.sqrt(r2 / (b[j] ** 2).sum())
        if t % 2:  # the closer one second
            b[[1, 2]] = b[[2, 1]]
        bags.append((b + 50).astype(np.float32))  # away from the origin as well
    _assert_matches_reference(bags, 1)
    _assert_matches_reference(bags, 2)
    assert calls


def test_near_duplicates_one_ulp_apart():
    rng = np.random.default_rng(5)
    base = (100 + rng.normal(size=(6, 8))).astype(np.float32)
    bag = np.concatenate([base, np.nextafter(base[:3], np.float32(np.inf))])
    _assert_matches_reference([bag], 2, rtol=1e-4)


def test_real_text_data_prefix(data_root):
    # the text bags hold word counts: many duplicates and exactly tied distances
    from gmiml.datasets import load_bags
    bags = load_bags('text', root=data_root).bags[:300]
    _assert_matches_reference(bags, 3)


# ---------------------------------------------------------------------------------------
# consistency: per bag vs batched, chunking, the exact recomputation
# ---------------------------------------------------------------------------------------
def test_per_bag_equals_batched():
    rng = np.random.default_rng(6)
    bags = (_random_bags(rng, 'ties', 25) + _random_bags(rng, 'duplicates', 25)
            + _random_bags(rng, 'normal', 25, max_size=90))
    _, _, edge_index, edge_weight = _batched(bags, 3)
    offset, rows, cols, weights = 0, [], [], []
    for b in bags:
        ei, ew = mutual_knn_graph(torch.from_numpy(b), 3)
        rows.append(ei[0] + offset)
        cols.append(ei[1] + offset)
        weights.append(ew)
        offset += len(b)
    assert torch.equal(edge_index, torch.stack([torch.cat(rows), torch.cat(cols)]))
    torch.testing.assert_close(edge_weight, torch.cat(weights), rtol=1e-6, atol=1e-7)


def test_chunking_does_not_change_the_result():
    rng = np.random.default_rng(7)
    bags = _random_bags(rng, 'ties', 60) + _random_bags(rng, 'normal', 20, max_size=40)
    x, batch, edge_index, edge_weight = _batched(bags, 2)
    ei, ew = mutual_knn_graph(x, 2, batch, max_chunk_bytes=1)  # one bag per chunk
    assert torch.equal(ei, edge_index)
    torch.testing.assert_close(ew, edge_weight, rtol=1e-6, atol=1e-7)


def test_exact_recomputation_is_used_only_when_needed(monkeypatch):
    calls = []
    original = blocks_module._exact_pairs

    def spy(x, i, j, **kw):
        calls.append(i.numel())
        return original(x, i, j, **kw)

    monkeypatch.setattr(blocks_module, '_exact_pairs', spy)
    rng = np.random.default_rng(8)
    # generic data in bags of more than k + 1 = 4 instances: the Gram form is enough
    _batched([b for b in _random_bags(rng, 'normal', 80) if len(b) > 4], 3)
    assert calls == []
    _batched(_random_bags(rng, 'ties', 50), 3)  # ties at the k-th neighbour: recomputed
    assert sum(calls) > 0


def test_float64_and_half_inputs():
    rng = np.random.default_rng(9)
    bags = _random_bags(rng, 'normal', 20)
    x, batch, ei32, ew32 = _batched(bags, 3)
    ei64, ew64 = mutual_knn_graph(x.double(), 3, batch)
    assert ew64.dtype == torch.float64 and torch.equal(ei64, ei32)
    torch.testing.assert_close(ew64.float(), ew32, rtol=1e-5, atol=1e-6)
    ei16, ew16 = mutual_knn_graph(x.half(), 3, batch)
    assert ew16.dtype == torch.float32 and ei16.shape[0] == 2


def test_gradient_free_and_input_untouched():
    x = torch.randn(10, 3, requires_grad=True)
    before = x.detach().clone()
    edge_index, edge_weight = mutual_knn_graph(x, 2)
    assert not edge_weight.requires_grad
    assert torch.equal(x.detach(), before)


def test_outputs_work_in_autograd():
    # the graph is built in inference mode; its outputs must still be usable in training
    h = torch.randn(12, 4, requires_grad=True)
    edge_index, edge_weight = mutual_knn_graph(h, 3)
    assert not edge_index.is_inference() and not edge_weight.is_inference()
    out = torch.zeros_like(h).index_add(0, edge_index[1],
                                        edge_weight[:, None] * h[edge_index[0]])
    out.sum().backward()
    assert h.grad is not None and torch.isfinite(h.grad).all()


# ---------------------------------------------------------------------------------------
# size buckets
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('sizes', [
    [3] * 10,
    [2, 3, 2, 26, 5, 5, 9],
    list(range(1, 513)) * 2,
    list(np.random.default_rng(0).integers(1, 5000, size=3000)),  # > max_distinct sizes
])
def test_size_buckets_partition(sizes):
    sizes = np.asarray(sizes)
    buckets = size_buckets(sizes, num_features=16)
    seen = np.concatenate([idx for _, idx in buckets])
    assert np.array_equal(np.sort(seen), np.arange(len(sizes)))  # every bag exactly once
    padded = [S for S, _ in buckets]
    assert padded == sorted(set(padded))
    for S, idx in buckets:
        assert (sizes[idx] <= S).all() and sizes[idx].max() == S
        assert np.all(np.diff(idx) > 0)
    if len(set(sizes.tolist())) == 1:
        assert len(buckets) == 1


def test_size_buckets_trade_padding_for_fewer_blocks():
    # many bags per size: one block per size, no padding at all
    sizes = np.repeat([2, 3, 4, 5, 7, 9], 5000)
    assert [S for S, _ in size_buckets(sizes, num_features=16)] == [2, 3, 4, 5, 7, 9]
    # one bag per size: a block costs more than padding a few small bags
    sizes = np.arange(2, 30)
    assert len(size_buckets(sizes, num_features=16)) < 6
    # wide range of sizes: little padded work
    sizes = np.repeat(np.arange(1, 513), 20)
    buckets = size_buckets(sizes, num_features=64)
    padded = sum(len(idx) * S * S for S, idx in buckets)
    assert padded < 1.1 * (sizes.astype(float) ** 2).sum()


def test_size_buckets_dynamic_programme_is_optimal():
    # against every partition of the sorted distinct sizes into runs
    import itertools
    d = 32
    rng = np.random.default_rng(11)

    def cost(sizes, partition):
        total = 0.0
        for S, idx in partition:
            total += mkg_module._COST_BLOCK + len(idx) * (
                S * S * (mkg_module._COST_PAIR + mkg_module._COST_PAIR_FEATURE * d)
                + mkg_module._COST_ROW_FEATURE * S * d)
        return total

    for _ in range(5):
        sizes = rng.choice([1, 2, 3, 5, 8, 13, 40, 90], size=int(rng.integers(5, 400)))
        values = np.unique(sizes)
        best = math.inf
        for cuts in itertools.product([0, 1], repeat=len(values) - 1):
            part, lo = [], -1
            for t, v in enumerate(values):
                if t == len(values) - 1 or cuts[t]:
                    part.append((v, np.nonzero((sizes > lo) & (sizes <= v))[0]))
                    lo = v
            best = min(best, cost(sizes, part))
        got = cost(sizes, size_buckets(sizes, num_features=d))
        assert got == pytest.approx(best, rel=1e-12)


# ---------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('k, err, match', [
    (0, ValueError, 'k must be >= 1'),
    (-2, ValueError, 'k must be >= 1'),
    (1.5, TypeError, 'k must be an integer'),
    (True, TypeError, 'k must be an integer'),
])
def test_bad_k(k, err, match):
    with pytest.raises(err, match=match):
        mutual_knn_graph(torch.randn(4, 2), k)


@pytest.mark.parametrize('x, err, match', [
    (torch.randn(5), ValueError, 'must be 2-D'),
    (torch.randn(2, 3, 4), ValueError, 'must be 2-D'),
    (torch.ones(3, 2, dtype=torch.long), TypeError, 'floating-point'),
    (torch.empty(0, 3), ValueError, 'no instances'),
    (torch.empty(3, 0), ValueError, 'no features'),
    (np.ones((3, 2), dtype=np.float32), TypeError, 'torch.Tensor'),
    (torch.tensor([[1e30, 0.], [-1e30, 1.]]), ValueError, 'overflow'),
    (torch.tensor([[1e30, 0.], [-1e30, 1.], [0., 0.], [1., 1.], [2., 2.]]), ValueError,
     'overflow'),
])
def test_bad_x(x, err, match):
    with pytest.raises(err, match=match):
        mutual_knn_graph(x, 2)


@pytest.mark.parametrize('bad', [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize('where', [
    (4, 1),    # a small complete bag
    (8, 1),    # a ranked bag
    (5, 0),    # the first instance of a ranked bag (the centre of its Gram form)
    (12, 0),   # a padded ranked bag
    (15, 2),   # a bag of one instance
])
def test_non_finite_x_names_the_place(bad, where):
    # bags of 2 and 3 (complete for k = 2), 6 and 4 (ranked, one block padded to 6) and 1
    batch = torch.tensor([0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4])
    x = torch.randn(16, 3)
    x[where] = bad
    bag = int(batch[where[0]])
    with pytest.raises(ValueError, match=rf'non-finite .* instance {where[0]}, feature '
                                         rf'{where[1]} \(bag {bag}\)'):
        mutual_knn_graph(x, 2, batch)


@pytest.mark.parametrize('batch, err, match', [
    (torch.tensor([0, 1, 0, 1]), ValueError, 'must be sorted.*position 2'),
    (torch.tensor([0, 0, 1]), ValueError, 'one entry per instance'),
    (torch.tensor([[0, 0, 1, 1]]), ValueError, 'one entry per instance'),
    (torch.tensor([0., 0., 1., 1.]), TypeError, 'integer tensor'),
    (torch.tensor([-1, 0, 0, 1]), ValueError, 'negative'),
    ([0, 0, 1, 1], TypeError, 'torch.Tensor'),
])
def test_bad_batch(batch, err, match):
    with pytest.raises(err, match=match):
        mutual_knn_graph(torch.randn(4, 2), 2, batch)


@pytest.mark.parametrize('sigma', ['max', 0, -1.0, math.nan, math.inf, None])
def test_bad_sigma(sigma):
    with pytest.raises(ValueError, match='sigma'):
        mutual_knn_graph(torch.randn(4, 2), 2, sigma=sigma)


def test_bad_loop_and_chunk():
    with pytest.raises(TypeError, match='loop'):
        mutual_knn_graph(torch.randn(4, 2), 2, loop='yes')
    with pytest.raises(ValueError, match='max_chunk_bytes'):
        mutual_knn_graph(torch.randn(4, 2), 2, max_chunk_bytes=0)
