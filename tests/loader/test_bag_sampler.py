import numpy as np
import pytest

from gmiml.loader import BagSampler, shard_batch


def test_shard_batch_round_robin_and_weights():
    idx = np.array([7, 3, 9, 1, 4])
    parts = [shard_batch(idx, r, 2) for r in range(2)]
    np.testing.assert_array_equal(parts[0][0], [7, 9, 4])
    np.testing.assert_array_equal(parts[1][0], [3, 1])
    assert parts[0][1] == pytest.approx(2 * 3 / 5) and parts[1][1] == pytest.approx(0.8)
    # weighted mean of the local means = the global mean
    loss = np.array([0.5, 2.0, 1.0, 4.0, 3.0])
    pos = {b: i for i, b in enumerate(idx)}
    avg = np.mean([w * loss[[pos[b] for b in loc]].mean() for loc, w in parts])
    assert avg == pytest.approx(loss.mean())
    local, w = shard_batch([1, 2, 3, 4], 1, 2)
    np.testing.assert_array_equal(local, [2, 4])
    assert w == 1.0


def test_shard_batch_errors():
    with pytest.raises(ValueError, match='cannot be shared'):
        shard_batch([1], 0, 2)
    with pytest.raises(ValueError, match='rank'):
        shard_batch([1, 2], 2, 2)
    with pytest.raises(ValueError, match='world_size'):
        shard_batch([1, 2], 0, 0)


@pytest.mark.parametrize('n,bs,R', [(103, 16, 2), (100, 25, 4), (9, 4, 3), (5, 5, 2)])
def test_sampler_shards_are_disjoint_and_cover(n, bs, R):
    samplers = [BagSampler(n, bs, num_replicas=R, rank=r, seed=3)
                for r in range(R)]
    for epoch in range(2):
        for s in samplers:
            s.set_epoch(epoch)
        per_rank = [list(s) for s in samplers]
        assert len({len(p) for p in per_rank}) == 1  # equal numbers of steps
        assert len(per_rank[0]) == len(samplers[0])
        globals_ = samplers[0].global_batches()
        seen = []
        for t, g in enumerate(globals_):
            union = np.concatenate([per_rank[r][t][0] for r in range(R)])
            np.testing.assert_array_equal(np.sort(union), np.sort(g))
            assert all(per_rank[r][t][0].size >= 1 for r in range(R))
            seen.append(union)
        np.testing.assert_array_equal(np.sort(np.concatenate(seen)), np.arange(n))
    # a new epoch gives a new permutation; the same seed and epoch the same one
    s = BagSampler(n, bs, num_replicas=R, rank=0, seed=3)
    s.set_epoch(0)
    first = np.concatenate(s.global_batches())
    s.set_epoch(1)
    assert not np.array_equal(first, np.concatenate(s.global_batches()))
    s.set_epoch(0)
    np.testing.assert_array_equal(first, np.concatenate(s.global_batches()))


def test_sampler_last_batch_merged_and_no_shuffle():
    s = BagSampler(10, 4, num_replicas=3, rank=0, shuffle=False)
    sizes = [g.size for g in s.global_batches()]
    assert sizes == [4, 6]  # the last 2 bags would leave a process without a bag
    np.testing.assert_array_equal(np.concatenate(s.global_batches()), np.arange(10))
    assert 'num_replicas=3' in repr(s)


def test_sampler_defaults_without_process_group_and_errors():
    s = BagSampler(10, 4)
    assert s.num_replicas == 1 and s.rank == 0
    assert sum(loc.size for loc, w in s) == 10 and all(w == 1.0 for _, w in s)
    with pytest.raises(ValueError, match='global batch_size'):
        BagSampler(10, 1, num_replicas=2, rank=0)
    with pytest.raises(ValueError, match='cannot be shared'):
        BagSampler(1, 4, num_replicas=2, rank=0)
    with pytest.raises(ValueError, match='rank'):
        BagSampler(10, 4, num_replicas=2, rank=5)


def test_single_process_gives_whole_batches():
    s = BagSampler(10, 4, num_replicas=1, rank=0, seed=1, min_size=2)
    batches = list(s)
    assert [(b.size, w) for b, w in batches] == [(4, 1.0), (4, 1.0), (2, 1.0)]  # 2 >= min_size
    assert sorted(np.concatenate([b for b, _ in batches]).tolist()) == list(range(10))
    s2 = BagSampler(9, 4, num_replicas=1, rank=0, seed=1, min_size=2)
    assert [b.size for b, _ in s2] == [4, 5]  # a last batch of 1 bag is merged
