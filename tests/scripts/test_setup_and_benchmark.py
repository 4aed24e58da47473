"""scripts/setup_env.sh and scripts/benchmark.sh, run in a scratch copy of the repository
with a stand-in Python that records every pip call (no network, no real installs)."""
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PUBLIC = ['image', 'text', 'GS', 'AV', 'HM']

# The venv's python: records pip calls, runs gmiml's data command with the real
# interpreter, stands in for the benchmark runner.
VENV_PY = f"""#!/usr/bin/env bash
case "$1" in
  -c) exit 0 ;;
  -m) if [ "$2" = pip ]; then echo "pip ${{*:3}}" >> "$FAKE_LOG"; exit "${{FAKE_PIP_RC:-0}}"; fi
      PYTHONPATH={REPO} exec {sys.executable} "$@" ;;
  *) echo "run_all ${{*:2}}" >> "$FAKE_LOG" ;;
esac
"""
# The interpreter that creates .venv (PYTHON=...)
BASE_PY = """#!/usr/bin/env bash
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin" && cp "$FAKE_VENV_PY" "$3/bin/python" && chmod +x "$3/bin/python"
  echo "venv $3" >> "$FAKE_LOG"
fi
"""


def _exe(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def scratch(tmp_path):
    repo = tmp_path / 'repo'
    (repo / 'scripts').mkdir(parents=True)
    for f in ('setup_env.sh', 'benchmark.sh', 'test.sh'):
        shutil.copy(REPO / 'scripts' / f, repo / 'scripts' / f)
    shutil.copy(REPO / 'pyproject.toml', repo / 'pyproject.toml')
    log = tmp_path / 'log'
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('GMIML_', 'PYTHON'))}
    env.update(FAKE_LOG=str(log), PYTHON=str(_exe(tmp_path / 'python3', BASE_PY)),
               FAKE_VENV_PY=str(_exe(tmp_path / 'venv_python', VENV_PY)))

    def run(script, *args, **extra):
        log.write_text('')
        r = subprocess.run(['bash', str(repo / 'scripts' / script), *args],
                           env=dict(env, **extra), capture_output=True, text=True,
                           timeout=300)
        return r, log.read_text().splitlines()
    run.repo = repo
    return run


def test_setup_installs_once_then_is_up_to_date(scratch):
    r, calls = scratch('setup_env.sh')
    assert r.returncode == 0, r.stderr
    assert calls == [f"venv .venv", "pip install -q torch==2.13.0",
                     "pip install -q -e .[test,bench]"]  # no pip self-upgrade
    t0 = time.perf_counter()
    r, calls = scratch('setup_env.sh')
    assert r.returncode == 0 and calls == []  # nothing to install: no network needed
    assert r.stdout == "setup_env: .venv is up to date (torch==2.13.0)\n"
    assert time.perf_counter() - t0 < 10


def test_setup_torch_requirement_and_index(scratch):
    scratch('setup_env.sh')
    cpu = 'https://download.pytorch.org/whl/cpu'
    r, calls = scratch('setup_env.sh', GMIML_TORCH_INDEX=cpu)
    assert calls == [f"pip install -q --index-url {cpu} torch==2.13.0",
                     "pip install -q -e .[test,bench]"]
    assert f"installing torch==2.13.0 from {cpu}" in r.stdout
    r, calls = scratch('setup_env.sh', GMIML_TORCH_INDEX=cpu)
    assert calls == []
    r, calls = scratch('setup_env.sh', GMIML_TORCH='torch==2.5.1')
    assert calls[0] == "pip install -q torch==2.5.1"
    r, calls = scratch('setup_env.sh', GMIML_TORCH_VERSION='2.4.0')
    assert calls[0] == "pip install -q torch==2.4.0"


def test_setup_reinstalls_after_pyproject_change_or_failure(scratch):
    scratch('setup_env.sh')
    with open(scratch.repo / 'pyproject.toml', 'a') as f:
        f.write('\n# changed\n')
    assert len(scratch('setup_env.sh')[1]) == 2
    r, calls = scratch('setup_env.sh', GMIML_TORCH='torch==9.9', FAKE_PIP_RC='1')
    assert r.returncode != 0 and calls == ["pip install -q torch==9.9"]
    assert not (scratch.repo / '.venv' / '.gmiml-setup').exists()  # retried next time
    r, calls = scratch('setup_env.sh')
    assert r.returncode == 0 and len(calls) == 2


@pytest.mark.slow  # a real process: imports torch
def test_benchmark_offline_says_what_to_put_where(scratch, tmp_path, closed_port_url):
    raw = tmp_path / 'raw'
    r, calls = scratch('benchmark.sh', GMIML_DATA=str(raw), GMIML_MIRROR=closed_port_url)
    assert r.returncode == 1
    assert not any(c.startswith('run_all') for c in calls)
    assert f"Data root: {raw} (from $GMIML_DATA)" in r.stderr
    assert f"{raw / 'HM' / 'MIMLprotein_test.mat'}\n      <- https://raw.githubusercontent" \
           f".com/xyh2016/MIML-DML/" in r.stderr


@pytest.mark.slow  # a real process: imports torch
def test_benchmark_fetches_missing_data_then_needs_no_network(scratch, tmp_path, data_root,
                                                             http_mirror, closed_port_url):
    raw = tmp_path / 'raw'
    (raw / 'GS').mkdir(parents=True)
    for f in ('instances.txt', 'labels.txt'):
        shutil.copy(data_root / 'GS' / f, raw / 'GS' / f)
    r, calls = scratch('benchmark.sh', '--quick', GMIML_DATA=str(raw),
                       GMIML_MIRROR=http_mirror(data_root))
    assert r.returncode == 0, r.stderr
    assert calls[-1] == 'run_all --quick'
    assert 'downloading GS' not in r.stderr and r.stderr.count('sha256 ok') == 7
    assert sorted(p.name for p in raw.iterdir()) == sorted(PUBLIC)
    # second run: all present, the network is not touched (the mirror is unreachable)
    r, calls = scratch('benchmark.sh', '--seeds', '1', GMIML_DATA=str(raw),
                       GMIML_MIRROR=closed_port_url)
    assert r.returncode == 0, r.stderr
    assert calls == ['run_all --seeds 1'] and r.stdout.count(' bags x ') == 5
