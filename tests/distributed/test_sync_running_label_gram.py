import os
import sys

import torch
from torch import nn

from gmiml.distributed import (SyncRunningLabelGram, convert_sync_label_gram,
                               revert_sync_label_gram, run_parallel)
from gmiml.nn import RunningLabelGram

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _batches():
    g = torch.Generator().manual_seed(0)
    return [torch.softmax(torch.randn(n, 3, generator=g), -1) for n in (9, 5)]


def _rank_fn(rank, world_size):
    model = convert_sync_label_gram(nn.Sequential(RunningLabelGram(3)))
    assert type(model[0]) is SyncRunningLabelGram
    for d in _batches():
        model[0](d[rank::world_size])  # uneven shares (5 / 4, 3 / 2 rows)
    return model[0].gram


def test_convert_and_revert_share_buffers():
    m = RunningLabelGram(3, momentum=0.3)
    m(_batches()[0])
    s = convert_sync_label_gram(m)
    assert type(s) is SyncRunningLabelGram and s.gram is m.gram and s.momentum == 0.3
    # without a process group it is the plain statistic
    r = RunningLabelGram(3, momentum=0.3)
    r.load_state_dict(m.state_dict())
    torch.testing.assert_close(s(_batches()[1]), r(_batches()[1]), rtol=0, atol=0)
    back = revert_sync_label_gram(s)
    assert type(back) is RunningLabelGram and back.gram is s.gram


def test_two_processes_keep_the_global_estimate():
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)
    ref = RunningLabelGram(3)
    for d in _batches():
        ref(d)
    for out in run_parallel(_rank_fn, 2, backend='gloo'):
        torch.testing.assert_close(out, ref.gram, rtol=1e-6, atol=1e-7)
