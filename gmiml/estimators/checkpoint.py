r"""Files of the neural estimators: training checkpoints and saved estimators.

* Writes are atomic: a unique temporary file in the target's folder
  (:func:`tempfile.mkstemp`), then :func:`os.replace`, so a reader never sees a partial
  file and two writers never share a temporary file.
* A :class:`Checkpoint` is locked for the whole fit (:func:`fcntl.flock` on
  ``<path>.lock``, a file left in place: removing lock files reopens the race they
  close); a second fit on the same path is refused at once with a clear error, so
  concurrent fits never destroy each other's work.
* Folders are checked (exists, is a folder, writable) before any training.
* A file that cannot be read (empty, text, truncated, another format) is an error that
  names the file and the problem.
* Every file carries a format string with a version, e.g.
  ``'gmiml.GLEMIMLClassifier.checkpoint/1'``.
"""
import os
import tempfile
import zipfile

__all__ = ['Checkpoint', 'check_writable_dir', 'atomic_save', 'read_torch_file',
           'CheckpointInUseError']


class CheckpointInUseError(RuntimeError):
    r"""Another fit holds the lock of this checkpoint."""


def check_writable_dir(path, what: str) -> None:
    r"""Raises a :class:`ValueError` naming ``what`` and ``path`` unless the folder that
    will hold ``path`` exists, is a folder and is writable."""
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    if not os.path.exists(folder):
        raise ValueError(f"{what}: the folder {folder!s} of {os.fspath(path)!s} does not "
                         f"exist; create it first")
    if not os.path.isdir(folder):
        raise ValueError(f"{what}: {folder!s} (the folder of {os.fspath(path)!s}) is not "
                         f"a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{what}: the folder {folder!s} of {os.fspath(path)!s} is not "
                         f"writable")
    if os.path.isdir(os.fspath(path)):
        raise ValueError(f"{what}: {os.fspath(path)!s} is a folder; expected a file path")


def atomic_save(obj, path) -> None:
    r""":func:`torch.save` of ``obj`` to a unique temporary file beside ``path``, then
    :func:`os.replace` onto ``path``."""
    import torch
    path = os.fspath(path)
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + '.',
                               suffix='.tmp', dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, 'wb') as fh:
            torch.save(obj, fh)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_torch_file(path, what: str, fmt: str, map_location='cpu') -> dict:
    r"""The dict a ``gmiml`` estimator wrote to ``path`` with format string ``fmt``;
    a :class:`ValueError` starting with ``what`` and naming the file and the problem
    otherwise."""
    import torch
    p = os.fspath(path)
    if not os.path.exists(p):
        raise ValueError(f"{what}: {p} does not exist")
    if os.path.isdir(p):
        raise ValueError(f"{what}: {p} is a folder, not a file")
    size = os.path.getsize(p)
    if size == 0:
        raise ValueError(f"{what}: {p} is empty (0 bytes)")
    with open(p, 'rb') as fh:
        head = fh.read(4)
    if head != b'PK\x03\x04':  # torch.save writes a zip archive
        raise ValueError(f"{what}: {p} is not a file written by gmiml (no torch archive "
                         f"header; it starts with {head!r})")
    if not zipfile.is_zipfile(p):
        raise ValueError(f"{what}: {p} is truncated or corrupt (incomplete archive of "
                         f"{size} bytes)")
    try:
        blob = torch.load(p, map_location=map_location, weights_only=True)
    except Exception as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(f"{what}: {p} is corrupt or not a gmiml file ({reason})") from e
    found = blob.get('format') if isinstance(blob, dict) else None
    if found != fmt:
        raise ValueError(f"{what}: {p} has format {found!r}, expected {fmt!r}")
    return blob


class Checkpoint:
    r"""The training checkpoint of a fit at ``path`` (see the module docstring).

    Args:
        path (str or path): the file.
        fmt (str): its format string.
        params (dict): the estimator parameters it must have been written with.
        fingerprint: an identity of the training and validation data.
        map_location: where tensors are loaded.
        owner (str): the estimator's name, for messages.
    """
    def __init__(self, path, fmt: str, params: dict, fingerprint, map_location='cpu',
                 owner: str = 'estimator'):
        self.path = os.fspath(path)
        self.fmt = fmt
        self.params = params
        self.fingerprint = fingerprint
        self.map_location = map_location
        self.owner = owner
        self._lock = None

    def __enter__(self) -> 'Checkpoint':
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> None:
        r"""Takes the lock ``<path>.lock`` (refusing when another fit holds it)."""
        import fcntl
        fh = open(self.path + '.lock', 'a+')
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise CheckpointInUseError(
                f"checkpoint: {self.path} is in use by another fit (its lock "
                f"{self.path}.lock is held); wait for that fit to end, or use another "
                f"path") from None
        self._lock = fh

    def release(self) -> None:
        if self._lock is not None:
            import fcntl
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def write(self, state: dict) -> None:
        r"""Writes ``state`` (plus format, parameters and fingerprint) atomically."""
        atomic_save({'format': self.fmt, 'params': self.params,
                     'fingerprint': self.fingerprint, **state}, self.path)

    def read(self, max_epochs: int):
        r"""The checkpoint to resume from (:obj:`None` when the file does not exist); an
        unreadable one, one written for other data or parameters, or one with more
        finished epochs than ``max_epochs`` is an error."""
        if not os.path.exists(self.path):
            return None
        ck = read_torch_file(self.path, 'checkpoint', self.fmt, self.map_location)
        if ck['params'] != self.params:
            diff = sorted(k for k in set(ck['params']) | set(self.params)
                          if ck['params'].get(k) != self.params.get(k))
            raise ValueError(f"checkpoint: {self.path} was written with other parameters "
                             f"({', '.join(diff)}); use another path or delete it")
        if ck['fingerprint'] != self.fingerprint:
            raise ValueError(f"checkpoint: {self.path} was written for other training or "
                             f"validation data; use another path or delete it")
        done = ck['epoch'] + 1
        if done > max_epochs:
            raise ValueError(f"checkpoint: {self.path} holds {done} finished epochs, more "
                             f"than max_epochs={max_epochs}; use max_epochs >= {done} to "
                             f"continue it, another path, or delete it")
        return ck
