"""One benchmark cell = one method on one split of one data set (a seed, and a fold under
k-fold cross-validation): select a configuration on the validation part (see
:mod:`suite.selection`), score the test part once, write the result.

A cell writes, atomically and in this order, its test predictions
(``<stem>.npz``: ``scores``, ``pred``, ``y_test``, ``train_idx``, ``val_idx``,
``test_idx`` and, where the estimator has one, ``history`` as a JSON string) and its
result file (``<stem>.json``, schema in :mod:`suite.store`), plus a log. The cell is
claimed while it is computed, so two runs on one results folder never compute it twice.
A result that cannot be written where it belongs goes to ``<out>/rescued/`` and back to
the parent process: finished work is never lost.
"""
import contextlib
import hashlib
import io
import json
import logging
import os
import socket
import time
import traceback
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Optional, Tuple

import numpy as np

from gmiml.utils.memory import peak_rss_bytes, reset_peak

from .data import DataRef, get_dataset
from .methods import (MethodSpec, build, configurations, fit_accepts_eval_set,
                      resolve_class)
from .protocol import Protocol
from .selection import CRITERION, select
from .store import (CELL_SCHEMA_VERSION, Cell, atomic_write_json, atomic_write_npz,
                    cell_path, log_path, predictions_path, read_cell, try_claim)

__all__ = ['Task', 'run_task']


@dataclass(frozen=True)
class Task:
    cell: Cell
    spec: MethodSpec
    data: DataRef
    protocol: Protocol
    out: str
    quick: bool = False
    threads: int = 1
    verbose: bool = False
    force: bool = False
    retry_failed: bool = False
    run_started: float = 0.0  # cells finished after this were computed during this run


def _jsonable(params: Dict) -> Dict:
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


def _skip_reason(existing: Optional[Dict], task: Task) -> Optional[str]:
    """Why an existing valid result makes computing the cell unnecessary, or None."""
    if existing is None:
        return None
    if existing.get('finished_at_unix', 0.0) >= task.run_started:
        return 'computed meanwhile by another run'
    if task.force:
        return None
    if existing['status'] == 'ok':
        return 'already computed'
    return None if task.retry_failed else 'failed before (use --retry-failed)'


def _compute(task: Task, log) -> Tuple[Dict, Dict]:
    """The result record and the prediction arrays of ``task`` (may raise)."""
    cell = task.cell
    data = get_dataset(task.data)
    Y = np.asarray(data.Y)
    tr, va, te = task.protocol.split_indices(Y, cell.seed, cell.fold)
    pick = lambda idx: [data.bags[i] for i in idx]  # noqa: E731
    cls = resolve_class(task.spec.target)
    configs, grid_note = configurations(task.spec, cls, quick=task.quick)
    if task.protocol.selection == 'reference':
        configs = configs[:1]
    res = {'n_train': len(tr), 'n_val': len(va), 'n_test': len(te)}
    log(f'{len(tr)} train / {len(va)} val / {len(te)} test bags; {len(configs)} '
        f'configuration(s) of {cls.__name__} ({grid_note["source"]})')
    Xtr, Xva, Xte = pick(tr), pick(va), pick(te)

    def fit(est):
        if fit_accepts_eval_set(est):
            return est.fit(Xtr, Y[tr], eval_set=(Xva, Y[va]))
        return est.fit(Xtr, Y[tr])

    exact = reset_peak() is not None
    t0 = time.perf_counter()
    (chosen, est), records = select(
        configs, lambda cfg: build(cls, cfg, cell.seed, task.verbose), fit, Xva, Y[va], log)
    selection_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    scores = np.asarray(est.predict_proba(Xte), dtype=np.float64)
    pred = np.asarray(est.predict(Xte)).astype(np.uint8)
    res['predict_time_s'] = time.perf_counter() - t0
    from gmiml.metrics import evaluate
    res['metrics'] = {k: float(v) for k, v in evaluate(Y[te], scores, Y_pred=pred).items()}
    res['peak_rss_mb'] = peak_rss_bytes() / 2**20
    res['peak_rss_scope'] = 'cell' if exact else 'process'
    get = getattr(est, 'get_params', None)
    res['params'] = _jsonable(get() if callable(get) else configs[chosen])
    res['fit_time_s'] = records[chosen]['fit_time_s']
    res['selection'] = {
        'criterion': CRITERION, 'selection': task.protocol.selection, 'chosen': chosen,
        'n_configs': len(configs), 'declared': grid_note['declared'],
        'source': grid_note['source'], 'total_time_s': selection_time,
        'fit_time_total_s': float(sum(r['fit_time_s'] for r in records)),
        'configs': [{**r, 'params': _jsonable(r['params'])} for r in records]}
    arrays = {'scores': scores, 'pred': pred, 'y_test': Y[te].astype(np.uint8),
              'train_idx': tr, 'val_idx': va, 'test_idx': te}
    history = getattr(est, 'history_', None)
    if history is not None:
        arrays['history'] = np.array(json.dumps(history, default=repr))
    log(f"chosen configuration {chosen}; test metrics {json.dumps(res['metrics'])}")
    return res, arrays


