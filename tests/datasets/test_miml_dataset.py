import os

import numpy as np
import pytest
import torch
from torch_geometric.loader import DataLoader
from torch_geometric.transforms import BaseTransform

from gmiml.datasets import MIMLDataset, load_bags, make_synthetic_miml
from gmiml.datasets.miml_dataset import bags_to_data_list

from miml_writers import write_wu_files


class AddOne(BaseTransform):
    def __init__(self, value=1.0):
        self.value = value

    def forward(self, data):
        data = data.clone()
        data.x = data.x + self.value
        return data

    def __repr__(self):
        return f'{self.__class__.__name__}(value={self.value})'


def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob('*'))


@pytest.fixture
def root(tmp_path, small_protein):
    bags, Y = small_protein
    write_wu_files(tmp_path / 'raw' / 'PF', bags, Y)
    return tmp_path / 'raw'


def test_bags_to_data_list():
    b = make_synthetic_miml(5, n_labels=3, random_state=0)
    data = bags_to_data_list(b)
    assert len(data) == 5
    assert data[2].x.shape == (b.bag_sizes[2], 20) and data[2].x.dtype == torch.float32
    assert data[2].y.shape == (1, 3) and data[2].y.dtype == torch.float32
    assert torch.equal(data[2].y[0], torch.tensor(b.Y[2], dtype=torch.float32))
    assert data[2].bag_id.tolist() == [2]


def test_dataset_batching_and_cache(root, tmp_path, small_protein):
    bags, Y = small_protein
    before = _files(root)
    proc = tmp_path / 'proc'
    ds = MIMLDataset(str(root), 'pyrococcus furiosus', processed_dir=str(proc))
    assert ds.name == 'PF' and len(ds) == 6 and ds.num_labels == 3
    assert str(ds) == 'MIMLDataset(PF, 6)'
    assert ds.bag_ids == [f'P{i:05d}' for i in range(6)] and ds.label_names is None
    assert ds.processed_dir.startswith(str(proc / 'PF'))
    assert _files(root) == before  # nothing written next to the raw files
    np.testing.assert_array_equal(ds[3].x.numpy(), bags[3].astype(np.float32))
    batch = next(iter(DataLoader(ds, batch_size=4, shuffle=False)))
    assert batch.y.shape == (4, 3) and batch.num_graphs == 4
    assert batch.bag_id.tolist() == [0, 1, 2, 3]  # not shifted by the node counts
    assert torch.equal(batch.y, torch.tensor(Y[:4], dtype=torch.float32))
    assert batch.batch.tolist() == np.repeat(np.arange(4),
                                             [len(b) for b in bags[:4]]).tolist()
    # a second instance reads the cache (process is not called again)
    mtime = os.path.getmtime(os.path.join(ds.processed_dir, 'data.pt'))
    ds2 = MIMLDataset(str(root), 'PF', processed_dir=str(proc))
    assert ds2.processed_dir == ds.processed_dir
    assert os.path.getmtime(os.path.join(ds2.processed_dir, 'data.pt')) == mtime


def test_pre_transform_gets_its_own_cache(root, tmp_path, small_protein):
    bags, _ = small_protein
    proc = str(tmp_path / 'proc')
    plain = MIMLDataset(str(root), 'PF', processed_dir=proc)
    shifted = MIMLDataset(str(root), 'PF', pre_transform=AddOne(2.0), processed_dir=proc)
    assert shifted.processed_dir != plain.processed_dir
    np.testing.assert_allclose(shifted[0].x.numpy(), bags[0] + 2.0)
    other = MIMLDataset(str(root), 'PF', pre_transform=AddOne(3.0), processed_dir=proc)
    np.testing.assert_allclose(other[0].x.numpy(), bags[0] + 3.0)
    on_access = MIMLDataset(str(root), 'PF', transform=AddOne(1.0), processed_dir=proc)
    assert on_access.processed_dir == plain.processed_dir
    np.testing.assert_allclose(on_access[1].x.numpy(), bags[1] + 1.0)


def test_raw_file_change_invalidates_cache(root, tmp_path, small_protein):
    bags, Y = small_protein
    proc = str(tmp_path / 'proc')
    a = MIMLDataset(str(root), 'PF', processed_dir=proc)
    write_wu_files(root / 'PF', bags[:5], Y[:5])
    b = MIMLDataset(str(root), 'PF', processed_dir=proc)
    assert len(a) == 6 and len(b) == 5 and a.processed_dir != b.processed_dir


def test_pre_filter_keeps_bag_ids(root, tmp_path):
    ds = MIMLDataset(str(root), 'PF', pre_filter=lambda d: d.x.size(0) > 1,
                     processed_dir=str(tmp_path / 'proc'))
    ids = [int(d.bag_id) for d in ds]
    assert ids == [1, 2, 4, 5]


def test_missing_dataset(tmp_path):
    with pytest.raises(FileNotFoundError, match="(?s)'CE'.*CE/instances.txt"):
        MIMLDataset(str(tmp_path), 'CE', processed_dir=str(tmp_path / 'p'))


def test_real_image(data_root, tmp_path):
    ds = MIMLDataset(str(data_root), 'scene', processed_dir=str(tmp_path))
    assert len(ds) == 2000 and ds.num_labels == 5
    assert ds.label_names == ['desert', 'mountains', 'sea', 'sunset', 'trees']
    batch = next(iter(DataLoader(ds, batch_size=32)))
    assert batch.x.shape == (32 * 9, 15) and batch.y.shape == (32, 5)
    ref = load_bags('image', root=data_root)
    assert torch.equal(batch.y, torch.tensor(ref.Y[:32], dtype=torch.float32))
