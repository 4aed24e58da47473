"""benchmarks/perf/bench_training.py: the sparse-against-dense comparison runs whatever
the estimator's defaults are (the dense baseline re-implements the network without the
bag graph, so the comparison trains the paper preset's network)."""
import sys

import pytest

from conftest import BENCH

sys.path.insert(0, str(BENCH / 'perf'))
import bench_training as BT  # noqa: E402


@pytest.mark.parametrize('preset', ['default', 'paper'])
def test_compare_runs_and_both_layouts_agree(preset):
    cfg = dict(n_bags=300, n=[1, 6], d=5, L=3, epochs=1, group='compare', label='t',
               preset=preset)
    dense = BT.worker(dict(cfg, path='dense'), 1)
    sparse = BT.worker(dict(cfg, path='sparse'), 1)
    assert dense['same_outputs'] is True
    assert dense['bags'] == sparse['bags'] == 300 and sparse['train_bags_per_s'] > 0
