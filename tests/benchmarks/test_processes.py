"""Processes: --jobs gives the same results as one process, workers die with the run
(kill -9 included), and two runs on one results folder never compute a cell twice."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench_helpers import BENCH, journal, subprocess_env

S = 'bench_stubs'
FAST = ['--no-plots', '--no-le', '--no-ablation', '--quiet']


def _alive(pid: int) -> bool:
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().split(')')[-1].split()[0] != 'Z'  # a zombie is dead
    except FileNotFoundError:
        return False


def _wait(cond, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def _cells(out):
    return {p.relative_to(out).as_posix(): json.loads(p.read_text())['metrics']
            for p in sorted(Path(out, 'cells').rglob('*.json'))}


@pytest.mark.slow
def test_jobs_2_gives_the_results_of_one_process(run, no_data):
    args = ('--methods', 'MIMLNN', 'Prior', f'{S}:GridStub', '--seeds', '0', '1')
    a, b = no_data / 'a', no_data / 'b'
    assert run(*args, out=a) == 0
    assert run(*args, '--jobs', '2', out=b) == 0
    assert _cells(a) == _cells(b) and len(_cells(a)) == 6
    pids = {ln.split('\t')[3] for ln in (b / 'computed.log').read_text().splitlines()}
    assert str(os.getpid()) not in pids  # computed in worker processes


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='reads /proc')
def test_workers_die_with_a_killed_parent(tmp_path):
    piddir = tmp_path / 'pids'
    piddir.mkdir()
    out = tmp_path / 'o'
    env = subprocess_env(STUB_PID_DIR=piddir, STUB_DELAY=120, GMIML_DATA=tmp_path / 'none')
    parent = subprocess.Popen(
        [sys.executable, str(BENCH / 'run_all.py'), '--methods', f'{S}:SlowStub',
         '--datasets', 'synthetic-40', '--seeds', '0', '1', '2', '3', '--jobs', '2',
         '--out', str(out), *FAST], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        assert _wait(lambda: len(list(piddir.glob('*.pid'))) == 2, 120), 'workers not up'
        workers = [int(p.stem) for p in piddir.glob('*.pid')]
        assert all(_alive(w) for w in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _wait(lambda: not any(_alive(w) for w in workers), 5), \
            f'workers {workers} outlived their parent'
        assert not list(out.rglob('seed*.json'))  # nothing written after the parent died
    finally:
        if parent.poll() is None:
            parent.kill()
        for p in piddir.glob('*.pid'):
            try:
                os.kill(int(p.stem), signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='reads /proc')
def test_watchdog_ends_a_worker_whose_parent_died_without_the_kernel_signal(tmp_path):
    """The portable fallback alone (no prctl): the watchdog thread ends the worker."""
    child = (f'import os, sys, time; sys.path.insert(0, {str(BENCH)!r}); '
             'from suite.pool import worker_init; sys.platform = "other"; '
             'worker_init(os.getppid(), period=0.2); print(os.getpid(), flush=True); '
             'time.sleep(60)')
    middle = ('import subprocess, sys, time; '
              f'p = subprocess.Popen([sys.executable, "-c", {child!r}], stdout=sys.stdout); '
              'time.sleep(60)')
    mid = subprocess.Popen([sys.executable, '-c', middle], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(mid.stdout.readline())
        assert _alive(pid)
        mid.kill()
        mid.wait()
        assert _wait(lambda: not _alive(pid), 3), 'the watchdog did not end the worker'
    finally:
        mid.kill()


def test_worker_whose_parent_is_already_gone_exits(tmp_path):
    code = (f'import sys; sys.path.insert(0, {str(BENCH)!r}); from suite.pool import '
            'worker_init; worker_init(1 if __import__("os").getppid() != 1 else 2); '
            'print("survived")')
    p = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 1 and 'survived' not in p.stdout


@pytest.mark.slow
def test_two_runs_on_one_folder_compute_each_cell_once(tmp_path, run, monkeypatch):
    out = tmp_path / 'o'
    env = subprocess_env(STUB_DELAY=0.4, GMIML_DATA=tmp_path / 'none')
    cmd = [sys.executable, str(BENCH / 'run_all.py'), '--methods', f'{S}:SlowStub',
           '--datasets', 'synthetic-40', '--seeds', '0', '1', '2', '3', '4', '5',
           '--out', str(out), *FAST]
    a = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    b = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    (oa, ea), (ob, eb) = a.communicate(timeout=300), b.communicate(timeout=300)
    assert {a.returncode, b.returncode} <= {0, 3}, (ea, eb)
    done = journal(out)
    assert len(done) == len(set(done)), f'a cell was computed twice: {done}'
    monkeypatch.setenv('STUB_DELAY', '0')  # finish what was left to the other run
    assert run('--methods', f'{S}:SlowStub', '--seeds', '0', '1', '2', '3', '4', '5',
               out=out) == 0
    assert len(journal(out)) == 6 and len(set(journal(out))) == 6
    assert not list(out.rglob('*.claim'))
