import numpy as np
import pytest

from gmiml.io import read_wu_protein


def test_small_files_exact(write_wu, toy):
    bags, Y = toy
    ip, lp = write_wu(bags, Y, folder='XY')
    out = read_wu_protein(ip, lp)
    assert out.name == 'XY'
    assert out.bag_ids == ['P00000', 'P00001', 'P00002']
    assert out.label_names is None
    for got, want in zip(out.bags, bags):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want.astype(np.float32))
    np.testing.assert_array_equal(out.Y, Y)
    assert 'note' not in out.meta


@pytest.mark.parametrize('kw', [dict(crlf=False), dict(trailing_tab=False),
                                dict(label_coding='01')])
def test_variants(write_wu, toy, kw):
    bags, Y = toy
    out = read_wu_protein(*write_wu(bags, Y, **kw))
    np.testing.assert_array_equal(out.Y, Y)
    np.testing.assert_array_equal(out.bags[2], bags[2].astype(np.float32))


def test_trailing_empty_header_dropped(write_wu, toy):
    bags, Y = toy
    ip, lp = write_wu(bags, Y)
    ip.write_bytes(ip.read_bytes() + b'>\r\n>\r\n')
    out = read_wu_protein(ip, lp)
    assert out.n_bags == 3
    assert "dropped 2 empty trailing '>' header(s) of the instances file" in out.meta['note']


def _edit(path, old, new, count=1):
    text = path.read_bytes().decode()
    assert old in text
    path.write_bytes(text.replace(old, new, count).encode())


@pytest.mark.parametrize('which,old,new,match', [
    # an empty header in the middle
    ('i', '>P00001\r\n', '>\r\n', r"instances.txt, line 4: empty '>' header \(no id\)"),
    # a header without instances followed by more bags
    ('i', '>P00001\r\n1.500\t0.000\t\r\n', '>P00001\r\n',
     r"line 4: record 'P00001' has no data lines"),
    ('i', '0.000\t0.125\t\r\n', '0.000\t\r\n',
     r"line 7 \(bag 'P00002'\): 1 tab-separated feature values, expected 2"),
    ('i', '0.000\t0.125\t\r\n', '0.000\t\t0.125\t\r\n', 'expected 2'),
    ('i', '1.500\t0.000', '1.500\tnan', r"line 5 \(bag 'P00001'\): non-finite feature value "
                                        r"nan at feature 1"),
    ('i', '1.500\t0.000', 'inf\t0.000', 'non-finite feature value inf'),
    ('i', '1.500\t0.000', '1.5x0\t0.000', r"non-numeric value '1.5x0' at feature column 0"),
    ('i', '>P00000\r\n', '0.1\t0.2\r\n>P00000\r\n', 'data before the first'),
    ('i', '>P00002', '>P00000', r"bag id 'P00000' appears twice"),
    ('l', '>P00001\r\n-1\t1\t1\t\r\n', '>P00001\r\n-1\t1\t\r\n',
     r"labels.txt, line 4 \(bag 'P00001'\): 2 tab-separated label values, expected 3"),
    ('l', '-1\t1\t1', '-1\t2\t1', r"line 4 \(bag 'P00001'\), label 1: label value 2 is "
                                  r"outside"),
    ('l', '-1\t1\t1', '0\t1\t1', 'mix'),
    ('l', '-1\t1\t1', '-1\tx\t1', 'non-numeric'),
    ('l', '>P00001\r\n-1\t1\t1\t\r\n', '>P00001\r\n-1\t1\t1\t\r\n-1\t1\t1\t\r\n',
     r"bag 'P00001' has 2 label rows, expected exactly 1"),
    ('l', '>P00001', '>Q99999', r"bag 1: id 'P00001' in .*instances.txt \(line 4\) but "
                                r"'Q99999'"),
])
def test_bad_input(write_wu, toy, which, old, new, match):
    bags, Y = toy
    ip, lp = write_wu(bags, Y)
    _edit(ip if which == 'i' else lp, old, new)
    with pytest.raises(ValueError, match=match):
        read_wu_protein(ip, lp)


@pytest.mark.parametrize('cut,match', [
    ('l', r"labels.txt has 2 bags but .*instances.txt has 3: .*instances.txt goes on with "
          r"bag 'P00002' \(line 6\) after the last bag of .*labels.txt \('P00001', line 3\)"),
    ('i', r"labels.txt has 3 bags but .*instances.txt has 2: .*labels.txt goes on with bag "
          r"'P00002' \(line 5\)"),
])
def test_bag_count_mismatch(write_wu, toy, cut, match):
    ip, lp = write_wu(*toy)
    short = lp if cut == 'l' else ip
    short.write_bytes(short.read_bytes().split(b'>P00002')[0])
    with pytest.raises(ValueError, match=match):
        read_wu_protein(ip, lp)


def test_truncated_after_a_header(write_wu, toy):
    ip, lp = write_wu(*toy)
    t = ip.read_bytes()
    ip.write_bytes(t[:t.index(b'>P00002') + len(b'>P00002\r\n')])
    with pytest.raises(ValueError, match="record 'P00002' has no data lines"):
        read_wu_protein(ip, lp)


