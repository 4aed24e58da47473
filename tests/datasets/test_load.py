import os

import numpy as np
import pytest

from gmiml.datasets import (ChecksumMismatchError, DatasetNotFoundError, is_available,
                            load_bags, locate)
from gmiml.datasets.checksums import file_sha256, git_blob_id
from gmiml.datasets.registry import KNOWN_FILES

from miml_writers import arff_text, cell, mulan_xml, save_mat, write_wu_files


def test_user_copy_in_wu_layout_unknown_checksum(tmp_path, small_protein):
    bags, Y = small_protein
    write_wu_files(tmp_path / 'SC', bags, Y)
    out = load_bags('yeast', root=tmp_path)
    assert out.name == 'SC' and out.n_bags == 6
    np.testing.assert_array_equal(out.Y, Y)
    np.testing.assert_array_equal(out.bags[3], bags[3].astype(np.float32))
    assert out.meta['files'] == ['SC/instances.txt', 'SC/labels.txt']
    assert out.meta['sha256']['SC/labels.txt'] == file_sha256(tmp_path / 'SC' / 'labels.txt')
    assert is_available('SC', tmp_path) and not is_available('CE', tmp_path)


def test_env_var_root(tmp_path, small_protein, monkeypatch):
    bags, Y = small_protein
    write_wu_files(tmp_path / 'PF', bags, Y)
    monkeypatch.setenv('GMIML_DATA', str(tmp_path))
    assert load_bags('pyrococcus furiosus').n_bags == 6


def test_glob_mat_and_arff_layouts(tmp_path, small_protein):
    bags, Y = small_protein
    (tmp_path / 'CE').mkdir()
    save_mat(tmp_path / 'CE' / 'protein_worm.mat', bags=cell(bags), labels=2 * Y - 1.0)
    out = load_bags('CE', root=tmp_path)
    np.testing.assert_array_equal(out.Y, Y)
    assert out.meta['files'] == ['CE/protein_worm.mat']
    (tmp_path / 'DM').mkdir()
    (tmp_path / 'DM' / 'fly.arff').write_text(arff_text(bags, Y, ['a', 'b', 'c']))
    (tmp_path / 'DM' / 'fly.xml').write_text(mulan_xml(['c', 'b', 'a']))
    out = load_bags('DM', root=tmp_path)
    assert out.label_names == ['c', 'b', 'a'] and out.meta['files'] == ['DM/fly.arff',
                                                                        'DM/fly.xml']
    np.testing.assert_array_equal(out.Y, Y[:, ::-1])
    # two candidate .mat files: ambiguous, named in the error
    save_mat(tmp_path / 'CE' / 'other.mat', bags=cell(bags), labels=Y)
    with pytest.raises(DatasetNotFoundError, match=r"Ambiguous: CE/\*\.mat matches 2 files"):
        load_bags('CE', root=tmp_path)


def test_absent_dataset_message(tmp_path):
    with pytest.raises(DatasetNotFoundError) as e:
        load_bags('PF', root=tmp_path)
    msg = str(e.value)
    assert "'PF' (Pyrococcus furiosus) not found under " + str(tmp_path) in msg
    assert 'the root= argument' in msg
    for expected in ('PF/instances.txt + PF/labels.txt', 'PF/*.mat', 'PF/*.arff',
                     'MIMLprotein/MIMLprotein.mat (entry with 425 bags x 321 labels)',
                     'xyh2016/MIML-DML', 'SyedUmaidAhmed'):
        assert expected in msg
    assert isinstance(e.value, FileNotFoundError)


def test_partial_layout_named(tmp_path, small_protein):
    bags, Y = small_protein
    write_wu_files(tmp_path / 'GS', bags, Y)
    os.remove(tmp_path / 'GS' / 'labels.txt')
    with pytest.raises(DatasetNotFoundError, match=r"Found only part of a layout: "
                                                   r"GS/instances.txt \+ GS/labels.txt.*"
                                                   r"missing \['GS/labels.txt'\]"):
        locate('GS', tmp_path)


