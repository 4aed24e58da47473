import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from gmiml import GLEMIMLClassifier
from gmiml.datasets import make_synthetic_miml
from gmiml.metrics import hamming_loss, mean_average_precision, ranking_loss
from gmiml.nn.conv import InstanceInteraction

FAST = dict(hidden_channels=32, enhancer_channels=32, max_epochs=40, patience=15,
            lr=3e-3)


@pytest.fixture(scope='module')
def data():
    d = make_synthetic_miml(n_bags=400, n_labels=6, n_features=10,
                            instances_per_bag=(2, 6), random_state=0)
    return d.bags[:250], d.Y[:250], d.bags[250:320], d.Y[250:320], d.bags[320:], d.Y[320:]


@pytest.fixture(scope='module')
def fitted(data):
    bags, Y, vb, vy, *_ = data
    return GLEMIMLClassifier(random_state=0, **FAST).fit(bags, Y, eval_set=(vb, vy))


def test_learns_planted_structure(data, fitted):
    bags, Y, _, _, bt, yt = data
    S = fitted.decision_function(bt)
    assert S.shape == yt.shape and S.dtype == np.float64
    freq = np.tile(Y.mean(0), (len(bt), 1))
    assert ranking_loss(yt, S) < 0.1
    assert ranking_loss(yt, S) < 0.3 * ranking_loss(yt, freq)
    assert mean_average_precision(yt, S) > mean_average_precision(yt, freq) + 0.4
    P = fitted.predict_proba(bt)
    assert ((P > 0) & (P < 1)).all()
    np.testing.assert_allclose(P, 1 / (1 + np.exp(-S)), rtol=1e-10)
    pred = fitted.predict(bt)
    t = fitted.threshold_  # threshold='auto': one per label, chosen on validation
    assert t.shape == (yt.shape[1], ) and ((t > 0) & (t < 1)).all()
    np.testing.assert_array_equal(pred, (P >= t).astype(np.uint8))
    assert hamming_loss(yt, pred) < 0.12
    np.testing.assert_array_equal(fitted.predict(bt, threshold=0.9), (P > 0.9))
    h = fitted.history_
    assert 0 <= fitted.best_epoch_ < len(h) <= FAST['max_epochs']
    for key in ('train_loss', 'train_L_LC', 'train_L_DC', 'train_L_CL', 'train_L_Sim',
                'train_L_threshold', 'val_hamming_loss', 'val_ranking_loss',
                'val_criterion'):
        assert key in h[0], key
    assert h[-1]['train_loss'] < h[0]['train_loss']


@pytest.fixture(scope='module')
def fitted_no_bag_graph(data):
    bags, Y, vb, vy, *_ = data
    return GLEMIMLClassifier(random_state=0, bag_graph=None, **FAST).fit(
        bags, Y, eval_set=(vb, vy))


def test_enhancer_puts_more_mass_on_relevant_labels(data, fitted, fitted_no_bag_graph):
    # The enhancer as the paper trains it (no bag graph: the classifier trains for many
    # epochs). With the bag graph the selected epoch can be the first one (the
    # propagated labels already carry the ranking), and the enhancer of that epoch has
    # seen one epoch of training: its distribution still has to sum to 1.
    _, _, _, _, bt, yt = data
    D0 = fitted.label_distribution(bt, yt)
    np.testing.assert_allclose(D0.sum(1), 1.0, rtol=1e-9)
    D = fitted_no_bag_graph.label_distribution(bt, yt)
    assert D.shape == yt.shape
    np.testing.assert_allclose(D.sum(1), 1.0, rtol=1e-9)
    assert (D >= 0).all()
    pos = (D * yt).sum(1) / yt.sum(1)
    neg = (D * (1 - yt)).sum(1) / np.maximum((1 - yt).sum(1), 1)
    assert (pos > neg).mean() > 0.95
    assert pos.mean() > 5 * neg.mean()
    with pytest.raises(ValueError, match='label columns'):
        fitted.label_distribution(bt, yt[:, :3])


def test_bag_alone_equals_bag_in_batch(data, fitted):
    bt = data[4]
    S = fitted.decision_function(bt[:20])
    for i in (0, 7, 19):
        np.testing.assert_allclose(fitted.decision_function([bt[i]])[0], S[i], atol=1e-5)


