import math

import pytest
import torch
from torch_geometric.data import Batch, Data

from gmiml.transforms import MutualKNNGraph
from gmiml.utils import mutual_knn_graph


def test_repr_lists_every_hyperparameter():
    assert str(MutualKNNGraph()) == "MutualKNNGraph(k=3, sigma='median', loop=False)"
    assert (str(MutualKNNGraph(k=5, sigma=0.5, loop=True))
            == 'MutualKNNGraph(k=5, sigma=0.5, loop=True)')
    # a changed hyperparameter changes the repr (PyG's stale-cache check relies on it)
    reprs = {str(MutualKNNGraph(k=3, sigma=s)) for s in ('median', 'mean', 1.0)}
    assert len(reprs) == 3


def test_on_a_bag():
    x = torch.tensor([[0.], [1.], [3.], [7.]])
    data = Data(x=x, y=torch.tensor([[1., 0.]]))
    out = MutualKNNGraph(k=1)(data)
    assert out.edge_index.tolist() == [[0, 1], [1, 0]]
    assert torch.allclose(out.edge_weight, torch.full((2,), math.exp(-0.5)))
    assert torch.equal(out.y, data.y)
    assert 'edge_index' not in data  # BaseTransform works on a shallow copy
    out.validate(raise_on_error=True)


def test_same_as_the_function():
    torch.manual_seed(0)
    x = torch.randn(12, 5)
    for kwargs in ({}, {'k': 2, 'sigma': 'mean'}, {'k': 4, 'sigma': 0.3, 'loop': True}):
        out = MutualKNNGraph(**kwargs)(Data(x=x))
        ei, ew = mutual_knn_graph(x, batch=None, **kwargs)
        assert torch.equal(out.edge_index, ei) and torch.equal(out.edge_weight, ew)


def test_batch_equals_per_bag():
    torch.manual_seed(1)
    bags = [Data(x=torch.randn(n, 3)) for n in (4, 1, 9, 2, 6)]
    t = MutualKNNGraph(k=2)
    batched = t(Batch.from_data_list(bags))
    per_bag = Batch.from_data_list([t(b) for b in bags])
    assert torch.equal(batched.edge_index, per_bag.edge_index)
    torch.testing.assert_close(batched.edge_weight, per_bag.edge_weight, rtol=1e-6,
                               atol=1e-7)
    assert torch.equal(batched.batch[batched.edge_index[0]],
                       batched.batch[batched.edge_index[1]])


def test_missing_x():
    with pytest.raises(ValueError, match='data.x is missing'):
        MutualKNNGraph()(Data(num_nodes=3))


def test_bad_hyperparameters_fail_on_use():
    with pytest.raises(ValueError, match='k must be >= 1'):
        MutualKNNGraph(k=0)(Data(x=torch.randn(3, 2)))
    with pytest.raises(ValueError, match='sigma'):
        MutualKNNGraph(sigma='max')(Data(x=torch.randn(3, 2)))


def test_real_bags(data_root):
    from gmiml.datasets import load_bags
    bags = load_bags('image', root=data_root).bags[:20]
    t = MutualKNNGraph()
    for b in bags:
        out = t(Data(x=torch.from_numpy(b)))
        assert out.edge_index.shape[1] > 0
        assert ((out.edge_weight > 0) & (out.edge_weight <= 1)).all()


def test_registered_as_functional_transform():
    # PyG's @functional_transform: data pipes get a .mutual_knn_graph(k=...) step
    import torch_geometric.data.datapipes as dp
    from gmiml.transforms import MutualKNNGraph  # noqa: F401 (registers it)
    assert 'mutual_knn_graph' in dp.IterDataPipe.functions
