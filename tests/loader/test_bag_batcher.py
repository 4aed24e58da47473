import numpy as np
import pytest
import torch
from torch_geometric.data import Batch, Data

from gmiml.loader import BagBatcher, bag_pointers, gather_bags
from gmiml.utils.mutual_knn_graph import mutual_knn_graph


def _setup(sizes=(3, 1, 5, 2, 4), d=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    ptr = bag_pointers(sizes)
    x = torch.randn(int(ptr[-1]), d, generator=g)
    batch = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes))
    ei, ew = mutual_knn_graph(x, k=2, batch=batch)
    Y = torch.randint(0, 2, (len(sizes), 4), generator=g).float()
    return x, ptr, ei, ew, Y


def test_batch_equals_pyg_collation():
    x, ptr, ei, ew, Y = _setup()
    # shuffle edge order: the batcher must sort by bag itself
    perm = torch.randperm(ei.size(1), generator=torch.Generator().manual_seed(1))
    batcher = BagBatcher(x, ptr, ei[:, perm], ew[perm], y=Y)
    datas = []
    for i in range(len(ptr) - 1):
        lo, hi = int(ptr[i]), int(ptr[i + 1])
        m = (ei[0] >= lo) & (ei[0] < hi)
        datas.append(Data(x=x[lo:hi], edge_index=ei[:, m] - lo, edge_weight=ew[m],
                          y=Y[i:i + 1]))
    idx = [4, 0, 2, 1]
    got = batcher.batch(idx)
    ref = Batch.from_data_list([datas[i] for i in idx])
    assert torch.equal(got.x, ref.x)
    assert torch.equal(got.batch, ref.batch)
    assert torch.equal(got.y, ref.y)
    assert got.num_bags == 4
    # same edge set with the same weights (order may differ)
    def edges(e, w):
        return sorted(zip(e[0].tolist(), e[1].tolist(), w.tolist()))
    assert edges(got.edge_index, got.edge_weight) == edges(ref.edge_index, ref.edge_weight)


def test_gather_bags_without_edges():
    ptr = bag_pointers([2, 3, 1])
    node_ids, batch, eids, e = gather_bags(ptr, torch.tensor([2, 0]))
    assert node_ids.tolist() == [5, 0, 1]
    assert batch.tolist() == [0, 1, 1]
    assert eids is None and e is None


def test_batch_indices_cover_all_bags_and_merge_singletons():
    x, ptr, ei, ew, Y = _setup()
    batcher = BagBatcher(x, ptr, ei, ew, y=Y)
    chunks = batcher.batch_indices(2, shuffle=True, generator=np.random.default_rng(0),
                                   min_size=2)
    assert [len(c) for c in chunks] == [2, 3]
    assert sorted(np.concatenate(chunks).tolist()) == list(range(5))
    again = batcher.batch_indices(2, shuffle=True, generator=np.random.default_rng(0),
                                  min_size=2)
    assert all(np.array_equal(a, b) for a, b in zip(chunks, again))
    assert [len(c) for c in batcher.batch_indices(2)] == [2, 2, 1]
    assert 'BagBatcher(num_bags=5' in repr(batcher)


def test_bad_input():
    x, ptr, ei, ew, Y = _setup()
    with pytest.raises(ValueError, match='ptr ends'):
        BagBatcher(x[:-1], ptr)
    with pytest.raises(ValueError, match='one per bag'):
        BagBatcher(x, ptr, y=Y[:-1])
    with pytest.raises(ValueError, match='different bags'):
        BagBatcher(x, ptr, torch.tensor([[0], [4]]))
    with pytest.raises(ValueError, match='Generator'):
        BagBatcher(x, ptr).batch_indices(2, shuffle=True)


def test_to_moves_every_tensor():
    x, ptr, ei, ew, Y = _setup()
    batcher = BagBatcher(x, ptr, ei, ew, y=Y)
    assert batcher.to('cpu') is batcher and batcher.device == torch.device('cpu')
    moved = batcher.to('meta')  # a device without data: only placement is checked
    assert moved is batcher
    for t in (moved.x, moved.ptr, moved.edge_index, moved.edge_weight, moved.edge_ptr,
              moved.bag_attrs['y']):
        assert t.device.type == 'meta'
