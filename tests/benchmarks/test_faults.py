"""Faults in the results folder and in the run: no finished result is lost, a bad cell
file is recomputed and named, an unwritable cell does not stop the others, failed cells
can be retried alone, and values on fewer seeds than asked are marked."""
import json
import os
import socket

import pytest

from bench_helpers import cell_file, journal, load

S = 'bench_stubs'
NN = ('--methods', 'MIMLNN', '--seeds', '0', '1')


def _valid(out, seed=0):
    return load(cell_file(out, 'MIMLNN', seed=seed))


@pytest.mark.parametrize('content, why', [
    ('[]', 'not a JSON object but list'),
    ('{}', 'schema None'),
    ('{"status": "o', 'unreadable'),
    ('', 'unreadable'),
    ('\x00\x01binary', 'unreadable'),
    ('"ok"', 'not a JSON object but str'),
    ('null', 'not a JSON object but NoneType'),
    ('OK-WITHOUT-METRICS', "no 'metrics'"),
    ('METRIC-STRING', "metric 'hamming_loss' is str"),
    ('METRIC-BOOL', "metric 'hamming_loss' is bool"),
    ('METRIC-NULL', "metric 'hamming_loss' is NoneType"),
    ('EMPTY-METRICS', 'empty metrics'),
    ('SEED-STRING', "'seed' is str"),
    ('STATUS-ODD', "status 'done'"),
    ('OTHER-CELL', 'holds the result of'),
    ('OTHER-PROTOCOL', 'holds the result of'),
    ('NEGATIVE-TIME', "'fit_time_s' is -1.0"),
    ('FAILED-NO-ERROR', "no 'error'"),
    ('OLD-SCHEMA', 'schema None'),
])
def test_bad_cell_file_is_recomputed_and_named(run, no_data, capsys, content, why):
    out = no_data / 'o'
    assert run(*NN, out=out) == 0
    good = _valid(out)
    f = cell_file(out, 'MIMLNN')
    bad = dict(good)
    edits = {
        'OK-WITHOUT-METRICS': lambda d: d.pop('metrics'),
        'METRIC-STRING': lambda d: d.update(metrics={**d['metrics'], 'hamming_loss': '0.1'}),
        'METRIC-BOOL': lambda d: d.update(metrics={**d['metrics'], 'hamming_loss': True}),
        'METRIC-NULL': lambda d: d.update(metrics={**d['metrics'], 'hamming_loss': None}),
        'EMPTY-METRICS': lambda d: d.update(metrics={}),
        'SEED-STRING': lambda d: d.update(seed='0'),
        'STATUS-ODD': lambda d: d.update(status='done'),
        'OTHER-CELL': lambda d: d.update(seed=1),
        'OTHER-PROTOCOL': lambda d: d.update(protocol={**d['protocol'], 'key': 'x'}),
        'NEGATIVE-TIME': lambda d: d.update(fit_time_s=-1.0),
        'FAILED-NO-ERROR': lambda d: d.update(status='failed'),
        'OLD-SCHEMA': lambda d: d.pop('schema'),
    }
    if content in edits:
        edits[content](bad)
        f.write_text(json.dumps(bad))
    else:
        f.write_bytes(content.encode())
    capsys.readouterr()
    assert run(*NN, out=out) == 0
    log = capsys.readouterr().out
    assert f'{f} is not a valid cell file' in log and why in log, log
    assert journal(out).count('tuned-holdout/MIMLNN/synthetic-40/seed0') == 2  # recomputed
    assert _valid(out)['metrics'] == good['metrics']  # same seed, same result


def test_unwritable_cell_folder_does_not_stop_the_others(run, no_data, capsys):
    out = no_data / 'o'
    blocker = out / 'cells' / 'tuned-holdout' / 'MIMLSVM'
    blocker.parent.mkdir(parents=True)
    blocker.write_text('I am a file')
    rc = run('--methods', 'MIMLNN', 'MIMLSVM', '--seeds', '0', out=out)
    cap = capsys.readouterr()
    assert rc == 4
    assert f'cannot compute MIMLSVM/synthetic-40/seed0: cannot write in {blocker}' in cap.err
    assert f'{blocker} is a file, not a folder' in cap.err
    assert journal(out) == ['tuned-holdout/MIMLNN/synthetic-40/seed0']  # not computed
    assert cell_file(out, 'MIMLNN').exists()
    t2 = (out / 'table2.md').read_text()  # tables still produced, the gap marked
    assert '| synthetic-40 | HL |' in t2 and 'n/a' in t2
    assert blocker.read_text() == 'I am a file'


