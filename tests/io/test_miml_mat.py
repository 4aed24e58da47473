import numpy as np
import pytest

from gmiml.io import mat_entry_shapes, read_miml_mat, read_relational_arff

from miml_writers import cell, save_mat


def _toy(n=4, d=3, L=2, seed=0):
    rng = np.random.default_rng(seed)
    bags = [rng.random((i % 3 + 1, d)) for i in range(n)]
    Y = np.zeros((n, L), dtype=np.int16)
    Y[np.arange(n), np.arange(n) % L] = 1
    return bags, Y


def _split(tr_bags, tr_Y, te_bags, te_Y):
    s = np.empty((1, 1), dtype=[('train_bags', object), ('train_target', object),
                                ('test_bags', object), ('test_target', object)])
    s[0, 0]['train_bags'], s[0, 0]['train_target'] = cell(tr_bags), tr_Y
    s[0, 0]['test_bags'], s[0, 0]['test_target'] = cell(te_bags), te_Y
    return s


def _strings(names):
    c = np.empty((len(names), 1), dtype=object)
    for i, n in enumerate(names):
        c[i, 0] = n
    return c


def _with_bag(bags, k, value):
    c = cell(bags)
    c[k, 0] = value
    return c


def test_bags_in_rows_01(tmp_path):
    bags, Y = _toy()
    p = save_mat(tmp_path / 'a.mat', bags=cell(bags), labels=Y.astype(float),
                 class_name=cell([]) if False else np.array([['x'], ['y']], dtype=object))
    out = read_miml_mat(p)
    assert out.name == 'a' and out.label_names == ['x', 'y'] and out.bag_ids is None
    np.testing.assert_array_equal(out.Y, Y)
    for got, want in zip(out.bags, bags):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want.astype(np.float32))


def test_labels_by_bags_pm1_and_row_cell(tmp_path):
    bags, Y = _toy(n=5, L=3)
    p = save_mat(tmp_path / 'b.mat', bags=cell(bags, row=True), targets=(2 * Y - 1).T)
    out = read_miml_mat(p)
    np.testing.assert_array_equal(out.Y, Y)
    assert out.n_bags == 5


def test_square_labels_ambiguous(tmp_path):
    bags, Y = _toy(n=2, L=2)
    p = save_mat(tmp_path / 'c.mat', bags=cell(bags), labels=np.array([[1, 0], [1, 1]]))
    with pytest.raises(ValueError, match='could be bags x labels or labels x bags'):
        read_miml_mat(p)
    np.testing.assert_array_equal(read_miml_mat(p, label_layout='bags_x_labels').Y,
                                  [[1, 0], [1, 1]])
    np.testing.assert_array_equal(read_miml_mat(p, label_layout='labels_x_bags').Y,
                                  [[1, 1], [0, 1]])
    with pytest.raises(ValueError, match='label_layout must be'):
        read_miml_mat(p, label_layout='rows')


def _split_struct(bags, Y, k):
    return {'train_bags': cell(bags[:k]), 'train_target': (2 * Y[:k] - 1).T,
            'test_bags': cell(bags[k:]), 'test_target': (2 * Y[k:] - 1).T}


def test_split_struct_union_train_then_test(tmp_path):
    bags, Y = _toy(n=6, L=4)
    p = save_mat(tmp_path / 'MIMLprotein_test.mat',
                 MLprotein={'test': _split_struct(bags, Y, 4)})
    out = read_miml_mat(p)
    assert out.n_bags == 6
    np.testing.assert_array_equal(out.Y, Y)
    np.testing.assert_array_equal(out.bags[4], bags[4].astype(np.float32))
    assert 'union, train bags first, then test bags' in out.meta['note']
    assert list(out.meta['stored_split']) == ['train'] * 4 + ['test'] * 2
    sub = out.subset([5, 0])
    assert list(sub.meta['stored_split']) == ['test', 'train']


