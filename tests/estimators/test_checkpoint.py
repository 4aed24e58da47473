import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

from gmiml.datasets import make_synthetic_miml
from gmiml.estimators import GLEMIMLClassifier
from gmiml.estimators.checkpoint import (Checkpoint, CheckpointInUseError, atomic_save,
                                         check_writable_dir, read_torch_file)

FMT = 'gmiml.GLEMIMLClassifier/1'


@pytest.fixture(scope='module')
def small():
    d = make_synthetic_miml(n_bags=40, n_labels=3, n_features=4,
                            instances_per_bag=(1, 3), random_state=0)
    return d.bags, d.Y


def _est(**kw):
    return GLEMIMLClassifier(hidden_channels=4, enhancer_channels=4, random_state=0,
                             **{'max_epochs': 2, **kw})


def test_atomic_save_leaves_no_temporary(tmp_path):
    atomic_save({'format': FMT, 'a': 1}, tmp_path / 'f.pt')
    assert os.listdir(tmp_path) == ['f.pt']
    assert read_torch_file(tmp_path / 'f.pt', 'load', FMT)['a'] == 1


def test_load_empty_file(tmp_path):
    p = tmp_path / 'e.pt'
    p.write_bytes(b'')
    with pytest.raises(ValueError, match=rf'^GLEMIMLClassifier.load: {p} is empty \(0 bytes\)$'):
        GLEMIMLClassifier.load(p)


def test_load_text_file(tmp_path):
    p = tmp_path / 't.pt'
    p.write_text('hello world\n')
    with pytest.raises(ValueError, match=r"is not a file written by gmiml \(no torch archive "
                                         r"header; it starts with b'hell'\)"):
        GLEMIMLClassifier.load(p)


def test_load_truncated_file(tmp_path):
    p = tmp_path / 'x.pt'
    atomic_save({'format': FMT, 'w': torch.zeros(1000)}, p)
    data = p.read_bytes()
    p.write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match=rf'{p} is truncated or corrupt \(incomplete '
                                         rf'archive of {len(data) // 2} bytes\)'):
        GLEMIMLClassifier.load(p)


def test_load_wrong_format(tmp_path):
    p = tmp_path / 'w.pt'
    torch.save({'format': 'something/9'}, p)
    with pytest.raises(ValueError, match=r"has format 'something/9', expected "
                                         r"'gmiml.GLEMIMLClassifier/1'"):
        GLEMIMLClassifier.load(p)
    torch.save([1, 2], p)
    with pytest.raises(ValueError, match='has format None'):
        GLEMIMLClassifier.load(p)


def test_load_other_zip(tmp_path):
    p = tmp_path / 'z.pt'
    with zipfile.ZipFile(p, 'w') as z:
        z.writestr('a.txt', 'x')
    with pytest.raises(ValueError, match=rf'^GLEMIMLClassifier.load: {p} is corrupt or not '
                                         r'a gmiml file \('):
        GLEMIMLClassifier.load(p)


def test_load_missing_and_folder(tmp_path):
    with pytest.raises(ValueError, match='nope.pt does not exist'):
        GLEMIMLClassifier.load(tmp_path / 'nope.pt')
    with pytest.raises(ValueError, match='is a folder, not a file'):
        GLEMIMLClassifier.load(tmp_path)


def test_check_writable_dir(tmp_path):
    with pytest.raises(ValueError, match=rf'^save: the folder {tmp_path}/no of '
                                         rf'{tmp_path}/no/f.pt does not exist; create it'):
        check_writable_dir(tmp_path / 'no' / 'f.pt', 'save')
    (tmp_path / 'file').write_text('x')
    with pytest.raises(ValueError, match=r'\(the folder of .*\) is not a folder'):
        check_writable_dir(tmp_path / 'file' / 'f.pt', 'save')
    with pytest.raises(ValueError, match='is a folder; expected a file path'):
        check_writable_dir(tmp_path, 'save')


@pytest.mark.skipif(os.geteuid() == 0, reason='root may write anywhere')
def test_check_writable_dir_read_only(tmp_path):
    ro = tmp_path / 'ro'
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(ValueError, match='is not writable'):
            check_writable_dir(ro / 'f.pt', 'save')
    finally:
        ro.chmod(0o700)


