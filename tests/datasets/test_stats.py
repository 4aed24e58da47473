import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gmiml.datasets import dataset_stats
from gmiml.datasets.__main__ import main
from gmiml.datasets.stats import STATS_KEYS, bag_stats, format_stats
from gmiml.io import MIMLBags

from miml_writers import write_wu_files

REPO = Path(__file__).resolve().parents[2]

# PROVENANCE.md figures (sample std)
EXPECTED = {
    'image': (2000, 5, 15, 9.0, 0.0, 1.236, 0.442),
    'text': (2000, 7, 243, 3.559, 2.710, 1.154, 0.373),
    'GS': (379, 320, 216, 3.203, 1.212, 3.142, 3.334),
    'AV': (407, 340, 216, 3.074, 1.164, 4.000, 6.966),
    'HM': (304, 234, 216, 3.125, 1.089, 3.247, 3.022),
}


def test_bag_stats_by_hand():
    bags = [np.ones((n, 2), np.float32) for n in (1, 2, 6)]
    Y = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1]], np.uint8)
    s = bag_stats(MIMLBags(bags, Y, name='t'))
    assert s == {'name': 't', 'available': True, 'bags': 3, 'labels': 3, 'dim': 2,
                 'instances_per_bag_mean': 3.0,
                 'instances_per_bag_std': pytest.approx(np.sqrt(14 / 2)),
                 'labels_per_bag_mean': 2.0, 'labels_per_bag_std': 1.0}


def test_table_on_small_root(tmp_path, small_protein, capsys):
    bags, Y = small_protein
    write_wu_files(tmp_path / 'SC', bags, Y)
    rows = dataset_stats(root=tmp_path)
    assert [r['name'] for r in rows] == ['image', 'text', 'GS', 'AV', 'HM', 'PF', 'SC',
                                         'CE', 'DM']
    assert all(tuple(r) == STATS_KEYS for r in rows)
    sc = rows[6]
    assert sc['available'] and sc['bags'] == 6 and sc['labels'] == 3 and sc['dim'] == 4
    assert sc['labels_per_bag_mean'] == 1.5
    for r in rows[:6] + rows[7:]:
        assert r['available'] is False and all(r[k] is None for k in STATS_KEYS[2:])
    assert main(['stats', '--root', str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert 'SC       yes        6' in out and 'PF       no' in out
    assert format_stats(rows).splitlines()[0].split() == [
        'dataset', 'available', 'bags', 'labels', 'dim', 'instances/bag', 'labels/bag']


def test_cli_reports_corrupt_file(tmp_path, small_protein, capsys):
    bags, Y = small_protein
    write_wu_files(tmp_path / 'AV', bags, Y)  # at the pinned path: checksum mismatch
    assert main(['stats', '--root', str(tmp_path)]) == 1
    assert 'sha256 mismatch' in capsys.readouterr().err
    assert main(['stats', '--root', str(tmp_path), '--no-verify', '--json']) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[3]['bags'] == 6


def test_cli_json_on_real_data(data_root):
    env = dict(os.environ, GMIML_DATA=str(data_root), PYTHONPATH=str(REPO))
    res = subprocess.run([sys.executable, '-m', 'gmiml.datasets', 'stats', '--json'],
                         capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r['name'] for r in rows] == ['image', 'text', 'GS', 'AV', 'HM', 'PF', 'SC',
                                         'CE', 'DM']
    for r in rows:
        assert list(r) == list(STATS_KEYS)
        if r['name'] in EXPECTED:
            want = EXPECTED[r['name']]
            assert r['available'] is True
            assert (r['bags'], r['labels'], r['dim']) == want[:3]
            got = (r['instances_per_bag_mean'], r['instances_per_bag_std'],
                   r['labels_per_bag_mean'], r['labels_per_bag_std'])
            np.testing.assert_allclose(got, want[3:], atol=5e-4)
        else:
            assert r['available'] is False
            assert all(r[k] is None for k in STATS_KEYS[2:])