def test_checksum_mismatch_on_pinned_path(tmp_path, small_protein):
    bags, Y = small_protein
    write_wu_files(tmp_path / 'GS', bags, Y)  # at the pinned path, wrong content
    with pytest.raises(ChecksumMismatchError) as e:
        load_bags('GS', root=tmp_path)
    msg = str(e.value)
    got = file_sha256(tmp_path / 'GS' / 'instances.txt')
    assert str(tmp_path / 'GS' / 'instances.txt') in msg
    assert KNOWN_FILES['GS/instances.txt'].sha256 in msg and got in msg
    assert load_bags('GS', root=tmp_path, verify=False).n_bags == 6


def test_all_organism_file_entry_by_shape(tmp_path):
    rng = np.random.default_rng(0)

    def entry(n, L):
        Y = -np.ones((L, n))
        Y[rng.integers(0, L, n), np.arange(n)] = 1
        bags = [rng.random((1, 3)) for _ in range(n)]
        return {'bags': cell(bags), 'targets': Y}

    arr = np.empty((1, 2), dtype=[('bags', object), ('targets', object)])
    for j, (n, L) in enumerate([(2512, 940), (425, 321)]):
        for k, v in entry(n, L).items():
            arr[0, j][k] = v
    (tmp_path / 'MIMLprotein').mkdir()
    save_mat(tmp_path / 'MIMLprotein' / 'MIMLprotein.mat', MLprotein=arr)
    with pytest.raises(ChecksumMismatchError, match='git blob id mismatch'):
        load_bags('PF', root=tmp_path)
    pf = load_bags('PF', root=tmp_path, verify=False)
    ce = load_bags('CE', root=tmp_path, verify=False)
    assert (pf.n_bags, pf.n_labels) == (425, 321) and (ce.n_bags, ce.n_labels) == (2512, 940)
    with pytest.raises(ValueError, match=r'0 data sets have shape \(2605, 1035\)'):
        load_bags('DM', root=tmp_path, verify=False)


def test_git_blob_id(tmp_path):
    p = tmp_path / 'f'
    p.write_bytes(b'hello\n')
    assert git_blob_id(p) == 'ce013625030ba8dba906f756967f9e9ca394464a'  # git hash-object


@pytest.mark.parametrize('name,shape,n_inst', [
    ('scene', (2000, 5, 15), 18000), ('reuters', (2000, 7, 243), 7119),
    ('Geobacter sulfurreducens', (379, 320, 216), 1214),
    ('azotobacter vinelandii', (407, 340, 216), 1251),
    ('haloarcula marismortui', (304, 234, 216), 950)])
def test_real(data_root, name, shape, n_inst):
    out = load_bags(name, root=data_root)
    assert (out.n_bags, out.n_labels, out.n_features) == shape
    assert out.n_instances == n_inst
    for rel, h in out.meta['sha256'].items():
        assert KNOWN_FILES[rel].sha256 == h
    if out.name == 'HM':
        assert 'train bags first, then test bags' in out.meta['note']


def test_real_image_mat_layout_equals_arff(data_root, tmp_path):
    (tmp_path / 'image').mkdir()
    os.symlink(data_root / 'image' / 'scene_MIML.mat', tmp_path / 'image' / 'scene_MIML.mat')
    m = load_bags('image', root=tmp_path)
    a = load_bags('image', root=data_root)
    assert m.meta['files'] == ['image/scene_MIML.mat']
    assert a.meta['files'] == ['image/miml_03_data.arff', 'image/miml_03_data.xml']
    np.testing.assert_array_equal(m.Y, a.Y)
    assert m.label_names == a.label_names
    assert all(np.array_equal(x, y) for x, y in zip(m.bags, a.bags))


def test_real_corrupt_copy(data_root, tmp_path):
    (tmp_path / 'HM').mkdir()
    data = (data_root / 'HM' / 'MIMLprotein_test.mat').read_bytes()
    (tmp_path / 'HM' / 'MIMLprotein_test.mat').write_bytes(data[:-1000])
    with pytest.raises(ChecksumMismatchError, match='HM/MIMLprotein_test.mat: sha256 '
                                                    'mismatch.*size 186899 bytes, expected '
                                                    '187899'):
        load_bags('HM', root=tmp_path)
    with pytest.raises(ValueError, match='truncated or corrupt'):
        load_bags('HM', root=tmp_path, verify=False)


