import numpy as np
import pytest
from scipy.io import savemat

from gmiml.datasets import make_synthetic_ldl
from gmiml.io import LDLData, read_ldl_mat


@pytest.fixture
def ldl():
    return make_synthetic_ldl(30, 5, 4, random_state=0)


def _write(tmp_path, name='d.mat', **variables):
    p = tmp_path / name
    savemat(p, variables)
    return p


@pytest.mark.parametrize('fkey, dkey', [('features', 'label_distribution'),
                                        ('X', 'D'), ('data', 'labels'),
                                        ('Features', 'Label_Distribution')])
def test_common_key_names(tmp_path, ldl, fkey, dkey):
    X, D = ldl
    p = _write(tmp_path, **{fkey: X.astype(np.float32), dkey: D.astype(np.float32),
                            'logical_label': (D > 0.3).astype(float)})
    d = read_ldl_mat(p)
    assert isinstance(d, LDLData) and (d.features_key, d.distributions_key) == (fkey, dkey)
    np.testing.assert_allclose(d.X, X, rtol=1e-6)
    np.testing.assert_allclose(d.D, D, atol=1e-6)
    assert d.X.dtype == d.D.dtype == np.float64
    np.testing.assert_allclose(d.D.sum(1), 1, atol=1e-12)
    assert 'LDLData(' in repr(d) and fkey in repr(d)


def test_user_named_keys(tmp_path, ldl):
    X, D = ldl
    p = _write(tmp_path, feats=X, dist=D, features=np.zeros((30, 2)))
    d = read_ldl_mat(p, features='feats', distributions='dist')
    np.testing.assert_array_equal(d.X, X)
    with pytest.raises(KeyError, match=r"d.mat: no variable 'nope' \(given as "
                       r"distributions= .*the file holds: feats \(30, 5\)"):
        read_ldl_mat(p, distributions='nope')
    with pytest.raises(KeyError, match=r"no label-distribution variable found .*name it "
                                       r"with distributions="):
        read_ldl_mat(p)
    with pytest.raises(ValueError, match="same variable 'feats'"):
        read_ldl_mat(p, features='feats', distributions='feats')


@pytest.mark.parametrize('change, match', [
    (lambda X, D: (X, D * 1.5), r"'label_distribution' \(label distributions\): row 0 "
                                r"sums to 1.5"),
    (lambda X, D: (X, np.c_[D[:, :-1] + D[:, -1:] + 0.1, -0.1 * np.ones(len(D))]),
     r"negative value -0.1 at row 0, column 3"),
    (lambda X, D: (np.where(np.arange(5) == 2, np.nan, X), D),
     r"'features' \(features\): non-finite value nan at row 0, column 2"),
    (lambda X, D: (X, np.where(np.arange(4) == 1, np.nan, D)),
     r"non-finite value nan at row 0, column 1"),
    (lambda X, D: (X[:20], D), r"has shape \(30, 4\) but the features 'features' have 20"),
    (lambda X, D: (X, D.T), r"transposed\?"),
    (lambda X, D: (X, np.array(['a', 'b'], dtype=object)), r"holds object data"),
])
def test_bad_content(tmp_path, ldl, change, match):
    X, D = change(*ldl)
    p = _write(tmp_path, features=X, label_distribution=D)
    with pytest.raises(ValueError, match=match) as e:
        read_ldl_mat(p)
    assert str(p) in str(e.value)


def test_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.mat: label-distribution .mat '
                                                'file not found'):
        read_ldl_mat(tmp_path / 'missing.mat')
    (tmp_path / 'empty.mat').write_bytes(b'')
    with pytest.raises(ValueError, match='empty.mat: empty .mat file'):
        read_ldl_mat(tmp_path / 'empty.mat')
    (tmp_path / 'junk.mat').write_bytes(b'not a mat file at all' * 20)
    with pytest.raises(ValueError, match='junk.mat: cannot read as a MATLAB .mat file'):
        read_ldl_mat(tmp_path / 'junk.mat')


@pytest.mark.real_data
@pytest.mark.parametrize('name, shape, relevant', [('sj', (213, 243, 6), 2.70),
                                                   ('ns', (2000, 294, 9), 1.89)])
def test_real_ldl_files(data_root, name, shape, relevant):
    from gmiml.utils import logical_from_distribution

    p = data_root / 'ldl' / f'{name}.mat'
    if not p.is_file():
        pytest.skip(f'{p} not present (the LDL files are optional)')
    d = read_ldl_mat(p)
    assert d.X.shape + d.D.shape[1:] == shape
    L = logical_from_distribution(d.D)
    # the protocol's numbers, quoted to 2 digits by the reference README (sj: 574/213 =
    # 2.695, ns: 3781/2000 = 1.8905)
    assert L.sum(1).mean() == pytest.approx(relevant, abs=0.006)
