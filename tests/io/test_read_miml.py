import numpy as np
import pytest

from gmiml.io import FORMATS, UnsupportedFormatError, detect_format, read_miml

from miml_writers import arff_text, cell, mulan_xml, save_mat, write_wu_files


@pytest.fixture
def files(tmp_path, toy):
    """One folder per format holding the toy data set."""
    bags, Y = toy
    write_wu_files(tmp_path / 'wu', bags, Y)
    (tmp_path / 'arff').mkdir()
    (tmp_path / 'arff' / 'toy.arff').write_text(arff_text(bags, Y, ['a', 'b', 'c']))
    (tmp_path / 'arff' / 'toy.xml').write_text(mulan_xml(['c', 'a', 'b']))
    (tmp_path / 'mat').mkdir()
    # four bags: a 3 x 3 label matrix could be bags x labels or labels x bags
    save_mat(tmp_path / 'mat' / 'toy.mat', bags=cell(bags + bags[:1]),
             labels=2 * np.vstack([Y, Y[:1]]) - 1.0)
    return tmp_path


def _same(out, bags, Y, cols=None):
    np.testing.assert_array_equal(out.Y, Y if cols is None else Y[:, cols])
    for got, want in zip(out.bags, bags):
        np.testing.assert_array_equal(got, np.asarray(want, dtype=np.float32))


def test_every_format_by_file_and_folder(files, toy):
    bags, Y = toy
    for p in (files / 'wu', files / 'wu' / 'instances.txt', files / 'wu' / 'labels.txt'):
        out = read_miml(p)
        assert out.meta['format'] == 'wu_protein' and out.name == 'wu'
        _same(out, bags, Y)
    for p in (files / 'arff', files / 'arff' / 'toy.arff', files / 'arff' / 'toy.xml'):
        out = read_miml(p)
        assert out.label_names == ['c', 'a', 'b']  # the XML of the same stem is used
        _same(out, bags, Y, [2, 0, 1])
    for p in (files / 'mat', files / 'mat' / 'toy.mat'):
        out = read_miml(p)
        assert out.meta['format'] == 'miml_mat'
        _same(out, bags + bags[:1], np.vstack([Y, Y[:1]]))


def test_content_wins_over_extension(files, toy):
    bags, Y = toy
    (files / 'arff' / 'toy.xml').unlink()
    odd = files / 'data.dat'
    odd.write_text((files / 'arff' / 'toy.arff').read_text())
    assert detect_format(odd)[0] == 'relational_arff'
    _same(read_miml(odd, n_labels=3), bags, Y)
    noext = files / 'matfile'
    noext.write_bytes((files / 'mat' / 'toy.mat').read_bytes())
    assert detect_format(noext) == ('miml_mat', [noext])


def test_wu_pair_with_other_names(tmp_path, toy):
    bags, Y = toy
    write_wu_files(tmp_path, bags, Y)
    (tmp_path / 'instances.txt').rename(tmp_path / 'GS_instances.txt')
    (tmp_path / 'labels.txt').rename(tmp_path / 'GS_labels.txt')
    _same(read_miml(tmp_path / 'GS_instances.txt'), bags, Y)
    (tmp_path / 'GS_labels.txt').rename(tmp_path / 'y.txt')
    _same(read_miml(tmp_path / 'GS_instances.txt', labels=tmp_path / 'y.txt'), bags, Y)


