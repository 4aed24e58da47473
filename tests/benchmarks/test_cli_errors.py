"""Every bad argument of run_all.py ends the run before any work with exit code 2 and a
message naming the argument and the bad value; nothing is computed or cached."""
import json
import os
import sys

import pytest

from bench_helpers import run_cli, subprocess_env

S = 'bench_stubs'


def _error(run, capsys, *args, out=None):
    with pytest.raises(SystemExit) as e:
        run(*args, out=out)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert 'Traceback' not in err
    return err


@pytest.mark.parametrize('args, words', [
    (['--datasets', 'synthetic-abc'], ["'synthetic-abc'", 'synthetic-N']),
    (['--datasets', 'synthetic-5'], ["'synthetic-5'", '>= 20']),
    (['--datasets', 'synthetic-'], ["'synthetic-'"]),
    (['--datasets', 'no-such-data'], ["unknown MIML data set 'no-such-data'", 'path']),
    (['--datasets', 'missing/file.arff'], ['missing/file.arff', 'no such file']),
    (['--datasets', 'missing.mat'], ['missing.mat', 'no such file']),
    (['--seeds', '-1'], ['--seeds', "'-1' is not a valid seed"]),
    (['--seeds', 'abc'], ['--seeds', "'abc' is not a valid seed"]),
    (['--seeds', '1.5'], ['--seeds', "'1.5'"]),
    (['--seeds', '0', '0'], ['--seeds', 'given twice']),
    (['--jobs', '0'], ['--jobs', "'0' is not a valid number of jobs"]),
    (['--jobs', '-3'], ['--jobs', "'-3'"]),
    (['--jobs', 'two'], ['--jobs', "'two'"]),
    (['--threads', '0'], ['--threads', "'0'"]),
    (['--max-cells', '0'], ['--max-cells', "'0'"]),
    (['--split', 'kfold', '--folds', '1'], ['--folds', "'1'", '>= 2']),
    (['--folds', '3'], ['--folds needs --split kfold']),
    (['--split', 'loo'], ['--split', "'loo'"]),
    (['--selection', 'best'], ['--selection', "'best'"]),
    (['--methods', 'NoSuchMethod'], ["unknown method 'NoSuchMethod'", 'module:Class']),
    (['--methods', 'MIMLNN', 'MIMLNN'], ["'MIMLNN' is given twice"]),
    (['--method', 'no_such_module_xyz:Est'], ['no_such_module_xyz', 'cannot import',
                                              'ModuleNotFoundError']),
    (['--method', f'{S}:Missing'], [f'{S}:Missing', "no attribute 'Missing'"]),
    (['--method', f'{S}:not_a_class'], ['not_a_class is a function, not a class']),
    (['--method', f'{S}:BROKEN'], ['BROKEN is a int, not a class']),
    (['--method', f'{S}:NoPredictProba'], ['lacks the estimator contract',
                                           'predict_proba']),
    (['--method', f'{S}:BadGrid'], ['param_grid must be a non-empty list of dicts']),
    (['--method', 'nocolon'], ["unknown method 'nocolon'", 'module:Class']),
    (['--method', 'a:b:c'], ["'a:b:c'", "expected 'module:Class'"]),
    (['--method', 'missing_file.py:Est'], ['no such file missing_file.py']),
    (['--method', f'{S}:GridStub', '--method', f'{S}:GridStub'], ["'GridStub' is given twice"]),
    (['--ablation-datasets', 'synthetic-40', '--no-ablation'], ['contradict']),
])
def test_bad_argument(run, capsys, args, words):
    err = _error(run, capsys, *args)
    for w in words:
        assert w in err, (w, err)


def test_bad_argument_computes_nothing(run, capsys, no_data):
    out = no_data / 'o'
    _error(run, capsys, '--methods', 'MIMLNN', '--seeds', '-1', out=out)
    assert not (out / 'cells').exists()


def test_out_under_a_file(run, capsys, no_data):
    f = no_data / 'a-file'
    f.write_text('x')
    err = _error(run, capsys, '--methods', 'MIMLNN', out=f / 'results')
    assert '--out' in err and f'{f} is a file, not a folder' in err


def test_out_on_a_read_only_folder(run, capsys, no_data):
    ro = no_data / 'ro'
    ro.mkdir()
    if os.geteuid() == 0:
        if os.system(f'chattr +i "{ro}" 2>/dev/null') != 0:
            pytest.skip('running as root without chattr: no read-only folder to test on')
    else:
        ro.chmod(0o555)
    try:
        err = _error(run, capsys, '--methods', 'MIMLNN', out=ro / 'results')
        assert '--out' in err and f'cannot write in {ro}/results' in err
    finally:
        if os.geteuid() == 0:
            os.system(f'chattr -i "{ro}"')
        ro.chmod(0o755)


