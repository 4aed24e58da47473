import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist, directed_hausdorff

from gmiml.utils import hausdorff_distances


def _random_bags(rng, n, d=5, max_size=7, scale=1.0):
    # sizes include 1 on purpose (single-instance bags)
    return [(scale * rng.normal(size=(int(rng.integers(1, max_size + 1)), d)))
            .astype(np.float32) for _ in range(n)]


def _reference(A, B, variant):
    A, B = A.astype(np.float64), B.astype(np.float64)
    if variant == 'max':
        return max(directed_hausdorff(A, B)[0], directed_hausdorff(B, A)[0])
    D = np.array([[np.sqrt(((a - b) ** 2).sum()) for b in B] for a in A])
    if variant == 'avg':
        return (D.min(axis=1).sum() + D.min(axis=0).sum()) / (len(A) + len(B))
    return D.min()


def _reference_matrix(bags_a, bags_b, variant):
    return np.array([[_reference(a, b, variant) for b in bags_b] for a in bags_a])


@pytest.mark.parametrize('variant', ['max', 'avg', 'min'])
@pytest.mark.parametrize('block', [256 * 2**20, 3 * 8 * 100])  # one block / many blocks
def test_matches_brute_force_symmetric(variant, block):
    rng = np.random.default_rng(0)
    bags = _random_bags(rng, 30)
    bags[3] = bags[3][:1]  # make sure size 1 is there
    H = hausdorff_distances(bags, variant=variant, max_block_bytes=block)
    R = _reference_matrix(bags, bags, variant)
    assert H.dtype == np.float64 and H.shape == (30, 30)
    np.testing.assert_allclose(H, R, rtol=1e-9, atol=1e-9)
    assert (np.diagonal(H) == 0).all()
    np.testing.assert_array_equal(H, H.T)


@pytest.mark.parametrize('variant', ['max', 'avg', 'min'])
@pytest.mark.parametrize('block', [256 * 2**20, 3 * 8 * 144])
def test_matches_brute_force_two_sets(variant, block):
    rng = np.random.default_rng(1)
    a = _random_bags(rng, 17, max_size=6)
    b = _random_bags(rng, 11, max_size=9)
    H = hausdorff_distances(a, b, variant, max_block_bytes=block)
    assert H.shape == (17, 11)
    np.testing.assert_allclose(H, _reference_matrix(a, b, variant), rtol=1e-9, atol=1e-9)
    # swapping the arguments transposes the matrix (every variant is symmetric)
    np.testing.assert_allclose(hausdorff_distances(b, a, variant), H.T, rtol=1e-12)


def test_max_is_symmetric_not_directed():
    # A = {0}, B = {0, 10}: directed h(A,B) = 0, h(B,A) = 10; symmetric max = 10
    A = np.array([[0.0]])
    B = np.array([[0.0], [10.0]])
    assert directed_hausdorff(A, B)[0] == 0.0
    H = hausdorff_distances([A], [B], 'max')
    assert H[0, 0] == pytest.approx(10.0)
    assert hausdorff_distances([A], [B], 'avg')[0, 0] == pytest.approx(10.0 / 3)
    assert hausdorff_distances([A], [B], 'min')[0, 0] == pytest.approx(0.0)


def test_float32_and_far_from_origin():
    # large offset: the centring keeps the ||a||^2 + ||b||^2 - 2ab expansion accurate
    rng = np.random.default_rng(2)
    bags = _random_bags(rng, 20, d=8, scale=0.01)
    bags = [b + np.float32(100.0) for b in bags]
    R = _reference_matrix(bags, bags, 'max')
    np.testing.assert_allclose(hausdorff_distances(bags), R, rtol=1e-6, atol=1e-8)
    H32 = hausdorff_distances(bags, dtype=torch.float32)
    assert H32.dtype == np.float64
    np.testing.assert_allclose(H32, R, rtol=1e-2, atol=1e-4)


def test_accepts_tensors_and_aliases():
    rng = np.random.default_rng(3)
    bags = _random_bags(rng, 6)
    H = hausdorff_distances([torch.from_numpy(b) for b in bags], variant='average')
    np.testing.assert_allclose(H, hausdorff_distances(bags, variant='avg'))


def test_variants_are_ordered():
    rng = np.random.default_rng(4)
    bags = _random_bags(rng, 12)
    hmin, havg, hmax = (hausdorff_distances(bags, variant=v) for v in ('min', 'avg', 'max'))
    assert (hmin <= havg + 1e-12).all() and (havg <= hmax + 1e-12).all()


@pytest.mark.parametrize('kwargs,match', [
    ({'variant': 'median'}, 'unknown Hausdorff variant'),
    ({'max_block_bytes': 10}, 'too small'),
])
def test_bad_options(kwargs, match):
    bags = [np.ones((3, 2)), np.zeros((2, 2))]
    with pytest.raises(ValueError, match=match):
        hausdorff_distances(bags, **kwargs)


@pytest.mark.parametrize('a,b,match', [
    ([np.ones((2, 3)), np.ones((0, 3))], None, r'bags_a\[1\]: empty bag'),
    ([np.ones((2, 3))], [np.ones((2, 4))], r'bags_b\[0\]: has 4 features'),
    ([np.array([[np.nan, 1.0]])], None, 'non-finite'),
    ([], None, 'no bags'),
])
def test_bad_bags(a, b, match):
    with pytest.raises(ValueError, match=match):
        hausdorff_distances(a, b)


@pytest.mark.real_data
def test_real_protein_bags_match_scipy(data_root):
    from gmiml.datasets import load_bags

    bags = load_bags('GS', root=data_root).bags[:40]
    H = hausdorff_distances(bags, variant='max')
    np.testing.assert_allclose(H, _reference_matrix(bags, bags, 'max'), rtol=1e-9,
                               atol=1e-9)
