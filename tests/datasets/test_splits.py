import numpy as np
import pytest

from gmiml.datasets import (iterative_stratification, kfold_split, load_bags,
                            make_synthetic_miml, train_val_test_split)
from gmiml.datasets.splits import _repair_train


def _sparse_labels(n=300, L=150, seed=0):
    """Many rare labels (1-4 positives each) plus a few frequent ones."""
    rng = np.random.default_rng(seed)
    Y = np.zeros((n, L), dtype=np.uint8)
    for lab in range(L):
        k = rng.integers(1, 5) if lab >= 5 else n // 3
        Y[rng.choice(n, size=k, replace=False), lab] = 1
    Y[Y.sum(1) == 0, 0] = 1
    return Y


def _missing_in_train(Y, train, min_pos=1):
    pos = Y.sum(0)
    return int(((Y[train].sum(0) == 0) & (pos >= min_pos)).sum())


def test_sizes_partition_and_determinism():
    Y = _sparse_labels()
    tr, va, te = train_val_test_split(Y, seed=3)
    assert (len(tr), len(va), len(te)) == (210, 30, 60)
    allidx = np.concatenate([tr, va, te])
    assert sorted(allidx.tolist()) == list(range(300))
    assert all(a.dtype == np.int64 and np.all(np.diff(a) > 0) for a in (tr, va, te))
    again = train_val_test_split(Y, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((tr, va, te), again))
    other = train_val_test_split(Y, seed=4)
    assert not np.array_equal(tr, other[0])


def test_every_label_has_a_train_positive():
    Y = _sparse_labels()
    for seed in range(3):
        tr, _, _ = train_val_test_split(Y, seed=seed)
        assert _missing_in_train(Y, tr) == 0
    # a plain random split of the same size loses many labels (the test can fail)
    perm = np.random.default_rng(0).permutation(300)
    assert _missing_in_train(Y, perm[:210]) > 10


def test_stratification_keeps_label_shares():
    b = make_synthetic_miml(2000, n_labels=8, random_state=0)
    tr, va, te = train_val_test_split(b, seed=0)
    freq = b.Y.mean(0)
    for part in (tr, va, te):
        assert np.abs(b.Y[part].mean(0) - freq).max() < 0.02


def test_repair_moves_and_keeps_sizes():
    Y = np.array([[1, 0], [1, 0], [1, 0], [1, 1], [0, 1], [1, 0]], dtype=np.uint8)
    part = np.array([0, 0, 0, 1, 2, 0])  # label 1 only in val/test
    out = _repair_train(Y, part, np.random.default_rng(0))
    assert Y[out == 0, 1].sum() >= 1
    assert np.bincount(out, minlength=3).tolist() == [4, 1, 1]
    assert Y[out == 0, 0].sum() >= 1


def test_iterative_stratification_exact_sizes():
    Y = _sparse_labels(n=101, L=30, seed=1)
    part = iterative_stratification(Y, [0.5, 0.3, 0.2], seed=0)
    # 50.5, 30.3, 20.2 -> largest remainder gives the spare bag to the first part
    assert np.bincount(part).tolist() == [51, 30, 20]


@pytest.mark.parametrize('kw,match', [
    (dict(ratios=(0.7, 0.2)), 'ratios'), (dict(ratios=(0.5, 0.1, 0.2)), 'summing'),
    (dict(ratios=(0.0, 0.5, 0.5)), 'train > 0'), (dict(ratios=(1.1, -0.1, 0.0)), '>= 0'),
])
def test_bad_ratios(kw, match):
    with pytest.raises(ValueError, match=match):
        train_val_test_split(np.eye(5, dtype=np.uint8), **kw)


def test_too_few_bags_and_bad_labels():
    with pytest.raises(ValueError, match='cannot split 2 bag'):
        train_val_test_split(np.eye(2, dtype=np.uint8))
    with pytest.raises(ValueError, match='outside'):
        train_val_test_split(np.full((5, 2), 3))
    with pytest.raises(ValueError, match='n_splits'):
        kfold_split(np.eye(5, dtype=np.uint8), n_splits=1)
    with pytest.raises(ValueError, match='cannot make 5 folds of 3'):
        kfold_split(np.eye(3, dtype=np.uint8))


def test_kfold():
    Y = _sparse_labels()
    folds = kfold_split(Y, n_splits=5, seed=0)
    tests = [te for _, te in folds]
    assert sorted(np.concatenate(tests).tolist()) == list(range(300))
    assert {len(te) for te in tests} == {60}
    for tr, te in folds:
        assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == 300
        assert _missing_in_train(Y, tr, min_pos=2) == 0
    again = kfold_split(Y, n_splits=5, seed=0)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))


def test_real_gs(data_root):
    Y = load_bags('GS', root=data_root).Y
    tr, va, te = train_val_test_split(Y, seed=0)
    assert (len(tr), len(va), len(te)) == (265, 38, 76)
    assert _missing_in_train(Y, tr, min_pos=2) == 0
    assert _missing_in_train(Y, tr, min_pos=1) == 0
    for tr, _ in kfold_split(Y, 5, seed=0):
        assert _missing_in_train(Y, tr, min_pos=2) == 0