def test_same_seed_same_model_and_save_load(data, tmp_path):
    bags, Y, *_, bt, _ = data
    p = dict(FAST, max_epochs=4)
    a = GLEMIMLClassifier(random_state=3, **p).fit(bags[:120], Y[:120])
    b = GLEMIMLClassifier(random_state=3, **p).fit(bags[:120], Y[:120])
    c = GLEMIMLClassifier(random_state=4, **p).fit(bags[:120], Y[:120])
    Sa = a.decision_function(bt)
    np.testing.assert_array_equal(Sa, b.decision_function(bt))
    assert not np.allclose(Sa, c.decision_function(bt))
    def untimed(h):  # everything but the wall time of the epochs
        return [{k: v for k, v in rec.items() if k != 'train_time_s'} for rec in h]
    assert untimed(a.history_) == untimed(b.history_)
    assert all(rec['train_time_s'] > 0 for rec in a.history_)
    path = tmp_path / 'glemiml.pt'
    a.save(path)
    r = GLEMIMLClassifier.load(path)
    np.testing.assert_array_equal(r.decision_function(bt), Sa)
    np.testing.assert_array_equal(r.predict(bt), a.predict(bt))
    assert r.get_params() == a.get_params()
    assert r.history_ == a.history_ and r.best_epoch_ == a.best_epoch_
    bad = tmp_path / 'bad.pt'
    bad.write_bytes(b'not a model')
    with pytest.raises(ValueError, match='not a file written by gmiml'):
        GLEMIMLClassifier.load(bad)
    torch.save({'x': 1}, tmp_path / 'other.pt')
    with pytest.raises(ValueError, match="has format None, expected 'gmiml.GLEMIMLClassifier/1'"):
        GLEMIMLClassifier.load(tmp_path / 'other.pt')


def test_params_clone():
    est = GLEMIMLClassifier(classifier_layers=3, betas=(0.5, 0.25, 0.25), rho=0.7)
    c = clone(est)
    assert c.get_params() == est.get_params()
    c.set_params(interaction=False)
    assert c.interaction is False and est.interaction is True
    assert not hasattr(c, 'model_')


@pytest.mark.parametrize('kwargs,check', [
    ({'classifier_layers': 1}, lambda m: len(m.classifier.lins) == 1),     # GLEMIML-A
    ({'classifier_layers': 3}, lambda m: len(m.classifier.lins) == 3),     # GLEMIML-B
    ({'interaction': False},                                               # GLEMIML-C
     lambda m: m.conv is None and not any(isinstance(x, InstanceInteraction)
                                          for x in m.modules())),
    ({'enhancement': False}, lambda m: m.enhancer is None),
    ({'graph': 'embedding', 'share_encoder': False},
     lambda m: m.graph == 'embedding' and m.enhancer_conv is not None),
])
def test_ablation_switches(data, kwargs, check):
    bags, Y, *_, bt, yt = data
    est = GLEMIMLClassifier(random_state=0, **dict(FAST, max_epochs=2), **kwargs)
    est.fit(bags[:80], Y[:80])
    assert check(est.model_)
    assert est.decision_function(bt).shape == yt.shape
    if kwargs.get('enhancement') is False:
        assert 'train_L_DC' not in est.history_[0]
        with pytest.raises(ValueError, match='enhancement=False'):
            est.label_distribution(bt, yt)


def test_validation_split_and_threshold(data):
    bags, Y, *_ = data
    est = GLEMIMLClassifier(random_state=0, threshold='val', **dict(FAST, max_epochs=3))
    est.fit(bags[:100], Y[:100])
    assert 'val_criterion' in est.history_[0]
    assert 0 < est.threshold_ < 1
    est = GLEMIMLClassifier(random_state=0, validation_fraction=0.0,
                            **dict(FAST, max_epochs=3)).fit(bags[:100], Y[:100])
    assert 'val_criterion' not in est.history_[0]
    assert est.best_epoch_ == 2 and est.threshold_ == 0.5


def test_all_zero_label_column_warns_and_gets_low_scores(data):
    bags, Y, *_, bt, _ = data
    Y = Y.copy()
    Y[:, 2] = 0
    with pytest.warns(UserWarning, match=r'\[2\].*no positive'):
        est = GLEMIMLClassifier(random_state=0, **FAST).fit(bags, Y)
    P = est.predict_proba(bt)
    assert P[:, 2].max() < 0.2
    assert est.predict(bt)[:, 2].sum() == 0