@pytest.mark.parametrize('setup,error,match', [
    (lambda d: d / 'nope', FileNotFoundError, r"nope: no such file or folder"),
    (lambda d: d / 'empty_dir', UnsupportedFormatError,
     r"empty_dir: no MIML data found in this folder \(it holds: nothing\)\.\nSupported "
     r"formats:\n  - relational_arff: .*\n  - wu_protein: .*\n  - miml_mat: "),
    (lambda d: d / 'two', UnsupportedFormatError,
     r"two: 2 data files \(a.arff, b.mat\); pass the path of the one to read"),
    (lambda d: d / 'table.csv', UnsupportedFormatError,
     r"table.csv: not a MIML data file gmiml can read \(unknown extension '.csv' and "
     r"content\).\nSupported formats:"),
    (lambda d: d / 'lonely.xml', FileNotFoundError,
     r"lonely.xml: a Mulan label XML; its ARFF lonely.arff is not next to it"),
    (lambda d: d / 'solo' / 'instances.txt', FileNotFoundError,
     r"the Wu et al. format is a pair of files, and .*solo/labels.txt is not there"),
    (lambda d: d / 'blank', UnsupportedFormatError, r"blank: not a MIML data file"),
])
def test_detect_errors(tmp_path, setup, error, match):
    (tmp_path / 'empty_dir').mkdir()
    (tmp_path / 'two').mkdir()
    (tmp_path / 'two' / 'a.arff').write_text('@relation x\n')
    (tmp_path / 'two' / 'b.mat').write_bytes(b'MATLAB')
    (tmp_path / 'table.csv').write_text('a,b\n1,2\n')
    (tmp_path / 'lonely.xml').write_text(mulan_xml(['a']))
    (tmp_path / 'solo').mkdir()
    (tmp_path / 'solo' / 'instances.txt').write_text('>A\n1\t2\n')
    (tmp_path / 'blank').write_bytes(b'')
    with pytest.raises(error, match=match):
        read_miml(setup(tmp_path))


@pytest.mark.parametrize('path,kw,error,match', [
    ('mat/toy.mat', {'n_labels': 3}, UnsupportedFormatError,
     r"toy.mat is read as miml_mat, which takes no n_labels= argument"),
    ('wu', {'entry': 0}, UnsupportedFormatError, r"read as wu_protein, which takes no entry="),
    ('arff/toy.arff', {'labels': 'x.txt'}, UnsupportedFormatError,
     r"read as relational_arff, which takes no labels="),
])
def test_options_that_do_not_apply(files, path, kw, error, match):
    with pytest.raises(error, match=match):
        read_miml(files / path, **kw)


def test_arff_without_xml_needs_the_label_count(files):
    (files / 'arff' / 'toy.xml').unlink()
    with pytest.raises(ValueError, match=r"which attributes are the labels\? .* n_labels=3"):
        read_miml(files / 'arff')
    assert read_miml(files / 'arff', n_labels=3).label_names == ['a', 'b', 'c']


@pytest.mark.parametrize('name,content,match', [
    ('e.arff', b'', r"e.arff: empty file"),
    ('e.mat', b'', r"e.mat: empty .mat file"),
    ('e.txt', b'\n\n', r"e.txt: empty instances file"),
    ('notwu.txt', b'a,b\n1,2\n', r"notwu.txt, line 1: data before the first '>' header"),
])
def test_empty_and_wrong_content(tmp_path, name, content, match):
    (tmp_path / name).write_bytes(content)
    (tmp_path / 'labels.txt').write_text('>A\n1\n')
    with pytest.raises(ValueError, match=match):
        read_miml(tmp_path / name, n_labels=1) if name.endswith('.arff') else \
            read_miml(tmp_path / name)


def test_formats_documented():
    assert set(FORMATS) == {'relational_arff', 'wu_protein', 'miml_mat'}
    assert issubclass(UnsupportedFormatError, ValueError)


def test_real_files(data_root):
    gs = read_miml(data_root / 'GS')
    assert (gs.n_bags, gs.n_labels) == (379, 320)
    hm = read_miml(data_root / 'HM' / 'MIMLprotein_test.mat')
    assert (hm.n_bags, hm.n_labels) == (304, 234)
    text = read_miml(data_root / 'text' / 'miml_text_data.arff')
    assert text.meta['files'][1].endswith('miml_text_data.xml') and text.n_labels == 7
    with pytest.raises(UnsupportedFormatError, match='2 data files'):
        read_miml(data_root / 'image')
