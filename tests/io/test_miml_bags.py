import numpy as np
import pytest

from gmiml.io import MIMLBags


def _bags():
    return [np.arange(6, dtype=np.float32).reshape(3, 2), np.ones((1, 2), np.float32),
            np.zeros((2, 2), np.float32)]


def test_properties_and_repr():
    b = MIMLBags(_bags(), np.array([[1, 0], [0, 1], [1, 1]], np.uint8), ['a', 'b'],
                 ['x', 'y', 'z'], name='toy')
    assert (b.n_bags, b.n_labels, b.n_features, b.n_instances, len(b)) == (3, 2, 2, 6, 3)
    assert b.bag_sizes.tolist() == [3, 1, 2]
    assert repr(b) == ("MIMLBags(name='toy', n_bags=3, n_labels=2, n_features=2, "
                       "n_instances=6)")
    x, batch = b.concat()
    assert x.shape == (6, 2) and batch.tolist() == [0, 0, 0, 1, 2, 2]


def test_converts_lists_and_pm1_labels():
    b = MIMLBags([[[1, 2]], np.array([[3.0, 4.0], [5, 6]])], [[1, -1], [-1, 1]])
    assert all(x.dtype == np.float32 for x in b.bags)
    assert b.Y.dtype == np.uint8 and b.Y.tolist() == [[1, 0], [0, 1]]


@pytest.mark.parametrize('kw,match', [
    (dict(Y=np.ones((2, 2), np.uint8)), 'Y has 2 rows but there are 3 bags'),
    (dict(label_names=['a']), '1 label names for 2 label columns'),
    (dict(bag_ids=['x']), '1 bag ids for 3 bags'),
    (dict(bags=[np.ones((2, 2), np.float32), np.ones((2, 3), np.float32),
                np.ones((1, 2), np.float32)]), r'bags\[1\] has 3 features'),
    (dict(bags=[np.ones((2, 2)), np.full((1, 2), np.nan), np.ones((1, 2))]), 'non-finite'),
    (dict(bags=[np.ones((2, 2)), np.ones((0, 2)), np.ones((1, 2))]), 'empty bag'),
    (dict(Y=np.full((3, 2), 2)), 'outside'),
    (dict(bags=[]), 'no bags'),
])
def test_validation(kw, match):
    args = dict(bags=_bags(), Y=np.zeros((3, 2), np.uint8))
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        MIMLBags(**args)


def test_subset():
    b = MIMLBags(_bags(), np.array([[1, 0], [0, 1], [1, 1]], np.uint8), ['a', 'b'],
                 ['x', 'y', 'z'], name='toy',
                 meta={'w': np.array([10, 20, 30]), 'inst': np.arange(6),
                       'per_bag': ('w', ), 'per_instance': ('inst', )})
    s = b.subset([2, 0])
    assert s.bag_ids == ['z', 'x'] and s.Y.tolist() == [[1, 1], [1, 0]]
    assert s.bags[1] is b.bags[0]  # shared, not copied
    assert s.meta['w'].tolist() == [30, 10] and s.meta['inst'].tolist() == [4, 5, 0, 1, 2]
    assert s.meta['subset_of'] == 'toy' and s.label_names == ['a', 'b']
    m = b.subset(np.array([False, True, False]))
    assert m.bag_ids == ['y'] and m.meta['inst'].tolist() == [3]
    assert b.subset([-1]).bag_ids == ['z']
    with pytest.raises(IndexError):
        b.subset([3])
    with pytest.raises(ValueError, match='boolean mask'):
        b.subset([True, False])
    with pytest.raises(ValueError, match='no indices'):
        b.subset([])
    with pytest.raises(TypeError):
        b.subset([0.5])