# --- load by path ----------------------------------------------------------------------

def test_load_by_path_every_form(tmp_path, small_protein, monkeypatch):
    bags, Y = small_protein
    write_wu_files(tmp_path / 'mine', bags, Y)
    a = load_bags(tmp_path / 'mine')                      # a Path to a folder
    b = load_bags(str(tmp_path / 'mine' / 'instances.txt'))  # a str with a folder part
    monkeypatch.chdir(tmp_path)
    c = load_bags('./mine')
    for out in (a, b, c):
        np.testing.assert_array_equal(out.Y, Y)
        assert out.name == 'mine' and out.meta['root'] is None
        assert out.meta['layout'] == 'wu_protein'
    assert a.meta['sha256'][str(tmp_path / 'mine' / 'labels.txt')] == \
        file_sha256(tmp_path / 'mine' / 'labels.txt')
    (tmp_path / 'x.arff').write_text(arff_text(bags, Y, ['a', 'b', 'c']))
    out = load_bags('x.arff', n_labels=3)                 # a bare file name with a suffix
    assert out.label_names == ['a', 'b', 'c']


def test_registered_name_wins_over_a_folder_of_that_name(data_root, tmp_path, monkeypatch,
                                                         small_protein):
    bags, Y = small_protein
    write_wu_files(tmp_path / 'GS', bags, Y)
    monkeypatch.chdir(tmp_path)
    assert load_bags('GS', root=data_root).n_bags == 379
    assert load_bags('./GS').n_bags == 6


@pytest.mark.parametrize('args,kw,error,match', [
    (('no_such_set', ), {}, KeyError, r"unknown MIML data set 'no_such_set'; known: .*; nor is "
                                      r"'no_such_set' an existing file or folder"),
    (('missing.arff', ), {}, FileNotFoundError, r"missing.arff: no such file or folder"),
    (('./nowhere', ), {}, FileNotFoundError, r"nowhere: no such file or folder"),
    ((42, ), {}, TypeError, r"expected a data set name or a path, got int"),
    (('./mine', 'somewhere'), {}, ValueError, r"root= and download= apply to registered data "
                                              r"set names; a path is read as it is"),
    (('./mine', ), {'download': True}, ValueError, r"root= and download= apply"),
    (('GS', ), {'n_labels': 3}, ValueError, r"load_bags\('GS'\): n_labels= apply to paths"),
    (('HM', ), {'entry': 1, 'xml': 'a.xml'}, ValueError, r"xml, entry= apply to paths"),
])
def test_load_bad_arguments(tmp_path, small_protein, monkeypatch, args, kw, error, match):
    write_wu_files(tmp_path / 'mine', *small_protein)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=match):
        load_bags(*args, **kw)


def test_glob_arff_without_xml_takes_the_registered_label_count(tmp_path, small_protein):
    bags, Y = small_protein
    (tmp_path / 'DM').mkdir()
    (tmp_path / 'DM' / 'fly.arff').write_text(arff_text(bags, Y, ['a', 'b', 'c']))
    with pytest.raises(ValueError, match=r"n_labels=1035 but only 3 attribute\(s\) follow"):
        load_bags('DM', root=tmp_path)


@pytest.mark.parametrize('rel,kw', [('GS', {}), ('AV/instances.txt', {}),
                                    ('HM/MIMLprotein_test.mat', {}),
                                    ('text/miml_text_data.arff', {}),
                                    ('image/miml_03_data.arff', {}),
                                    ('image/scene_MIML.mat', {})])
def test_real_by_path_equals_by_name(data_root, rel, kw):
    out = load_bags(data_root / rel, **kw)
    key = rel.split('/')[0]
    ref = load_bags(key, root=data_root)
    np.testing.assert_array_equal(out.Y, ref.Y)
    assert all(np.array_equal(x, y) for x, y in zip(out.bags, ref.bags))
