"""Shared helpers of the benchmark-runner tests: ``run_all`` importable, the stub
estimators importable (also by spawned workers and subprocesses), no real data read."""
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BENCH = REPO / 'benchmarks'
for p in (str(BENCH), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    """No registered data set is available (Table 1 is quick, real data untouched)."""
    monkeypatch.setenv('GMIML_DATA', str(tmp_path / 'no-data-here'))
    return tmp_path


@pytest.fixture
def run(no_data):
    """``run(*args, out=...)`` -> exit code of ``run_all.main`` in this process, with
    fast defaults (synthetic data, no plots, no Table 3/4)."""
    import run_all

    def _run(*args, out=None, defaults=True):
        argv = list(args)
        if defaults:
            argv += ['--no-plots', '--no-le', '--quiet']
            if '--datasets' not in argv and '--config' not in argv:
                argv += ['--datasets', 'synthetic-40']
            if '--ablation-datasets' not in argv:
                argv += ['--no-ablation']
        argv += ['--out', str(out or (no_data / 'out'))]
        return run_all.main(argv)
    return _run