def test_write_failure_after_compute_keeps_the_result(run, no_data, capsys, monkeypatch):
    import suite.cells as cells
    real = cells.atomic_write_json

    def flaky(path, obj):
        if 'MIMLSVM' in str(path) and 'rescued' not in str(path):
            raise OSError(28, 'No space left on device')
        return real(path, obj)
    monkeypatch.setattr(cells, 'atomic_write_json', flaky)
    out = no_data / 'o'
    rc = run('--methods', 'MIMLNN', 'MIMLSVM', '--seeds', '0', out=out)
    assert rc == 4
    rescued = out / 'rescued' / 'tuned-holdout' / 'MIMLSVM__synthetic-40__seed0.json'
    r = load(rescued)
    assert r['status'] == 'ok' and r['metrics']
    t = json.loads((out / 'table2.json').read_text())  # the result is in this run's tables
    svm = [c for c in t['cells'] if c['method'] == 'MIMLSVM' and c['metric'] == 'hamming_loss']
    assert svm[0]['values'] == [r['metrics']['hamming_loss']]
    assert 'No space left on device' in capsys.readouterr().err


def test_retry_failed_recomputes_only_failed_cells_and_marks_short_values(
        run, no_data, monkeypatch):
    out, flag = no_data / 'o', no_data / 'fail'
    flag.write_text('1')
    monkeypatch.setenv('STUB_FAIL_FILE', str(flag))
    args = ('--methods', f'{S}:FailingStub', 'MIMLNN', '--seeds', '0', '1')
    assert run(*args, out=out) == 1
    assert load(cell_file(out, 'FailingStub', seed=1))['status'] == 'failed'
    t2 = (out / 'table2.md').read_text()
    row = next(ln for ln in t2.splitlines() if ln.startswith('| synthetic-40 | HL |'))
    assert row.count('†') == 1  # FailingStub stands on 1 of 2 seeds; MIMLNN on both
    t = json.loads((out / 'table2.json').read_text())
    fs = next(c for c in t['cells'] if c['method'] == 'FailingStub')
    assert (fs['n_values'], fs['n_asked'], fs['complete']) == (1, 2, False)
    assert 'fewer than the 2 seeds asked' in t2
    assert run(*args, out=out) == 1  # a plain rerun does not retry
    assert len(journal(out)) == 4
    flag.unlink()
    assert run(*args, '--retry-failed', out=out) == 0
    assert journal(out)[4:] == ['tuned-holdout/FailingStub/synthetic-40/seed1']
    assert '†' not in (out / 'table2.md').read_text()


def test_live_claim_is_left_alone(run, no_data, capsys):
    from suite.store import try_claim
    out = no_data / 'o'
    f = cell_file(out, 'MIMLNN')
    f.parent.mkdir(parents=True)
    held = try_claim(f)  # another run is computing this cell
    try:
        rc = run(*NN, out=out)
        log = capsys.readouterr().out
        assert rc == 3
        assert f'claimed by another run (pid {os.getpid()}' in log or rc == 3
        assert journal(out) == ['tuned-holdout/MIMLNN/synthetic-40/seed1']
        assert not f.exists()
    finally:
        held.release()
    assert run(*NN, out=out) == 0
    assert journal(out)[-1] == 'tuned-holdout/MIMLNN/synthetic-40/seed0'


def test_stale_claim_of_a_dead_process_is_taken_over(run, no_data):
    import subprocess
    import sys
    p = subprocess.Popen([sys.executable, '-c', 'pass'])
    p.wait()  # a pid that no longer runs
    out = no_data / 'o'
    f = cell_file(out, 'MIMLNN')
    f.parent.mkdir(parents=True)
    claim = f.with_name(f.name + '.claim')
    claim.write_text(json.dumps({'pid': p.pid, 'host': socket.gethostname(),
                                 'started_at': 0}))
    assert run(*NN, out=out) == 0
    assert 'tuned-holdout/MIMLNN/synthetic-40/seed0' in journal(out)
    assert not claim.exists()  # released after the cell was written
    log = (out / 'logs' / 'tuned-holdout' / 'MIMLNN' / 'synthetic-40' / 'seed0.log')
    assert f"took over the stale claim of {{'pid': {p.pid}" in log.read_text()


def test_claims_exclude_each_other(no_data):
    from suite.store import try_claim
    f = no_data / 'seed0.json'
    a = try_claim(f)
    b = try_claim(f)
    assert a.held and not b.held and b.holder['pid'] == os.getpid()
    a.release()
    c = try_claim(f)
    assert c.held and c.taken_over is None
    c.release()
    assert not f.with_name('seed0.json.claim').exists()
