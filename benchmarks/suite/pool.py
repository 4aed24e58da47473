"""Runs the cells of a benchmark, in this process or in worker processes, and reports
progress: a progress bar on a terminal, otherwise one plain line per cell.

Worker processes stop when the run's process dies, however it dies (``kill -9`` too):
on Linux the kernel sends them ``SIGKILL`` (``prctl(PR_SET_PDEATHSIG)``, set as each
worker starts), and everywhere a watchdog thread in each worker ends it within a second
once its parent process is gone. A cell in flight leaves no partial file (atomic writes)
and its claim is dropped by the kernel, so the next run recomputes it.
"""
import ctypes
import os
import signal
import sys
import threading
import time
from typing import Callable, Dict, Iterator, List, Optional

from .cells import Task, run_task

__all__ = ['run_tasks', 'Progress', 'worker_init']

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _watchdog(parent_pid: int, period: float) -> None:
    while True:
        time.sleep(period)
        if os.getppid() != parent_pid:
            os._exit(1)


def worker_init(parent_pid: int, period: float = 1.0) -> None:
    """Initialiser of a worker process: die with the parent (see the module docstring)."""
    if sys.platform.startswith('linux'):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: watchdog only
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was set
        os._exit(1)
    threading.Thread(target=_watchdog, args=(parent_pid, period), daemon=True,
                     name='parent-watchdog').start()


def run_tasks(tasks: List[Task], jobs: int) -> Iterator[Dict]:
    """Yields the outcome of every task (see :func:`suite.cells.run_task`) as it ends.
    ``jobs > 1`` runs them in that many spawned worker processes."""
    if jobs <= 1 or len(tasks) <= 1:
        for t in tasks:
            yield run_task(t)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    ex = ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=mp.get_context('spawn'),
                             initializer=worker_init, initargs=(os.getpid(), ))
    try:
        futs = {ex.submit(run_task, t): t for t in tasks}
        for f in as_completed(futs):
            try:
                yield f.result()
            except Exception as e:  # noqa: BLE001 - a worker that died (killed, out of memory)
                yield {'cell': futs[f].cell, 'outcome': 'lost',
                       'error': f'worker process ended: {type(e).__name__}: {e}'}
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


class Progress:
    """A tqdm bar on a terminal (``sys.stderr.isatty()``); otherwise one plain line per
    cell on stdout, with no carriage returns or escape codes; nothing with ``quiet``."""

    def __init__(self, total: int, quiet: bool = False, tty: Optional[bool] = None,
                 printer: Callable[[str], None] = None):
        self.total, self.done, self.t0 = total, 0, time.time()
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.quiet = quiet
        self.print = printer or (lambda s: print(s, flush=True))
        self.bar = None
        if self.tty and not quiet:
            from tqdm.auto import tqdm
            self.bar = tqdm(total=total, desc='cells', dynamic_ncols=True)

    def update(self, key: str, status: str) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(key)
            self.bar.update()
        elif not self.quiet:
            el = time.time() - self.t0
            left = el / self.done * (self.total - self.done)
            self.print(f'[run_all] {self.done}/{self.total} {key}: {status}; '
                       f'{el / 60:.1f} min elapsed, ~{left / 60:.1f} min left')

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
