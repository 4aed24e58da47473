import pickle

import torch

from gmiml.nn import RunningLabelGram


def test_running_estimate():
    g = torch.Generator().manual_seed(0)
    d1 = torch.softmax(torch.randn(7, 4, generator=g), -1)
    d2 = torch.softmax(torch.randn(5, 4, generator=g), -1)
    m = RunningLabelGram(4, momentum=0.25)
    assert str(m) == 'RunningLabelGram(4, momentum=0.25)'
    m.eval()
    assert not m(d1).any() and int(m.num_batches_tracked) == 0  # evaluation: no update
    m.train()
    torch.testing.assert_close(m(d1), d1.t() @ d1 / 7)  # the first batch is taken as is
    out = m(d2)
    torch.testing.assert_close(out, 0.75 * (d1.t() @ d1 / 7) + 0.25 * (d2.t() @ d2 / 5))
    assert int(m.num_batches_tracked) == 2
    m2 = pickle.loads(pickle.dumps(m))
    assert torch.equal(m2.gram, m.gram)
    m.reset_parameters()
    assert not m.gram.any() and int(m.num_batches_tracked) == 0


def test_old_label_enhancer_state_dict_loads():
    from gmiml.nn import LabelEnhancer
    le = LabelEnhancer(3, 0, 4, hidden_channels=8)
    le(torch.randn(6, 3), None, torch.ones(6, 4))
    sd = le.state_dict()
    old = {k.replace('running_gram.gram', 'label_gram')
           .replace('running_gram.num_batches_tracked', 'num_batches_tracked'): v
           for k, v in sd.items()}
    assert 'label_gram' in old
    fresh = LabelEnhancer(3, 0, 4, hidden_channels=8)
    fresh.load_state_dict(old)
    assert torch.equal(fresh.label_gram, le.label_gram)
    assert int(fresh.num_batches_tracked) == 1
