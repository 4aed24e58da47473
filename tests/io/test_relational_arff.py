import csv

import numpy as np
import pytest

from gmiml.io import read_mulan_xml, read_relational_arff

from miml_writers import arff_text, mulan_xml


def test_small_file_exact(write_arff, toy):
    bags, Y = toy
    p, x = write_arff(bags, Y, ['a', 'b', 'c'], xml_names=['a', 'b', 'c'])
    out = read_relational_arff(p, x)
    assert out.n_bags == 3 and out.n_labels == 3 and out.n_features == 2
    assert out.bag_ids == ['1', '2', '3']
    assert out.label_names == ['a', 'b', 'c']
    for got, want in zip(out.bags, bags):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want.astype(np.float32))
    np.testing.assert_array_equal(out.Y, Y)
    assert out.Y.dtype == np.uint8
    assert out.name == 'toy'


def test_xml_order_reorders_columns(write_arff, toy):
    bags, Y = toy
    p, x = write_arff(bags, Y, ['a', 'b', 'c'], xml_names=['c', 'a', 'b'])
    out = read_relational_arff(p, x)
    assert out.label_names == ['c', 'a', 'b']
    np.testing.assert_array_equal(out.Y, Y[:, [2, 0, 1]])


def test_without_xml_and_single_quotes(write_arff, toy):
    bags, Y = toy
    p, _ = write_arff(bags, Y, ['x', 'y', 'z'], quote="'")
    out = read_relational_arff(p, n_labels=3)
    assert out.label_names == ['x', 'y', 'z']
    np.testing.assert_array_equal(out.bags[2], bags[2].astype(np.float32))


def test_pm1_labels_and_no_id(write_arff, tmp_path):
    text = ('@relation t\n@attribute bag relational\n@attribute f1 numeric\n@end bag\n'
            '@attribute l1 {-1,1}\n@attribute l2 {-1,1}\n@data\n'
            '"1\\n2",1,-1\n"3",-1,1\n')
    p, _ = write_arff(None, None, None, text=text)
    out = read_relational_arff(p, n_labels=2)
    assert out.bag_ids is None
    np.testing.assert_array_equal(out.Y, [[1, 0], [0, 1]])
    np.testing.assert_array_equal(out.bags[0], [[1.0], [2.0]])


HEAD = ('@relation t\n@attribute id {1,2}\n@attribute bag relational\n'
        '@attribute f1 numeric\n@attribute f2 numeric\n@end bag\n'
        '@attribute a {0,1}\n@attribute b {0,1}\n@data\n')


@pytest.mark.parametrize('data,match', [
    ('1,"",0,1\n2,"1,2",1,0\n', r"line 10 \(bag '1'\): empty bag"),
    ('1,"1,2\\n3",0,1\n', r"line 10 \(bag '1'\): instance 1 has 1 values, expected 2"),
    ('1,"1,2\\n3,4,5",0,1\n', 'instance 1 has 3 values'),
    ('1,"1,2\\n",0,1\n', 'instance 1 is empty'),
    ('1,"1,nan",0,1\n', r"non-finite feature value nan at instance 0, feature 1"),
    ('1,"1,2",0,1\n2,"inf,2",1,0\n', r"line 11 \(bag '2'\): non-finite feature value inf"),
    ('1,"1,?",0,1\n', r'missing value "\?" at instance 0, feature 1'),
    ('1,"1,abc",0,1\n', "non-numeric value 'abc'"),
    ('1,"1,2",0,2\n', r"label 'b': label value 2 is outside"),
    ('1,"1,2",0,?\n', r"label 'b': label value '\?' is not a number"),
    ('1,"1,2",0,-1\n', 'mix'),
    ('1,"1,2",0\n', r'line 10: 3 fields, expected 4'),
    ('1,"1,2",0,1\n2,"3,4\n', 'line 11: .*(unterminated|malformed)'),
    ('1,"1,2",0,1\n1,"3,4",1,1\n', r"bag id '1' appears twice"),
    ('3,"1,2",0,1\n', r"bag id '3' is not among the values"),
    ('', 'holds no bags'),
    ('{0 1}\n', 'sparse ARFF'),
])
def test_bad_data(write_arff, data, match):
    p, _ = write_arff(None, None, None, text=HEAD + data)
    with pytest.raises(ValueError, match=match):
        read_relational_arff(p, n_labels=2)