def test_checkpoint_in_missing_folder_fails_before_training(small, tmp_path, monkeypatch):
    bags, Y = small
    called = []
    monkeypatch.setattr(GLEMIMLClassifier, '_fit', lambda *a: called.append(1))
    with pytest.raises(ValueError, match=rf'^checkpoint: the folder {tmp_path}/missing '
                                         r'of .* does not exist'):
        _est(checkpoint=tmp_path / 'missing' / 'c.ckpt').fit(bags, Y)
    assert not called


def test_save_in_missing_folder(small, tmp_path):
    est = _est().fit(*small)
    with pytest.raises(ValueError, match=r'^GLEMIMLClassifier.save: the folder .* does '
                                         r'not exist'):
        est.save(tmp_path / 'missing' / 'm.pt')
    assert not (tmp_path / 'missing').exists()


def test_checkpoint_more_epochs_than_max_epochs(small, tmp_path):
    path = tmp_path / 'c.ckpt'
    _est(max_epochs=3, checkpoint=path, patience=None).fit(*small)
    with pytest.raises(ValueError, match=rf'^checkpoint: {path} holds 3 finished epochs, '
                                         r'more than max_epochs=2; use max_epochs >= 3'):
        _est(max_epochs=2, checkpoint=path, patience=None).fit(*small)
    # equal: the finished run is returned, no more epochs
    again = _est(max_epochs=3, checkpoint=path, patience=None).fit(*small)
    assert len(again.history_) == 3


def test_checkpoint_locked_by_another_fit(small, tmp_path):
    path = tmp_path / 'c.ckpt'
    holder = Checkpoint(path, 'x', {}, None)
    with holder:
        with pytest.raises(CheckpointInUseError, match=rf'^checkpoint: {path} is in use by '
                                                      r'another fit \(its lock .*\.lock is '
                                                      r'held\)'):
            _est(checkpoint=path).fit(*small)
        assert not path.exists()
    # released: the fit runs, and releases the lock itself
    _est(checkpoint=path).fit(*small)
    with Checkpoint(path, 'x', {}, None):
        pass


def test_checkpoint_lock_across_processes(small, tmp_path):
    """A lock held by another process (not only another object) refuses the fit."""
    import subprocess
    import sys
    path = tmp_path / 'c.ckpt'
    code = ("import fcntl,sys,time; f=open(sys.argv[1],'a+'); "
            "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(30)")
    p = subprocess.Popen([sys.executable, '-c', code, f'{path}.lock'],
                         stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == 'locked'
        with pytest.raises(CheckpointInUseError, match='in use by another fit'):
            _est(checkpoint=path).fit(*small)
    finally:
        p.kill()
        p.wait()


def test_checkpoint_files_empty_or_text(small, tmp_path):
    path = tmp_path / 'c.ckpt'
    path.write_bytes(b'')
    with pytest.raises(ValueError, match=rf'^checkpoint: {path} is empty \(0 bytes\)$'):
        _est(checkpoint=path).fit(*small)
    path.write_text('{"json": 1}')
    with pytest.raises(ValueError, match=r'^checkpoint: .* is not a file written by gmiml'):
        _est(checkpoint=path).fit(*small)


def test_checkpoint_of_a_saved_model_is_rejected(small, tmp_path):
    est = _est().fit(*small)
    est.save(tmp_path / 'm.pt')
    with pytest.raises(ValueError, match=r"has format 'gmiml.GLEMIMLClassifier/1', "
                                         r"expected 'gmiml.GLEMIMLClassifier.checkpoint/1'"):
        _est(checkpoint=tmp_path / 'm.pt').fit(*small)


def test_checkpoint_no_temporaries_left(small, tmp_path):
    _est(checkpoint=tmp_path / 'c.ckpt').fit(*small)
    assert sorted(os.listdir(tmp_path)) == ['c.ckpt', 'c.ckpt.lock']


def test_pickled_fitted_estimator(small):
    est = _est().fit(*small)
    r = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(r.predict_proba(small[0]), est.predict_proba(small[0]))
