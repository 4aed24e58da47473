"""One benchmark cell = one (method, dataset, seed): fit on the training part of the seeded
7:2:1 split, early-stop / select on the validation part, score the test part.

Each finished cell is written atomically to its own JSON file, so an interrupted run loses at
most the cells in flight and a rerun skips every finished cell.
"""
import json
import logging
import os
import resource
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Optional

import numpy as np

__all__ = ['Cell', 'cell_path', 'load_cell', 'run_cell', 'atomic_write_json', 'get_dataset']

SYNTHETIC_PREFIX = 'synthetic'


@dataclass(frozen=True)
class Cell:
    method: str
    dataset: str
    seed: int

    @property
    def key(self) -> str:
        return f'{self.method}/{self.dataset}/seed{self.seed}'


def cell_path(out_dir: Path, cell: Cell) -> Path:
    return Path(out_dir) / 'cells' / cell.method / cell.dataset / f'seed{cell.seed}.json'


def log_path(out_dir: Path, cell: Cell) -> Path:
    return Path(out_dir) / 'logs' / cell.method / cell.dataset / f'seed{cell.seed}.log'


def atomic_write_json(path: Path, obj) -> None:
    """Writes JSON to ``path`` through a temporary file and ``os.replace``: readers see the
    old file or the complete new one, never a partial write."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix='.tmp')
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(obj, f, indent=1, sort_keys=True, default=_json_default)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return repr(o)


def load_cell(out_dir: Path, cell: Cell) -> Optional[Dict]:
    """The finished result of ``cell``, or None if it has not been computed (or its file
    is unreadable, in which case it is recomputed)."""
    p = cell_path(out_dir, cell)
    if not p.exists():
        return None
    try:
        with open(p) as f:
            res = json.load(f)
    except (OSError, json.JSONDecodeError):
        return None
    if res.get('status') not in ('ok', 'failed'):
        return None
    return res


_DATA_CACHE: Dict[str, object] = {}


def get_dataset(name: str):
    """Loads a dataset by registry name; ``synthetic`` or ``synthetic-N`` gives the planted
    synthetic generator's data (N bags, default 300) for tests and smoke runs."""
    if name not in _DATA_CACHE:
        if name.startswith(SYNTHETIC_PREFIX):
            from gmiml.datasets import make_synthetic_miml
            n = int(name.split('-')[1]) if '-' in name else 300
            data = make_synthetic_miml(n_bags=n, n_labels=8, n_features=12, random_state=0)
        else:
            from gmiml.datasets import load_bags
            data = load_bags(name)
        _DATA_CACHE[name] = data
    return _DATA_CACHE[name]


def _reset_peak_rss() -> bool:
    """Resets the kernel's peak-RSS counter of this process (Linux); False elsewhere."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _jsonable_params(params: Dict) -> Dict:
    out = {}
    for k, v in params.items():
        if isinstance(v, (bool, int, float, str)) or v is None:
            out[k] = v
        elif isinstance(v, (tuple, list)) and all(
                isinstance(x, (bool, int, float, str)) for x in v):
            out[k] = list(v)
        else:
            out[k] = repr(v)
    return out


def run_cell(cell: Cell, out_dir: str, quick: bool = False, verbose: bool = False,
             threads: Optional[int] = None) -> Dict:
    """Computes one cell, writes its result file and log, and returns the result. A method
    that raises is recorded with ``status='failed'`` and its traceback (never hidden)."""
    import torch

    from gmiml.datasets import train_val_test_split
    from gmiml.metrics import evaluate

    from .methods import METHODS, build

    out_dir = Path(out_dir)
    if threads:
        torch.set_num_threads(threads)
    lp = log_path(out_dir, cell)
    lp.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f'gmiml.bench.{cell.key}')
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.FileHandler(lp, mode='w')
    handler.setFormatter(logging.Formatter('%(asctime)s %(message)s'))
    logger.addHandler(handler)
    result = {**asdict(cell), 'paper_name': METHODS[cell.method].paper_name, 'quick': quick,
              'started_at': datetime.now(timezone.utc).isoformat(timespec='seconds'),
              'torch_threads': torch.get_num_threads(), 'pid': os.getpid()}
    try:
        data = get_dataset(cell.dataset)
        tr, va, te = train_val_test_split(data.Y, seed=cell.seed)
        pick = lambda idx: [data.bags[i] for i in idx]  # noqa: E731
        est = build(cell.method, cell.seed, quick=quick, verbose=verbose)
        logger.info('cell %s: %d train / %d val / %d test bags; %r', cell.key, len(tr),
                    len(va), len(te), est)
        result['params'] = _jsonable_params(est.get_params())
        result['n_train'], result['n_val'], result['n_test'] = len(tr), len(va), len(te)
        exact = _reset_peak_rss()
        t0 = time.perf_counter()
        est.fit(pick(tr), data.Y[tr], eval_set=(pick(va), data.Y[va]))
        result['fit_time_s'] = time.perf_counter() - t0
        t0 = time.perf_counter()
        scores = est.predict_proba(pick(te))
        Y_pred = est.predict(pick(te))
        result['predict_time_s'] = time.perf_counter() - t0
        result['peak_rss_mb'] = _peak_rss_mb()
        result['peak_rss_scope'] = 'cell' if exact else 'process'
        result['metrics'] = {k: float(v) for k, v in
                             evaluate(data.Y[te], scores, Y_pred=Y_pred).items()}
        result['status'] = 'ok'
        logger.info('fit %.2f s, predict %.2f s, peak RSS %.0f MB (%s)', result['fit_time_s'],
                    result['predict_time_s'], result['peak_rss_mb'], result['peak_rss_scope'])
        logger.info('test metrics: %s', json.dumps(result['metrics'], sort_keys=True))
    except Exception as e:  # noqa: BLE001 - recorded, reported, and counted as failed
        result['status'] = 'failed'
        result['error'] = f'{type(e).__name__}: {e}'
        result['traceback'] = traceback.format_exc()
        logger.error('FAILED: %s\n%s', result['error'], result['traceback'])
        print(f'[run_all] cell {cell.key} failed: {result["error"]}', file=sys.stderr)
    finally:
        logger.removeHandler(handler)
        handler.close()
    result['finished_at'] = datetime.now(timezone.utc).isoformat(timespec='seconds')
    atomic_write_json(cell_path(out_dir, cell), result)
    with open(out_dir / 'computed.log', 'a') as f:  # journal: one line per computation
        f.write(f'{cell.key}\t{result["status"]}\t{result["finished_at"]}\n')
    return result