def test_split_struct_square_parts_ambiguous(tmp_path):
    bags, Y = _toy(n=4, L=2)
    p = save_mat(tmp_path / 's.mat', MLprotein={'test': _split_struct(bags, Y, 2)})
    with pytest.raises(ValueError, match='are square'):
        read_miml_mat(p)
    np.testing.assert_array_equal(read_miml_mat(p, label_layout='labels_x_bags').Y, Y)


def test_multi_entry_struct_array(tmp_path):
    b1, Y1 = _toy(n=5, L=2, seed=1)
    b2, Y2 = _toy(n=7, L=3, seed=2)
    arr = np.empty((1, 2), dtype=[('test', object)])
    arr[0, 0]['test'] = _split_struct(b1, Y1, 3)
    arr[0, 1]['test'] = _split_struct(b2, Y2, 4)
    p = save_mat(tmp_path / 'all.mat', MLprotein=arr)
    assert mat_entry_shapes(p) == [(5, 2), (7, 3)]
    with pytest.raises(ValueError, match=r'holds 2 data sets.*1: MLprotein\[1\]\.test '
                                         r'\(7 bags x 3 labels\)'):
        read_miml_mat(p)
    np.testing.assert_array_equal(read_miml_mat(p, entry=1).Y, Y2)
    np.testing.assert_array_equal(read_miml_mat(p, entry=(5, 2)).Y, Y1)
    with pytest.raises(ValueError, match=r'0 data sets have shape \(9, 9\)'):
        read_miml_mat(p, entry=(9, 9))
    with pytest.raises(ValueError, match='entry 5 out of range'):
        read_miml_mat(p, entry=5)


@pytest.mark.parametrize('make,match', [
    (lambda b, Y: dict(bags=cell(b), labels=np.ones((3, 5))),
     r'labels has shape \(3, 5\) but there are 4 bags'),
    (lambda b, Y: dict(bags=cell(b), labels=np.where(Y > 0, 2, 0)),
     r'labels \(bag 0, label 0\): label value 2 is outside'),
    (lambda b, Y: dict(bags=cell(b), labels=np.where(Y > 0, np.nan, 0)),
     'not finite'),
    (lambda b, Y: dict(bags=cell(b[:1] + [np.full((2, 3), np.nan)] + b[2:]), labels=Y),
     r'bags\[1\]: non-finite'),
    (lambda b, Y: dict(bags=cell(b[:2] + [np.zeros((0, 3))] + b[3:]), labels=Y),
     r'bags\[2\]: empty bag'),
    (lambda b, Y: dict(bags=cell(b[:3] + [np.ones((2, 4))]), labels=Y),
     r'bags\[3\]: has 4 features'),
    (lambda b, Y: dict(bags=np.ones((4, 3)), labels=Y), 'expected a cell array'),
    (lambda b, Y: dict(bags=cell(b), labels=Y, class_name=np.array([['a']], dtype=object)),
     '1 label names for 2 labels'),
    (lambda b, Y: dict(X=cell(b), Y=Y), r"no MIML data found.*\['X', 'Y'\]"),
    (lambda b, Y: dict(bags=np.array([[b[0], b[1]], [b[2], b[3]]], dtype=object), labels=Y),
     r"bags is a \(2, 2\) cell array; expected a vector of bags"),
    (lambda b, Y: dict(bags=_with_bag(b, 1, 'text'), labels=Y),
     r"bags\[1\] holds <U4 data; expected a numeric \[n_i, d\] matrix"),
    (lambda b, Y: dict(bags=cell(b), labels=np.ones((4, 2, 2))),
     r"labels must be a numeric 2-D label matrix, got float64 of shape \(4, 2, 2\)"),
    (lambda b, Y: dict(bags=cell(b), labels=_strings(['a', 'b', 'c', 'd'])),
     r"labels must be a numeric 2-D label matrix, got object"),
    (lambda b, Y: dict(bags=_with_bag(b, 2, np.array([[1e39, 0, 0]])), labels=Y),
     r"bags\[2\]: feature value 1e\+39 at instance 0, feature 0 overflows float32"),
    (lambda b, Y: dict(bags=cell(b), labels=Y, class_name=np.array([[1.0, 2.0]])),
     r"class_name must be a cell array of strings, got float64"),
    (lambda b, Y: dict(bags=cell(b), labels=Y, bag_ids=_strings(['x', 'y', 'z'])),
     r"3 bag ids for 4 bags"),
    (lambda b, Y: dict(MLprotein=_split(b[:3], Y[:3].T, b[3:], np.ones((4, 1)))),
     r"MLprotein\.train_target has 2 labels but test_target has 4"),
    (lambda b, Y: dict(MLprotein=_split(b[:3], Y[:3].T, [np.ones((1, 4))], Y[3:].T)),
     r"train bags have 3 features, test bags 4"),
    (lambda b, Y: dict(train_bags=cell(b[:2]), train_target=Y[:2].T, test_bags=cell(b[2:])),
     r"no MIML data found .* top-level variables: \['train_bags', 'train_target', "
     r"'test_bags'\]"),
])
def test_bad_content(tmp_path, make, match):
    bags, Y = _toy()
    p = save_mat(tmp_path / 'bad.mat', **make(bags, Y))
    with pytest.raises(ValueError, match=match):
        read_miml_mat(p)