def test_bad_input(data, fitted):
    bags, Y, *_ = data
    with pytest.raises(NotFittedError):
        GLEMIMLClassifier().predict(bags)
    with pytest.raises(ValueError, match='features'):
        fitted.predict([np.zeros((2, 3), np.float32)])
    with pytest.raises(ValueError, match='empty bag'):
        fitted.predict([np.zeros((0, 10), np.float32)])
    with pytest.raises(ValueError, match='non-finite'):
        fitted.decision_function([np.full((2, 10), np.nan, np.float32)])
    est = GLEMIMLClassifier(max_epochs=1)
    with pytest.raises(ValueError, match='rows'):
        est.fit(bags, Y[:-1])
    Y2 = Y.astype(int).copy()
    Y2[0, 0] = 2
    with pytest.raises(ValueError, match='label value 2'):
        est.fit(bags, Y2)
    with pytest.raises(ValueError, match='inf'):
        bad = [b.copy() for b in bags[:20]]
        bad[3][0, 0] = np.inf
        est.fit(bad, Y[:20])
    with pytest.raises(ValueError, match='at least 2 training bags'), \
            warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the single bag leaves label columns empty
        est.fit(bags[:1], Y[:1])
    with pytest.raises(ValueError, match='eval_set'):
        est.fit(bags, Y, eval_set=(bags[:5], Y[:5, :2]))
    for params, msg in [({'classifier_layers': 4}, 'classifier_layers'),
                        ({'betas': (0.5, 0.5, 0.5)}, 'betas'),
                        ({'rho': -0.1}, 'rho'),
                        ({'threshold': 'best'}, 'threshold'),
                        ({'graph': 'knn'}, 'graph'),
                        ({'selection_metric': 'foo'}, 'selection_metric'),
                        ({'device': 'tpu9'}, 'device'),
                        ({'distributed': 'yes'}, 'distributed')]:
        with pytest.raises(ValueError, match=msg):
            GLEMIMLClassifier(**params).fit(bags[:20], Y[:20])
    with pytest.raises(ValueError, match='threshold'):
        fitted.predict(bags[:3], threshold=1.5)


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the error without CUDA')
def test_cuda_device_without_cuda_is_a_clear_error(data):
    bags, Y, *_ = data
    with pytest.raises(ValueError, match='CUDA is not available'):
        GLEMIMLClassifier(device='cuda', max_epochs=1).fit(bags[:20], Y[:20])


def test_device_auto_trains_where_it_says(data):
    bags, Y, *_ = data
    kw = dict(hidden_channels=8, enhancer_channels=8, max_epochs=2, random_state=0)
    auto = GLEMIMLClassifier(device='auto', **kw).fit(bags[:60], Y[:60])
    want = 'cuda' if torch.cuda.is_available() else 'cpu'
    assert next(auto.model_.parameters()).device.type == want
    if want == 'cpu':  # the same computation as device='cpu'
        cpu = GLEMIMLClassifier(device='cpu', **kw).fit(bags[:60], Y[:60])
        np.testing.assert_array_equal(auto.decision_function(bags[60:80]),
                                      cpu.decision_function(bags[60:80]))


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_outputs_are_numpy(data):
    """Regression (#10): label_distribution on CUDA moved its result to the CPU."""
    bags, Y, *_ = data
    est = GLEMIMLClassifier(device='cuda', hidden_channels=8, enhancer_channels=8,
                            max_epochs=2, random_state=0).fit(bags[:60], Y[:60])
    D = est.label_distribution(bags[60:80], Y[60:80])
    assert isinstance(D, np.ndarray) and np.allclose(D.sum(1), 1)
    assert est.predict_proba(bags[60:80]).shape == Y[60:80].shape


