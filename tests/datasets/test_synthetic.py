import numpy as np
import pytest

from gmiml.datasets import make_synthetic_miml


def test_shapes_and_types():
    b = make_synthetic_miml(300, n_labels=7, n_features=5, instances_per_bag=(2, 6),
                            random_state=0)
    assert (b.n_bags, b.n_labels, b.n_features) == (300, 7, 5)
    assert all(x.dtype == np.float32 for x in b.bags) and b.Y.dtype == np.uint8
    sizes = b.bag_sizes
    assert sizes.min() >= 2 and sizes.max() <= 6 and len(set(sizes.tolist())) == 5
    assert b.Y.sum(1).min() >= 1
    assert b.Y.sum(0).min() > 0
    kinds = [r[0] for r in b.meta['label_rules']]
    assert kinds.count('pair') == 2 and kinds.count('single') == 5
    assert [n.startswith(k) for n, k in zip(b.label_names, kinds)] == [True] * 7


def test_deterministic():
    a = make_synthetic_miml(50, random_state=1)
    b = make_synthetic_miml(50, random_state=1)
    c = make_synthetic_miml(50, random_state=2)
    assert np.array_equal(a.Y, b.Y) and all(np.array_equal(x, y)
                                            for x, y in zip(a.bags, b.bags))
    assert not np.array_equal(a.Y, c.Y)


def test_planted_rules_explain_labels():
    b = make_synthetic_miml(500, n_labels=6, pair_fraction=0.5, random_state=3)
    types = b.meta['instance_type']
    sizes = b.bag_sizes
    bag_of = np.repeat(np.arange(b.n_bags), sizes)
    K = len(b.meta['prototypes'])
    P = np.zeros((b.n_bags, K), dtype=bool)
    P[bag_of, types] = True
    only_half = 0
    for j, rule in enumerate(b.meta['label_rules']):
        if rule[0] == 'single':
            want = P[:, rule[1]]
        else:
            want = P[:, rule[1]] & P[:, rule[2]]
            only_half += int((P[:, rule[1]] & ~P[:, rule[2]]).sum())
            assert not np.any(b.Y[P[:, rule[1]] & ~P[:, rule[2]], j])
        np.testing.assert_array_equal(b.Y[:, j].astype(bool), want)
    assert only_half > 0  # a pair label needs both types: one alone does not trigger it
    # background types trigger nothing
    bg = set(b.meta['background_types'].tolist())
    assert bg and all(r[1] not in bg for r in b.meta['label_rules'])


def test_instances_around_their_prototype():
    b = make_synthetic_miml(400, n_features=30, noise=0.2, random_state=4)
    x, _ = b.concat()
    mu = b.meta['prototypes'][b.meta['instance_type']]
    dist = np.linalg.norm(x - mu, axis=1)
    assert abs(dist.mean() - 0.2 * np.sqrt(30)) < 0.05
    # nearest prototype recovers the type
    d2 = ((x[:, None, :] - b.meta['prototypes'][None]) ** 2).sum(-1)
    assert (d2.argmin(1) == b.meta['instance_type']).mean() > 0.99


def test_label_noise_and_no_empty_bags():
    b = make_synthetic_miml(1000, label_noise=0.1, random_state=5)
    flipped = (b.Y != b.meta['Y_clean']).mean()
    assert 0.08 < flipped < 0.12
    assert b.Y.sum(1).min() >= 1 and b.meta['Y_clean'].sum(1).min() >= 1


def test_single_instance_bags_have_no_pair_labels():
    b = make_synthetic_miml(100, n_labels=4, instances_per_bag=1, pair_fraction=1.0,
                            random_state=6)
    assert set(b.bag_sizes.tolist()) == {1}
    assert all(r[0] == 'single' for r in b.meta['label_rules'])
    assert b.Y.sum(1).min() >= 1


def test_large():
    b = make_synthetic_miml(100_000, n_labels=10, n_features=8, random_state=0)
    assert b.n_bags == 100_000 and b.Y.sum(1).min() >= 1
    assert b.n_instances == len(b.meta['instance_type'])


@pytest.mark.parametrize('kw,match', [
    (dict(n_bags=0), 'n_bags'), (dict(n_labels=0), 'n_labels'),
    (dict(instances_per_bag=(5, 2)), 'min <= max'), (dict(instances_per_bag=0), 'positive'),
    (dict(noise=-1), 'noise'), (dict(pair_fraction=2), 'pair_fraction'),
    (dict(background_prob=1.0), 'background_prob'),
])
def test_bad_args(kw, match):
    with pytest.raises(ValueError, match=match):
        make_synthetic_miml(**kw)