def test_unknown_parameter_of_a_method_names_it(run, capsys, no_data):
    cfg = no_data / 'c.json'
    cfg.write_text(json.dumps({'methods': [{'name': 'NN', 'base': 'MIMLNN',
                                            'params': {'epochs': 3}}]}))
    err = _error(run, capsys, '--config', str(cfg))
    assert "takes no parameter(s) ['epochs']" in err and 'params' in err


def test_unknown_quick_key_names_it(run, capsys, no_data):
    cfg = no_data / 'c.json'
    cfg.write_text(json.dumps({'methods': [{'name': 'NN', 'base': 'MIMLNN',
                                            'quick': {'n_iter': 5}}]}))
    err = _error(run, capsys, '--config', str(cfg))
    assert "['n_iter']" in err and 'quick' in err


def test_unknown_grid_key_names_it(run, capsys, no_data):
    cfg = no_data / 'c.json'
    cfg.write_text(json.dumps({'methods': [{'name': 'G', 'class': f'{S}:GridStub',
                                            'grid': [{'quality': 0}, {'qualty': 1}]}]}))
    err = _error(run, capsys, '--config', str(cfg))
    assert "['qualty']" in err and 'grid entry 1' in err


@pytest.mark.parametrize('content, words', [
    ('{"seeds": [0,', ['not valid JSON']),
    ('[1, 2]', ['expected an object of settings, got list']),
    ('{"sedes": [0]}', ["unknown setting 'sedes'"]),
    ('{"seeds": [-1]}', ['seeds', '-1 is not a valid seed']),
    ('{"seeds": 3}', ['seeds must be a list']),
    ('{"jobs": "two"}', ['jobs', "'two'"]),
    ('{"jobs": 1.5}', ['jobs', '1.5']),
    ('{"quick": "yes"}', ['quick must be true or false']),
    ('{"split": "loo"}', ['split must be one of']),
    ('{"methods": [{"name": "X"}]}', ['needs "name" and one of "class" / "base"']),
    ('{"methods": [{"name": "X", "class": "a:B", "base": "MIMLNN"}]}', ['one of "class"']),
    ('{"methods": [{"name": "X", "base": "Nope"}]}', ["unknown base 'Nope'"]),
    ('{"methods": [{"name": "X", "base": "MIMLNN", "extra": 1}]}', ['allowed keys']),
    ('{"methods": [3]}', ['a method is a name or an object']),
    ('{"datasets": [{"name": "x"}]}', ['needs "path"']),
    ('{"datasets": ["synthetic-abc"]}', ["'synthetic-abc'"]),
])
def test_bad_config_file(run, capsys, no_data, content, words):
    cfg = no_data / 'bad.json'
    cfg.write_text(content)
    err = _error(run, capsys, '--config', str(cfg))
    assert '--config' in err
    for w in words:
        assert w in err, (w, err)


def test_missing_config_file(run, capsys, no_data):
    err = _error(run, capsys, '--config', str(no_data / 'nope.json'))
    assert 'no such file' in err and 'nope.json' in err


def test_dataset_path_named_like_a_registered_one(run, capsys, no_data):
    f = no_data / 'image.arff'
    f.write_text('@relation x\n')
    err = _error(run, capsys, '--datasets', str(f))
    assert "would be named 'image'" in err


def test_two_datasets_with_one_name(run, capsys, no_data):
    for d in ('a', 'b'):
        (no_data / d).mkdir()
        (no_data / d / 'mine.arff').write_text('@relation x\n')
    err = _error(run, capsys, '--datasets', str(no_data / 'a' / 'mine.arff'),
                 str(no_data / 'b' / 'mine.arff'))
    assert "two data sets are named 'mine'" in err


def test_unreadable_dataset_file_is_an_argument_error(run, capsys, no_data):
    f = no_data / 'mine.arff'
    f.write_text('this is not an ARFF file\n')
    err = _error(run, capsys, '--datasets', str(f))
    assert 'cannot read' in err and str(f) in err


@pytest.mark.slow
@pytest.mark.parametrize('args, words', [
    (['--datasets', 'synthetic-abc'], ['synthetic-abc']),
    (['--seeds', '-1'], ['seed']),
    (['--jobs', '0'], ['--jobs']),
])
def test_command_line_errors_have_no_traceback(tmp_path, args, words):
    p = run_cli(args + ['--out', str(tmp_path / 'o')], env=subprocess_env(),
                cwd=str(tmp_path), timeout=120)
    assert p.returncode == 2
    assert 'Traceback' not in p.stderr and 'Traceback' not in p.stdout
    assert all(w in p.stderr for w in words)
    assert sys.executable  # the same interpreter ran it