def test_missing_corrupt_truncated(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.mat'):
        read_miml_mat(tmp_path / 'nope.mat')
    (tmp_path / 'junk.mat').write_bytes(b'this is not a mat file at all' * 10)
    with pytest.raises(ValueError, match='cannot read as a MATLAB .mat file'):
        read_miml_mat(tmp_path / 'junk.mat')
    bags, Y = _toy(n=50)
    p = save_mat(tmp_path / 'full.mat', bags=cell(bags), labels=Y)
    data = p.read_bytes()
    (tmp_path / 'cut.mat').write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match='truncated or corrupt'):
        read_miml_mat(tmp_path / 'cut.mat')


def test_real_scene_equals_arff(data_root):
    m = read_miml_mat(data_root / 'image' / 'scene_MIML.mat')
    a = read_relational_arff(data_root / 'image' / 'miml_03_data.arff',
                             data_root / 'image' / 'miml_03_data.xml')
    assert m.label_names == a.label_names
    np.testing.assert_array_equal(m.Y, a.Y)
    assert all(np.array_equal(x, y) for x, y in zip(m.bags, a.bags))


def test_real_hm_union(data_root):
    out = read_miml_mat(data_root / 'HM' / 'MIMLprotein_test.mat')
    assert (out.n_bags, out.n_labels, out.n_features, out.n_instances) == (304, 234, 216,
                                                                           950)
    assert '152 train + 152 test bags' in out.meta['note']
    assert out.Y.sum(1).min() == 1 and out.Y.sum(0).min() == 1
    assert (out.Y[:152].sum(0) == 0).sum() == 85  # labels absent from the stored train half
    assert out.Y.sum() == 987  # 3.247 labels per bag


def test_layout_and_split_arguments(tmp_path):
    bags, Y = _toy()
    p = save_mat(tmp_path / 'ok.mat', bags=cell(bags), labels=Y)
    with pytest.raises(ValueError, match=r"with label_layout='labels_x_bags' it needs 4 "
                                         r"columns"):
        read_miml_mat(p, label_layout='labels_x_bags')
    with pytest.raises(ValueError, match=r"split 3 out of range; .* holds 1 split"):
        read_miml_mat(p, split=3)


def test_empty_and_v73_files(tmp_path):
    (tmp_path / 'empty.mat').write_bytes(b'')
    with pytest.raises(ValueError, match=r"empty.mat: empty .mat file \(0 bytes\)"):
        read_miml_mat(tmp_path / 'empty.mat')
    head = b'MATLAB 7.3 MAT-file, Platform: GLNXA64'.ljust(116) + bytes(8) + b'\x00\x02IM'
    (tmp_path / 'v73.mat').write_bytes(head + bytes(384) + b'\x89HDF\r\n\x1a\n' + bytes(64))
    with pytest.raises(ValueError, match=r"v7.3 \(HDF5\) files are not supported"):
        read_miml_mat(tmp_path / 'v73.mat')