def test_missing_and_empty_files(write_wu, toy, tmp_path):
    bags, Y = toy
    ip, lp = write_wu(bags, Y)
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        read_wu_protein(ip, tmp_path / 'nope.txt')
    lp.write_bytes(b'')
    with pytest.raises(ValueError, match='empty labels file'):
        read_wu_protein(ip, lp)
    lp.write_bytes(b'just text\r\n')
    with pytest.raises(ValueError, match='data before the first'):
        read_wu_protein(ip, lp)


def test_real_gs(data_root):
    out = read_wu_protein(data_root / 'GS' / 'instances.txt', data_root / 'GS' / 'labels.txt')
    assert (out.n_bags, out.n_labels, out.n_features, out.n_instances) == (379, 320, 216,
                                                                           1214)
    assert out.bag_ids[:2] == ['Q748X6', 'Q74C11']
    np.testing.assert_array_equal(out.bags[0][0, :4], [1.0, 0.5, 1.0, 0.375])
    assert out.Y[0, 24] == 1 and out.Y[0, :24].sum() == 0
    assert out.Y.sum(1).min() == 1 and out.Y.sum(0).min() == 1
    assert out.Y.sum() == 1191  # 3.142 labels per bag
    x, _ = out.concat()
    assert x.min() >= 0 and x.max() <= 1


def test_real_av_trailing_header(data_root):
    out = read_wu_protein(data_root / 'AV' / 'instances.txt', data_root / 'AV' / 'labels.txt')
    assert (out.n_bags, out.n_labels, out.n_instances) == (407, 340, 1251)
    assert out.Y.sum() == 1628  # 4.000 labels per bag
    assert 'dropped 1 empty trailing' in out.meta['note']


def _many(write_wu, n=6):
    rng = np.random.default_rng(1)
    bags = [rng.integers(0, 9, size=(2, 3)) / 8 for _ in range(n)]
    Y = np.eye(n, 3, dtype=np.uint8)
    Y[:, 0] = 1
    return write_wu(bags, Y, crlf=False, trailing_tab=False)


def _replace_line(path, lineno, new):
    lines = path.read_text().split('\n')
    lines[lineno - 1] = new
    path.write_text('\n'.join(lines))


WRONG_LINES = {  # (file, line, new content) -> what the error must say
    # the first data row is the short one: it is named, not the rows after it
    ('i', 2, '0.1\t0.2'): r"instances.txt, line 2 \(bag 'P00000'\): 2 tab-separated feature "
                          r"values, expected 3 \(as on 11 of 12 rows\)",
    ('i', 9, '0.1\t0.2\t0.3\t0.4'): r"line 9 \(bag 'P00002'\): 4 tab-separated feature",
    ('i', 12, '0.1\tx1\t0.3'): r"line 12 \(bag 'P00003'\): non-numeric value 'x1' at feature "
                               r"column 1",
    ('i', 12, '0.1\t\t0.3'): r"line 12 \(bag 'P00003'\): empty field at feature column 1",
    ('i', 6, '1e39\t0\t0'): r"line 6 \(bag 'P00001'\): feature value 1e\+39 at feature 0 "
                           r"overflows float32",
    ('i', 7, '>'): r"instances.txt, line 7: empty '>' header \(no id\) before record 2",
    ('l', 6, '1\t1'): r"labels.txt, line 6 \(bag 'P00002'\): 2 tab-separated label values",
    ('l', 8, '1\t0.5\t-1'): r"line 8 \(bag 'P00003'\), label 1: label value 0.5 is outside",
    ('l', 8, '1\tnan\t-1'): r"line 8 \(bag 'P00003'\), label 1: label value nan is outside",
    ('l', 7, '>P00009'): r"bag 3: id 'P00003' in .*instances.txt \(line 10\) but 'P00009' in "
                        r".*labels.txt \(line 7\)",
}


@pytest.mark.parametrize('edit', list(WRONG_LINES))
def test_error_names_the_wrong_line(write_wu, edit):
    files = _many(write_wu)
    assert read_wu_protein(*files).n_bags == 6
    which, line, new = edit
    _replace_line(files[which == 'l'], line, new)
    with pytest.raises(ValueError, match=WRONG_LINES[edit]):
        read_wu_protein(*files)


@pytest.mark.parametrize('content,match', [
    (b'>\r\n>\r\n', r"only empty '>' headers, no records"),
    (b'>A\r\n\x001\t2\r\n', 'contains NUL bytes'),
    (b'>A\r\n1\t\xff\r\n', r'byte 6 is not valid UTF-8'),
    (b'   \r\n\r\n', r'empty instances file'),
])
def test_broken_instances_file(write_wu, toy, content, match):
    bags, Y = toy
    ip, lp = write_wu(bags, Y)
    ip.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        read_wu_protein(ip, lp)


def test_folder_given_as_file(write_wu, toy, tmp_path):
    bags, Y = toy
    ip, _ = write_wu(bags, Y)
    with pytest.raises(ValueError, match='expected a labels file, found a directory'):
        read_wu_protein(ip, tmp_path)