@pytest.mark.parametrize('text,match', [
    ('@relation t\n@attribute a numeric\n@attribute b {0,1}\n@data\n1,0\n',
     'no relational'),
    ('@relation t\n@attribute bag relational\n@attribute f numeric\n', 'no @data'),
    ('@relation t\n@attribute bag relational\n@attribute f string\n@end bag\n@data\n',
     'only numeric'),
    ('@relation t\n@attribute bag relational\n@attribute f numeric\n@end bag\n@data\n'
     '"1",\n', 'no label attributes'),
    ('@relation t\n@attribute bag relational\n@attribute f numeric\n@end bag\n'
     '@attribute y numeric\n@data\n"1",1\n', 'must be nominal'),
    ('garbage line\n@data\n', 'unexpected header line'),
])
def test_bad_header(write_arff, text, match):
    p, _ = write_arff(None, None, None, text=text)
    with pytest.raises(ValueError, match=match):
        read_relational_arff(p)


def test_missing_empty_and_binary_files(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.arff'):
        read_relational_arff(tmp_path / 'nope.arff')
    (tmp_path / 'e.arff').write_text('  \n')
    with pytest.raises(ValueError, match='empty'):
        read_relational_arff(tmp_path / 'e.arff')
    (tmp_path / 'b.arff').write_bytes(b'\x00\x01\x02garbage')
    with pytest.raises(ValueError, match='NUL'):
        read_relational_arff(tmp_path / 'b.arff')


def test_truncated_file(write_arff, toy):
    bags, Y = toy
    text = arff_text(bags, Y, ['a', 'b', 'c'])
    cut = text.index('\\n4.0')  # inside the third bag's quoted field
    p, _ = write_arff(None, None, None, text=text[:cut])
    with pytest.raises(ValueError, match=r'line 15: malformed data line.*truncated'):
        read_relational_arff(p, n_labels=3)


def test_xml_errors(write_arff, toy, tmp_path):
    bags, Y = toy
    p, x = write_arff(bags, Y, ['a', 'b', 'c'], xml_names=['a', 'b', 'zz'])
    with pytest.raises(ValueError, match=r"toy.xml: label\(s\) \['zz'\] named in the XML are "
                                         r"not attributes of .*toy.arff"):
        read_relational_arff(p, x)
    bad = tmp_path / 'bad.xml'
    bad.write_text('<labels><label name="a"></labels>')
    with pytest.raises(ValueError, match='malformed label XML'):
        read_mulan_xml(bad)
    none = tmp_path / 'none.xml'
    none.write_text('<labels></labels>')
    with pytest.raises(ValueError, match='no <label'):
        read_mulan_xml(none)
    with pytest.raises(FileNotFoundError):
        read_mulan_xml(tmp_path / 'missing.xml')


def test_real_image(data_root):
    out = read_relational_arff(data_root / 'image' / 'miml_03_data.arff',
                               data_root / 'image' / 'miml_03_data.xml')
    assert (out.n_bags, out.n_labels, out.n_features, out.n_instances) == (2000, 5, 15,
                                                                           18000)
    assert out.label_names == ['desert', 'mountains', 'sea', 'sunset', 'trees']
    assert out.bag_ids[:3] == ['1', '2', '3'] and out.bag_ids[-1] == '2000'
    np.testing.assert_array_equal(out.bags[0][0, :4], [179.5, 181, 190.5, -5.25])
    np.testing.assert_array_equal(out.Y[0], [1, 0, 0, 0, 0])
    np.testing.assert_array_equal(out.Y[-1], [0, 0, 0, 0, 1])
    assert out.Y.sum() == 2472  # 1.236 labels per bag


def test_real_image_equals_scipy(data_root):
    from scipy.io import arff
    path = data_root / 'image' / 'miml_03_data.arff'
    ref, _ = arff.loadarff(path)
    out = read_relational_arff(path, n_labels=5)
    for i in range(0, 2000, 97):
        want = np.array(ref[i]['bag'].tolist(), dtype=np.float64)
        np.testing.assert_array_equal(out.bags[i], want.astype(np.float32))
        assert [int(ref[i][n]) for n in out.label_names] == out.Y[i].tolist()


def test_real_text(data_root):
    out = read_relational_arff(data_root / 'text' / 'miml_text_data.arff',
                               data_root / 'text' / 'miml_text_data.xml')
    assert (out.n_bags, out.n_labels, out.n_features, out.n_instances) == (2000, 7, 243,
                                                                           7119)
    assert out.label_names == [f'label{i}' for i in range(1, 8)]
    sizes = out.bag_sizes
    assert sizes.min() == 2 and sizes.max() == 26
    x, _ = out.concat()
    assert x.min() == 0 and x.max() == 92
    assert out.bags[0][0, 2] == 3.0


def test_large_bag_field(write_arff):
    rng = np.random.default_rng(0)
    bags = [rng.random((600, 40)), rng.random((2, 40))]  # first field > 128 KiB
    Y = np.array([[1, 0], [0, 1]])
    p, _ = write_arff(bags, Y, ['a', 'b'])
    before = csv.field_size_limit()
    out = read_relational_arff(p, n_labels=2)
    np.testing.assert_array_equal(out.bags[0], bags[0].astype(np.float32))
    assert csv.field_size_limit() == before  # the global csv setting is restored


# --- which attributes are labels: XML, n_labels, or a clear error --------------------

LAB = ('@relation t\n@attribute id {1,2}\n@attribute bag relational\n'
       '@attribute f1 numeric\n@end bag\n@attribute a {0,1}\n@attribute b {0,1}\n'
       '@data\n1,"1",0,1\n2,"2",1,0\n')


@pytest.mark.parametrize('kw,match', [
    ({}, r"which attributes are the labels\? 2 attribute\(s\) follow the bag attribute "
         r"'bag': \['a', 'b'\]\. Give the Mulan label XML .* n_labels=2 if all"),
    ({'n_labels': 3}, r"n_labels=3 but only 2 attribute\(s\) follow the bag attribute"),
    ({'n_labels': 1}, r"line 6: attribute 'a' follows the bag attribute but is not among "
                      r"the last n_labels=1"),
    ({'n_labels': 0}, r"n_labels must be a positive integer, got 0"),
    ({'n_labels': '2'}, r"n_labels must be a positive integer, got '2'"),
    ({'n_labels': True}, r"n_labels must be a positive integer, got True"),
])
def test_label_count_errors(write_arff, kw, match):
    p, _ = write_arff(None, None, None, text=LAB)
    with pytest.raises(ValueError, match=match):
        read_relational_arff(p, **kw)


def test_n_labels_reads_the_last_attributes(write_arff):
    p, _ = write_arff(None, None, None, text=LAB)
    out = read_relational_arff(p, n_labels=2)
    assert out.label_names == ['a', 'b']
    np.testing.assert_array_equal(out.Y, [[0, 1], [1, 0]])


def test_xml_missing_a_label_and_count_mismatch(write_arff, tmp_path):
    p, _ = write_arff(None, None, None, text=LAB)
    x = tmp_path / 'only_a.xml'
    x.write_text(mulan_xml(['a']))
    with pytest.raises(ValueError, match=r"toy.arff, line 7: attribute 'b' follows the bag "
                                         r"attribute but is not a label of .*only_a.xml"):
        read_relational_arff(p, x)
    x2 = tmp_path / 'ab.xml'
    x2.write_text(mulan_xml(['b', 'a']))
    with pytest.raises(ValueError, match=r"n_labels=3 but .*ab.xml names 2 labels"):
        read_relational_arff(p, x2, n_labels=3)
    assert read_relational_arff(p, x2, n_labels=2).label_names == ['b', 'a']


def test_xml_duplicate_and_nameless_labels(tmp_path):
    d = tmp_path / 'd.xml'
    d.write_text(mulan_xml(['a', 'a']))
    with pytest.raises(ValueError, match=r"label name\(s\) \['a'\] listed more than once"):
        read_mulan_xml(d)
    n = tmp_path / 'n.xml'
    n.write_text('<labels><label></label></labels>')
    with pytest.raises(ValueError, match='a <label> element has no name attribute'):
        read_mulan_xml(n)


# --- header and data errors point at the line that is wrong ---------------------------

@pytest.mark.parametrize('text,match', [
    ('@relation t\n@attribute bag relational\n@attribute f numeric\n@end other\n'
     '@attribute y {0,1}\n@data\n"1",1\n',
     r"line 4: '@end other' closes the relational attribute 'bag' of line 2; expected "
     r"'@end bag'"),
    ('@relation t\n@attribute y {0,1}\n@end bag\n@data\n',
     r"line 3: '@end' without an open relational attribute"),
    ('@relation t\n@attribute bag relational\n@attribute f numeric\n@data\n"1"\n',
     r"relational attribute 'bag' \(line 2\) has no '@end bag' before @data"),
    ('@relation t\n@attribute bag relational\n@attribute f numeric\n@end bag\n'
     '@attribute a {0,1}\n@attribute a {0,1}\n@data\n"1",1,1\n',
     r"line 6: attribute 'a' is declared twice \(first on line 5\)"),
    ('@relation t\n@attribute bag relational\n@attribute f numeric\n@end bag\n'
     '@attribute a {yes,no}\n@data\n"1",yes\n',
     r"line 5: label attribute 'a' declares the values \{yes,no\}; labels must be"),
    ('@relation t\n@attribute bag relational\n@attribute f numeric\n@end bag\n'
     '@attribute a {0,1\n@data\n"1",1\n', r"line 5: nominal attribute 'a' has no closing"),
    ('@relation t\n@attribute\n@data\n', r"line 2: cannot parse attribute declaration"),
    ('@relation t\n@attribute bag relational\n@attribute f numeric\n@end bag\n'
     '@attribute bag2 relational\n@attribute g numeric\n@end bag2\n@data\n',
     r"line 5: a second relational attribute 'bag2'"),
    ('@relation t\n@attribute bag relational\n@end bag\n@attribute a {0,1}\n@data\n',
     r"the relational attribute 'bag' declares no instance features"),
    ('@relation t\n@attribute x numeric\n@attribute y numeric\n@attribute bag relational'
     '\n@attribute f numeric\n@end bag\n@attribute a {0,1}\n@data\n',
     r"2 attributes before the bag attribute 'bag'; expected at most one"),
    ('@relation t\n@attribute bag relational\n@attribute f numeric\n@end bag\n'
     '@attribute a {0,1}\n', 'no @data section'),
])
def test_bad_header_lines(write_arff, text, match):
    p, _ = write_arff(None, None, None, text=text)
    with pytest.raises(ValueError, match=match):
        read_relational_arff(p, n_labels=1)


def _five_bags(tmp_path, edit_line=None, new=None):
    """HEAD + five data lines (file lines 10..14); optionally one line replaced."""
    data = [f'{i},"{i},{i}\\n{i}.5,0",0,1' for i in (1, 2)] + \
        ['3,"3,3",1,0', '4,"4,4\\n4,4",1,1', '5,"5,5",0,0']
    if edit_line is not None:
        data[edit_line - 10] = new
    p = tmp_path / 'five.arff'
    p.write_text(HEAD.replace('{1,2}', '{1,2,3,4,5}') + '\n'.join(data) + '\n')
    return p


@pytest.mark.parametrize('line,new,match', [
    (12, '3,"3,x",1,0', r"line 12 \(bag '3'\): non-numeric value 'x' at instance 0, "
                        r"feature 1"),
    (13, '4,"4,4\\n4",1,1', r"line 13 \(bag '4'\): instance 1 has 1 values, expected 2"),
    (11, '2,"2,2",1', r"line 11: 3 fields, expected 4"),
    (12, '3,"1e39,3",1,0', r"line 12 \(bag '3'\): feature value 1e\+39 at instance 0, "
                           r"feature 0 overflows float32"),
    (12, '3,"-1e39,3",1,0', r"overflows float32"),
    (14, '5,"5,5",,0', r"line 14 \(bag '5'\), label 'a': label value '' is not a number"),
    (11, '2,"2,2,1,0', r"line 11: malformed data line .*truncated or corrupt"),
])
def test_error_in_the_middle_names_its_line(tmp_path, line, new, match):
    assert read_relational_arff(_five_bags(tmp_path), n_labels=2).n_bags == 5
    with pytest.raises(ValueError, match=match):
        read_relational_arff(_five_bags(tmp_path, line, new), n_labels=2)


def test_not_utf8(tmp_path):
    p = tmp_path / 'latin.arff'
    p.write_bytes(HEAD.encode() + b'1,"1,2",0,1\n% caf\xe9\n')
    with pytest.raises(ValueError, match=r'latin.arff: byte \d+ is not valid UTF-8'):
        read_relational_arff(p, n_labels=2)


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(ValueError, match='expected a file, found a directory'):
        read_relational_arff(tmp_path, n_labels=2)
