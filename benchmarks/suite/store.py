"""Where a benchmark run keeps its results, and how it writes and reads them safely.

* Every cell has a JSON file ``<out>/cells/<protocol>/<method>/<dataset>/seed<S>[-fold<F>].json``
  and, beside it, an ``.npz`` of its test predictions. Both are written atomically
  (temporary file in the same folder, ``fsync``, ``os.replace``): a reader sees the old file
  or the complete new one, never a partial write.
* A cell file is trusted only after :func:`validate_cell` accepts it; anything else (a
  truncated write, ``[]``, a metric that is not a number, a file of another cell) counts
  as not computed, so it is recomputed, and the reason is reported with the file's path.
* Before computing a cell a process *claims* it: ``<cell>.json.claim`` created with
  ``O_EXCL`` and locked with ``flock`` for as long as the process computes, holding its
  pid, host and start time. A second run finds the lock held and leaves the cell alone; a
  claim whose process died (the kernel drops its lock) is taken over.
"""
import json
import math
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Tuple

import numpy as np

try:  # POSIX; elsewhere claims fall back to pid liveness on the same host
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None

__all__ = ['Cell', 'cell_path', 'log_path', 'predictions_path', 'atomic_write_json',
           'atomic_write_npz', 'validate_cell', 'read_cell', 'probe_writable', 'Claim',
           'try_claim', 'CELL_SCHEMA_VERSION']

CELL_SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Cell:
    """One unit of work: a method on a data set with one split (seed, and fold for k-fold
    cross-validation)."""
    method: str
    dataset: str
    seed: int
    fold: Optional[int] = None

    @property
    def stem(self) -> str:
        return f'seed{self.seed}' + ('' if self.fold is None else f'-fold{self.fold}')

    @property
    def key(self) -> str:
        return f'{self.method}/{self.dataset}/{self.stem}'


def cell_path(out_dir, protocol_key: str, cell: Cell) -> Path:
    return Path(out_dir) / 'cells' / protocol_key / cell.method / cell.dataset / (
        cell.stem + '.json')


def predictions_path(json_path: Path) -> Path:
    return Path(json_path).with_suffix('.npz')


def log_path(out_dir, protocol_key: str, cell: Cell) -> Path:
    return Path(out_dir) / 'logs' / protocol_key / cell.method / cell.dataset / (
        cell.stem + '.log')


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return repr(o)


def _atomic_write(path: Path, write) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_json(path, obj) -> None:
    """Writes ``obj`` as JSON to ``path`` (whose folder must exist) atomically."""
    text = json.dumps(obj, indent=1, sort_keys=True, default=_json_default)
    _atomic_write(path, lambda f: f.write(text.encode()))


def atomic_write_npz(path, **arrays) -> None:
    """Writes a compressed ``.npz`` to ``path`` atomically."""
    _atomic_write(path, lambda f: np.savez_compressed(f, **arrays))


def probe_writable(folder: Path) -> Optional[str]:
    """Creates ``folder`` (and parents) and writes and removes a probe file in it. Returns
    None when that works, else a one-line reason naming the path that is in the way."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix='.probe')
        os.close(fd)
        os.unlink(tmp)
    except OSError as e:
        blocker = next((p for p in [folder, *folder.parents] if p.exists()), None)
        what = (f'{blocker} is a file, not a folder' if blocker is not None
                and not blocker.is_dir() else e.strerror or type(e).__name__)
        return f'cannot write in {folder}: {what}'
    return None


# ----------------------------------------------------------------------------------------
# schema
def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_COMMON = {'method': str, 'dataset': str, 'seed': _is_int, 'status': str,
           'protocol': dict}
_OK = {'metrics': dict, 'fit_time_s': _is_number, 'predict_time_s': _is_number,
       'selection': dict}


def _check_type(obj: Dict, key: str, want) -> Optional[str]:
    if key not in obj:
        return f"no '{key}'"
    v = obj[key]
    ok = want(v) if callable(want) and not isinstance(want, type) else isinstance(v, want)
    if not ok:
        return f"'{key}' is {type(v).__name__} {v!r:.40}"
    return None


def validate_cell(obj, cell: Cell, protocol_key: str) -> Optional[str]:
    """None when ``obj`` is a valid result of ``cell`` under ``protocol_key``, else the
    first problem found (one line)."""
    if not isinstance(obj, dict):
        return f'not a JSON object but {type(obj).__name__}'
    if obj.get('schema') != CELL_SCHEMA_VERSION:
        return f"schema {obj.get('schema')!r}, expected {CELL_SCHEMA_VERSION}"
    for key, want in _COMMON.items():
        err = _check_type(obj, key, want)
        if err:
            return err
    if obj['status'] not in ('ok', 'failed'):
        return f"status {obj['status']!r} (expected 'ok' or 'failed')"
    got = (obj['method'], obj['dataset'], obj['seed'], obj.get('fold'),
           obj['protocol'].get('key'))
    want = (cell.method, cell.dataset, cell.seed, cell.fold, protocol_key)
    if got != want:
        return f'holds the result of {got}, not {want}'
    if obj['status'] == 'failed':
        return _check_type(obj, 'error', str)
    for key, want in _OK.items():
        err = _check_type(obj, key, want)
        if err:
            return err
    if not obj['metrics']:
        return 'empty metrics'
    for k, v in obj['metrics'].items():
        if not _is_number(v):
            return f"metric '{k}' is {type(v).__name__} {v!r:.40}, not a number"
    for key in ('fit_time_s', 'predict_time_s'):
        if not (math.isfinite(obj[key]) and obj[key] >= 0):
            return f"'{key}' is {obj[key]!r}"
    return None


def read_cell(path: Path, cell: Cell, protocol_key: str) -> Tuple[Optional[Dict],
                                                                  Optional[str]]:
    """``(result, None)`` for a valid cell file, ``(None, None)`` when there is none, and
    ``(None, reason)`` when the file is unreadable or not a valid cell."""
    path = Path(path)
    try:
        with open(path, 'rb') as f:
            obj = json.loads(f.read().decode())
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        return None, f'unreadable ({type(e).__name__}: {e})'
    err = validate_cell(obj, cell, protocol_key)
    return (None, err) if err else (obj, None)


# ----------------------------------------------------------------------------------------
# claims
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Claim:
    """A held claim (``fd`` is None for a claim that is busy elsewhere: ``holder`` says
    whose). ``taken_over`` holds the dead holder's record when this claim replaced it."""
    path: Path
    fd: Optional[int]
    holder: Dict
    taken_over: Optional[Dict] = None

    @property
    def held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.unlink(self.path)  # while still locked: a waiter then finds a new inode
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None


def _read_record(fd: int) -> Dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return json.loads(os.read(fd, 4096).decode() or '{}')
    except (OSError, ValueError):
        return {}


def try_claim(json_path: Path) -> Claim:
    """Claims the cell whose result file is ``json_path`` for this process (see the module
    docstring). Never blocks."""
    path = Path(str(json_path) + '.claim')
    me = {'pid': os.getpid(), 'host': socket.gethostname(), 'started_at': time.time()}
    while True:
        created = True
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            created = False
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue  # released meanwhile
        old = {} if created else _read_record(fd)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return Claim(path, None, old)
            try:  # the file we locked must still be the claim (not one just released)
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
        elif not created and (old.get('host') != me['host'] or _pid_alive(old.get('pid', 0))):
            os.close(fd)  # pragma: no cover - non-POSIX fallback
            return Claim(path, None, old)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(me).encode())
        os.fsync(fd)
        return Claim(path, fd, me, taken_over=old or None)