def _write(task: Task, path: Path, result: Dict, arrays: Optional[Dict]) -> Dict:
    """Writes the predictions and the result; on failure, the result goes to the rescue
    folder. Returns ``{'written': path}`` or ``{'write_error': ..., 'rescued': path}``."""
    try:
        if arrays is not None:
            npz = predictions_path(path)
            atomic_write_npz(npz, **arrays)
            with open(npz, 'rb') as f:
                sha = hashlib.sha256(f.read()).hexdigest()
            result['predictions'] = {'file': npz.name, 'sha256': sha}
        atomic_write_json(path, result)
        return {'written': str(path)}
    except OSError as e:
        err = f'cannot write {path}: {type(e).__name__}: {e}'
    rescue = (Path(task.out) / 'rescued' / task.protocol.key /
              f'{task.cell.method}__{task.cell.dataset}__{task.cell.stem}.json')
    try:
        rescue.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_json(rescue, result)
        return {'write_error': err, 'rescued': str(rescue)}
    except OSError as e2:
        return {'write_error': f'{err}; rescue copy failed too ({e2})', 'rescued': None}


def _logger(task: Task):
    lp = log_path(task.out, task.protocol.key, task.cell)
    logger = logging.getLogger(f'gmiml.bench.{task.protocol.key}.{task.cell.key}')
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        lp.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(lp, mode='w')
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter('%(asctime)s %(message)s'))
    logger.addHandler(handler)
    return logger, handler


def run_task(task: Task) -> Dict:
    """Claims, computes and writes one cell. Returns ``{'cell', 'outcome', ...}`` with
    outcome ``'computed'`` (and ``'result'``), ``'busy'`` (another process holds the claim:
    ``'holder'``), ``'skipped'`` (``'reason'``) or ``'unwritable'`` (``'error'``)."""
    from threadpoolctl import threadpool_limits
    cell = task.cell
    path = cell_path(task.out, task.protocol.key, cell)
    try:
        claim = try_claim(path)
    except OSError as e:
        return {'cell': cell, 'outcome': 'unwritable',
                'error': f'cannot claim {path}: {type(e).__name__}: {e}'}
    if not claim.held:
        return {'cell': cell, 'outcome': 'busy', 'holder': claim.holder}
    try:
        existing, _ = read_cell(path, cell, task.protocol.key)
        reason = _skip_reason(existing, task)
        if reason:
            return {'cell': cell, 'outcome': 'skipped', 'reason': reason, 'result': existing}
        import torch
        torch.set_num_threads(task.threads)
        logger, handler = _logger(task)
        if claim.taken_over:
            logger.info('took over the stale claim of %s', claim.taken_over)
        result = {'schema': CELL_SCHEMA_VERSION, **vars(cell),
                  'protocol': task.protocol.as_dict(), 'paper_name': task.spec.paper_name,
                  'quick': task.quick, 'pid': os.getpid(), 'host': socket.gethostname(),
                  'torch_threads': torch.get_num_threads(),
                  'started_at': datetime.now(timezone.utc).isoformat(timespec='seconds')}
        arrays, caught, printed = None, [], io.StringIO()
        try:
            with contextlib.ExitStack() as stack:
                caught = stack.enter_context(warnings.catch_warnings(record=True))
                warnings.simplefilter('always')
                stack.enter_context(threadpool_limits(limits=task.threads))
                if not task.verbose:  # an estimator's output: on a terminal only, else the log
                    stack.enter_context(contextlib.redirect_stdout(printed))
                    stack.enter_context(contextlib.redirect_stderr(printed))
                res, arrays = _compute(task, logger.info)
            result.update(res, status='ok')
        except Exception as e:  # noqa: BLE001 - recorded, reported, counted as failed
            result.update(status='failed', error=f'{type(e).__name__}: {e}',
                          traceback=traceback.format_exc())
            logger.error('FAILED: %s\n%s', result['error'], result['traceback'])
        finally:
            if printed.getvalue():
                logger.info('output of the estimator:\n%s', printed.getvalue().rstrip())
            logger.removeHandler(handler)
            handler.close()
        result['warnings'] = sorted({f'{w.category.__name__}: {w.message}'
                                     for w in caught})[:20]
        result['finished_at'] = datetime.now(timezone.utc).isoformat(timespec='seconds')
        result['finished_at_unix'] = time.time()
        written = _write(task, path, result, arrays)
        try:
            with open(Path(task.out) / 'computed.log', 'a') as f:  # one line per computation
                f.write(f'{task.protocol.key}/{cell.key}\t{result["status"]}\t'
                        f'{result["finished_at"]}\t{os.getpid()}\n')
        except OSError:
            pass
        return {'cell': cell, 'outcome': 'computed', 'result': result, **written}
    finally:
        claim.release()
