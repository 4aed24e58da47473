"""A redirected run writes plain lines (no carriage returns or escape codes, at most one
line per cell plus a summary); progress bars appear on a terminal only."""
import os
import re
import subprocess
import sys
import threading

import pytest

from bench_helpers import BENCH, subprocess_env

ARGS = ['--datasets', 'synthetic-40', '--no-plots', '--no-le', '--no-ablation']


@pytest.mark.slow
def test_redirected_log_is_plain(tmp_path):
    log = tmp_path / 'run.log'
    with open(log, 'w') as f:
        p = subprocess.run([sys.executable, str(BENCH / 'run_all.py'), *ARGS, '--quick',
                            '--methods', 'GLEMIML', 'MIMLNN', '--seeds', '0',
                            '--out', str(tmp_path / 'o')],
                           stdout=f, stderr=subprocess.STDOUT, timeout=600,
                           env=subprocess_env(GMIML_DATA=tmp_path / 'none'))
    text = log.read_text()
    assert p.returncode == 0, text
    assert '\r' not in text and '\x1b' not in text
    lines = text.splitlines()
    per_cell = [ln for ln in lines if re.match(r'\[run_all\] \d+/2 ', ln)]
    assert len(per_cell) == 2
    assert all(': ok in ' in ln for ln in per_cell)
    assert len(lines) <= 2 + 6, text  # the cells plus a short summary
    assert all(ln.startswith('[run_all] ') for ln in lines), text


@pytest.mark.slow
def test_progress_bar_on_a_terminal(tmp_path):
    import fcntl
    import struct
    import termios
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 100, 0, 0))
    chunks = []
    reader = threading.Thread(target=lambda: _drain(master, chunks), daemon=True)
    reader.start()
    p = subprocess.run([sys.executable, str(BENCH / 'run_all.py'), *ARGS, '--methods',
                        'MIMLNN', '--seeds', '0', '--out', str(tmp_path / 'o')],
                       stdout=subprocess.PIPE, stderr=slave, text=True, timeout=600,
                       env=subprocess_env(GMIML_DATA=tmp_path / 'none'))
    os.close(slave)
    reader.join(10)
    tty = b''.join(chunks).decode(errors='replace')
    assert p.returncode == 0
    assert 'cells' in tty and '\r' in tty  # the tqdm bar, on the terminal
    assert not re.search(r'\[run_all\] \d+/1 ', p.stdout)  # no plain per-cell line


def _drain(fd, chunks):
    while True:
        try:
            b = os.read(fd, 4096)
        except OSError:
            return
        if not b:
            return
        chunks.append(b)
