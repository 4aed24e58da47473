"""The command line: python -m gmiml.datasets stats / download."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gmiml.datasets.__main__ import main
from gmiml.datasets.locate import downloadable_layout
from gmiml.datasets.registry import KNOWN_FILES, get_info

from miml_writers import arff_text, write_wu_files

REPO = Path(__file__).resolve().parents[2]
PUBLIC = ['image', 'text', 'GS', 'AV', 'HM']


def _run(*args, **kw):
    e = {k: v for k, v in os.environ.items() if k != 'GMIML_MIRROR'}
    return subprocess.run([sys.executable, '-m', 'gmiml.datasets', *args], cwd=REPO,
                          capture_output=True, text=True, env=e, timeout=300)


def test_stats_on_paths(tmp_path, small_protein, capsys):
    bags, Y = small_protein
    write_wu_files(tmp_path / 'mine', bags, Y)
    (tmp_path / 'm.arff').write_text(arff_text(bags, Y, ['a', 'b', 'c']))
    assert main(['stats', str(tmp_path / 'mine'), '--json']) == 0
    (row, ) = json.loads(capsys.readouterr().out)
    assert (row['name'], row['bags'], row['labels'], row['dim']) == ('mine', 6, 3, 4)
    assert main(['stats', str(tmp_path / 'm.arff'), '--n-labels', '3']) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[2].split()[:5] == ['m', 'yes', '6', '3', '4']


@pytest.mark.parametrize('argv,match', [
    (['stats', 'NOPE/x.arff'], r"^error: NOPE/x.arff: no such file or folder\n$"),
    (['stats', 'nope'], r"^error: unknown MIML data set 'nope'; known: "),
    (['stats', '{tmp}/m.arff'], r"error: .*m.arff: which attributes are the labels\? .*"
                                r"n_labels=3"),
    (['stats', '{tmp}/m.arff', '--n-labels', '5'], r"n_labels=5 but only 3 attribute"),
    (['stats', '{tmp}/m.arff', '--entry', '1'], r"is read as relational_arff, which takes no "
                                                r"entry= argument"),
    (['stats', '{tmp}/empty'], r"no MIML data found in this folder"),
    (['stats', '{tmp}/bad.arff', '--n-labels', '3'], r"bad.arff, line 15 \(bag '1'\): "
                                                     r"non-numeric value 'x' at instance 0"),
])
def test_stats_errors(tmp_path, small_protein, capsys, argv, match):
    bags, Y = small_protein
    text = arff_text(bags, Y, ['a', 'b', 'c'])
    (tmp_path / 'm.arff').write_text(text)
    lines = text.splitlines()
    assert lines[13] == '@data'
    lines[14] = lines[14].replace(lines[14].split('"')[1].split(',')[0], 'x', 1)
    (tmp_path / 'bad.arff').write_text('\n'.join(lines))
    (tmp_path / 'empty').mkdir()
    assert main([a.replace('{tmp}', str(tmp_path)) for a in argv]) == 1
    assert re.search(match, capsys.readouterr().err)


@pytest.mark.parametrize('argv,match', [
    (['stats', 'x', '--n-labels', '0'], r"--n-labels: expected a positive integer, got '0'"),
    (['stats', 'x', '--entry', 'a,b'], r"--entry: expected an index or N_BAGS,N_LABELS"),
    (['stats', 'x', '--label-layout', 'rows'], r"--label-layout: invalid choice: 'rows'"),
    (['download'], r"the following arguments are required: NAME"),
    (['download', 'GS', '--timeout', '-1'], r"--timeout: expected a positive number of "
                                            r"seconds, got '-1'"),
    (['frobnicate'], r"invalid choice: 'frobnicate'"),
])
def test_usage_errors_exit_2(capsys, argv, match):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    assert re.search(match, capsys.readouterr().err)


def test_download_offline_names_every_file(tmp_path, closed_port_url, capsys):
    assert main(['download', *PUBLIC, '--root', str(tmp_path / 'raw'), '--mirror',
                 closed_port_url]) == 1
    out, err = capsys.readouterr()
    assert out == '' and 'Connection refused' in err
    for rel in [f for name in PUBLIC for f in downloadable_layout(get_info(name)).files]:
        k = KNOWN_FILES[rel]
        assert f"  {tmp_path / 'raw' / k.path}\n      <- {k.url} ({k.size} bytes, " \
               f"sha256 {k.sha256})" in err
    assert not (tmp_path / 'raw').exists()  # nothing half-made


@pytest.mark.slow  # a real process: imports torch
def test_download_from_local_mirror_then_no_network(data_root, tmp_path, http_mirror,
                                                    closed_port_url, monkeypatch, capsys):
    root = tmp_path / 'raw'
    # a real process with its output redirected: plain lines, no bar
    r = _run('download', *PUBLIC, '--root', str(root), '--mirror', http_mirror(data_root))
    assert r.returncode == 0, r.stderr
    assert '\r' not in r.stderr and '\x1b' not in r.stderr
    assert r.stderr.count('  sha256 ok\n') == 9
    assert r.stdout.splitlines()[2] == (f"GS: 379 bags x 320 labels, 216 features, in {root} "
                                        f"(GS/instances.txt, GS/labels.txt)")
    # everything present: a second run needs no network (the mirror is unreachable now)
    monkeypatch.setenv('GMIML_MIRROR', closed_port_url)
    assert main(['download', *PUBLIC, '--root', str(root)]) == 0
    out, err = capsys.readouterr()
    assert err == '' and out == r.stdout


def test_download_corrupt_local_copy_is_reported(data_root, tmp_path, capsys):
    root = tmp_path / 'raw'
    (root / 'GS').mkdir(parents=True)
    for f in ('instances.txt', 'labels.txt'):
        (root / 'GS' / f).write_bytes((data_root / 'GS' / f).read_bytes())
    with open(root / 'GS' / 'labels.txt', 'ab') as f:
        f.write(b'\n')
    assert main(['download', 'GS', '--root', str(root)]) == 1
    err = capsys.readouterr().err
    assert f"error: {root / 'GS' / 'labels.txt'}: sha256 mismatch" in err
    assert 'python -m gmiml.datasets download GS' in err


def test_download_into_unwritable_root(tmp_path, closed_port_url, capsys):
    (tmp_path / 'f').write_text('')
    assert main(['download', 'HM', '--root', str(tmp_path / 'f' / 'raw'), '--mirror',
                 closed_port_url]) == 1
    assert re.match(r"error: cannot write into .*f/raw/HM ", capsys.readouterr().err)


@pytest.mark.slow  # a real process: imports torch
def test_progress_bar_on_a_terminal(data_root, tmp_path, http_mirror):
    pty = pytest.importorskip('pty')
    base = http_mirror(data_root)
    master, slave = pty.openpty()
    env = dict(os.environ)
    env.pop('COLUMNS', None)  # the pty reports 0 columns: the bar must still show
    p = subprocess.Popen([sys.executable, '-m', 'gmiml.datasets', 'download', 'HM', '--root',
                          str(tmp_path), '--mirror', base], cwd=REPO, stdout=subprocess.PIPE,
                         stderr=slave, env=env)
    out, _ = p.communicate(timeout=300)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    err = b''.join(chunks).decode(errors='replace')
    assert p.returncode == 0
    assert '\r' in err and 'HM/MIMLprotein_test.mat' in err and '100%' in err
    assert 'downloading HM' not in err  # the bar replaces the plain lines


def test_stats_does_not_import_torch(data_root):
    # the data-set command line stays light: no torch, torch_geometric or scipy import
    code = ('import sys; from gmiml.datasets.__main__ import main; '
            f'main(["stats", "image", "--root", {str(data_root)!r}]); '
            'heavy = [m for m in ("torch", "torch_geometric", "scipy") if m in sys.modules]; '
            'assert not heavy, heavy')
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                       cwd=str(root), env=dict(os.environ, PYTHONPATH=str(root)))
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'image' in r.stdout