def test_chunked_standardisation_equals_numpy(data, monkeypatch):
    """mean_/scale_ and the standardised instances, computed chunk by chunk without a
    float64 copy of the data, equal numpy's whole-array float64 computation."""
    bags, *_ = data
    monkeypatch.setattr(GLEMIMLClassifier, '_CHUNK_ROWS', 7)  # many uneven chunks
    est = GLEMIMLClassifier()
    est._fit_scaler(bags)
    x = np.concatenate(bags).astype(np.float64)
    np.testing.assert_allclose(est.mean_, x.mean(0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(est.scale_, x.std(0), rtol=1e-12)
    z = est._standardize(bags)
    assert z.dtype == np.float32 and z.shape == x.shape
    np.testing.assert_allclose(z, (x - est.mean_) / est.scale_, rtol=1e-6, atol=1e-6)
    assert bags[0].dtype == np.float32 and not np.shares_memory(z, bags[0])


def test_integer_dropout_is_accepted(data):
    bags, Y, *_ = data
    est = GLEMIMLClassifier(dropout=0, hidden_channels=8, enhancer_channels=8,
                            max_epochs=1, random_state=0).fit(bags[:40], Y[:40])
    assert est.model_.dropout == 0.0


def test_checkpoint_resume_equals_uninterrupted_run(data, tmp_path):
    """A run stopped after 2 epochs and resumed to 5 from its checkpoint ends exactly as
    an uninterrupted 5-epoch run (weights, history, selected epoch): the network,
    optimiser, both random generators (batch order, dropout) and the model selection
    are restored."""
    bags, Y, vb, vy, bt, _ = data
    p = dict(hidden_channels=16, enhancer_channels=16, random_state=1, patience=None)
    ref = GLEMIMLClassifier(max_epochs=5, **p).fit(bags, Y, eval_set=(vb, vy))
    path = tmp_path / 'run.ckpt'
    first = GLEMIMLClassifier(max_epochs=2, checkpoint=path, **p).fit(
        bags, Y, eval_set=(vb, vy))
    assert path.exists() and len(first.history_) == 2
    resumed = GLEMIMLClassifier(max_epochs=5, checkpoint=path, **p).fit(
        bags, Y, eval_set=(vb, vy))

    def untimed(h):
        return [{k: v for k, v in rec.items() if k != 'train_time_s'} for rec in h]
    assert untimed(resumed.history_) == untimed(ref.history_)
    assert resumed.best_epoch_ == ref.best_epoch_
    np.testing.assert_array_equal(resumed.decision_function(bt), ref.decision_function(bt))
    # a finished run fitted again with the same checkpoint trains no further epoch
    again = GLEMIMLClassifier(max_epochs=5, checkpoint=path, **p).fit(
        bags, Y, eval_set=(vb, vy))
    assert untimed(again.history_) == untimed(ref.history_)
    np.testing.assert_array_equal(again.decision_function(bt), ref.decision_function(bt))
    # other parameters or other data: an error that says so
    with pytest.raises(ValueError, match='other parameters.*lr'):
        GLEMIMLClassifier(max_epochs=5, checkpoint=path, **dict(p, lr=1e-2)).fit(
            bags, Y, eval_set=(vb, vy))
    with pytest.raises(ValueError, match='other training or validation data'):
        GLEMIMLClassifier(max_epochs=5, checkpoint=path, **p).fit(
            bags[:-1], Y[:-1], eval_set=(vb, vy))
    changed = [b.copy() for b in bags]  # same shapes, one value different
    changed[7][0, 0] += 1.0
    with pytest.raises(ValueError, match='other training or validation data'):
        GLEMIMLClassifier(max_epochs=5, checkpoint=path, **p).fit(
            changed, Y, eval_set=(vb, vy))
    # an unreadable file
    bad = tmp_path / 'bad.ckpt'
    bad.write_bytes(b'not a checkpoint')
    with pytest.raises(ValueError, match='not a file written by gmiml'):
        GLEMIMLClassifier(max_epochs=1, checkpoint=bad, **p).fit(bags, Y)
    # save/load keep the parameter (as a string)
    resumed.save(tmp_path / 'm.pt')
    assert GLEMIMLClassifier.load(tmp_path / 'm.pt').checkpoint == str(path)


def test_checkpoint_after_early_stop_does_not_train_on(data, tmp_path):
    bags, Y, vb, vy, *_ = data
    p = dict(hidden_channels=8, enhancer_channels=8, random_state=0, patience=1,
             max_epochs=30, checkpoint=tmp_path / 'c.ckpt')
    a = GLEMIMLClassifier(**p).fit(bags, Y, eval_set=(vb, vy))
    assert len(a.history_) < 30  # stopped early
    b = GLEMIMLClassifier(**dict(p, max_epochs=60)).fit(bags, Y, eval_set=(vb, vy))
    assert len(b.history_) == len(a.history_) and b.best_epoch_ == a.best_epoch_
