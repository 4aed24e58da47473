"""Helpers of the benchmark-runner tests (importable: conftest puts this folder on
sys.path)."""
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parents[1] / 'benchmarks'


def journal(out: Path):
    f = Path(out) / 'computed.log'
    return [ln.split('\t')[0] for ln in f.read_text().splitlines()] if f.exists() else []


def cell_file(out, method, dataset='synthetic-40', seed=0, key='tuned-holdout'):
    return Path(out) / 'cells' / key / method / dataset / f'seed{seed}.json'


def load(path):
    return json.loads(Path(path).read_text())


def subprocess_env(**extra):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([str(BENCH), str(HERE), env.get('PYTHONPATH', '')])
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_cli(args, **kw):
    """``run_all.py args`` in a fresh interpreter; returns the CompletedProcess."""
    return subprocess.run([sys.executable, str(BENCH / 'run_all.py'), *args],
                          capture_output=True, text=True, **kw)
