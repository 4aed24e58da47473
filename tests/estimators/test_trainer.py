import numpy as np
import pytest
import torch

from gmiml.estimators.trainer import Trainer, batch_indices, param_groups, split_validation


def test_batch_indices_merge_short_last_batch():
    chunks = batch_indices(9, 4, np.random.default_rng(0), min_size=2)
    assert [len(c) for c in chunks] == [4, 5]
    assert sorted(np.concatenate(chunks).tolist()) == list(range(9))
    assert [len(c) for c in batch_indices(10, 4, np.random.default_rng(0))] == [4, 4, 2]
    assert [len(c) for c in batch_indices(1, 4, np.random.default_rng(0))] == [1]


def test_split_validation():
    bags = [np.zeros((1, 2))] * 20
    Y = np.arange(20)[:, None]
    tr, ty, (vb, vy) = split_validation(bags, Y, None, 0.1, np.random.default_rng(0))
    assert len(tr) == 18 and len(vb) == 2
    assert sorted(np.concatenate([ty, vy])[:, 0].tolist()) == list(range(20))
    assert split_validation(bags, Y, None, 0.0, np.random.default_rng(0))[2] is None
    assert split_validation(bags[:9], Y[:9], None, 0.5, np.random.default_rng(0))[2] is None
    es = (bags[:1], Y[:1])
    assert split_validation(bags, Y, es, 0.1, None)[2] is es


def test_param_groups():
    m = torch.nn.Linear(2, 3)
    g = param_groups(m, 0.5, lambda n: n.endswith('bias'))
    assert g[0]['params'] == [m.weight] and g[0]['weight_decay'] == 0.5
    assert g[1]['params'] == [m.bias] and g[1]['weight_decay'] == 0.0


def _trainer(scores, patience, max_epochs=10):
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    x = torch.ones(4, 1)
    it = iter(scores)

    def validate():
        s = next(it)
        return {'val_s': s}, s

    def loss(b):
        out = (model(x) ** 2).mean()
        return out, {'loss': out}
    return Trainer(model, torch.optim.SGD(model.parameters(), lr=0.1),
                   batches=lambda rng: [0, 1], batch_loss=loss, validate=validate,
                   max_epochs=max_epochs, patience=patience, rng=np.random.default_rng(0))


def test_early_stopping_and_best_state():
    t = _trainer([0.1, 0.5, 0.4, 0.3, 0.2, 0.9], patience=3)
    snap = {}
    orig = t.select

    def select(epoch, score):
        orig(epoch, score)
        snap[epoch] = {k: v.clone() for k, v in t.model.state_dict().items()}
    t.select = select
    t.fit()
    assert len(t.history) == 5 and t.best_epoch == 1
    assert [h['val_s'] for h in t.history] == [0.1, 0.5, 0.4, 0.3, 0.2]
    for k, v in t.model.state_dict().items():  # the best epoch's weights are restored
        assert torch.equal(v, snap[1][k])
    assert all(h['train_loss'] >= 0 and h['train_time_s'] >= 0 for h in t.history)


def test_no_patience_runs_all_epochs():
    t = _trainer([0.5] + [0.1] * 9, patience=None).fit()
    assert len(t.history) == 10 and t.best_epoch == 0


def test_no_validation_keeps_last_epoch():
    t = _trainer([], patience=2, max_epochs=4)
    t.validate = lambda: None
    t.fit()
    assert t.best_epoch == 3 and len(t.history) == 4


def test_losses_mean_over_batches():
    t = _trainer([0.0] * 3, patience=None, max_epochs=1)
    seen = []
    f = t.batch_loss

    def loss(b):
        out, parts = f(b)
        seen.append(float(out.detach()))
        return out, parts
    t.batch_loss = loss
    t.fit()
    assert t.history[0]['train_loss'] == pytest.approx(np.mean(seen))
