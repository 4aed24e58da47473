"""Shared helpers of the performance benchmarks (timing, peak memory, results files).

Every script in ``benchmarks/perf`` prints a table and writes
``results/<name>.json`` (with the command that made it, the machine load and the library
versions) and ``results/<name>.png``.

Peak memory is measured per configuration in a fresh child process (``python <script>
--worker <json>``): the child builds its inputs, resets the kernel's high-water mark of its
resident set (``/proc/self/clear_refs``, value 5, Linux >= 4.0), runs the measured call once
and reports ``VmHWM - VmRSS`` from before the call, i.e. the extra resident memory of the
call itself (torch, numpy and scikit-learn allocations alike; ``tracemalloc`` sees none of
torch's). Without ``/proc`` it falls back to ``resource.getrusage`` (``ru_maxrss`` of the
child, which then includes the inputs).
"""
import json
import os
import platform
import shlex
import subprocess
import sys
import time

from gmiml.utils.memory import memory_status, peak_since, reset_peak  # noqa: F401

__all__ = ['HERE', 'RESULTS', 'set_threads', 'best_of', 'timed_loop', 'memory_status',
           'reset_peak', 'peak_since', 'machine_meta', 'command_line', 'run_worker',
           'worker_main', 'print_table', 'write_results', 'loglog_slope']

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, 'results')
_ROOT = os.path.dirname(os.path.dirname(HERE))


def set_threads(n):
    """Pins torch and the BLAS libraries to ``n`` threads (call before heavy imports)."""
    n = int(n)
    for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[var] = str(n)
    import torch
    torch.set_num_threads(n)
    return n


def best_of(fn, repeat=3, min_time=0.0):
    """Runs ``fn`` at least ``repeat`` times (and until ``min_time`` seconds have passed)
    and returns ``(best_seconds, last_result)``: the best run is the least disturbed by
    the other processes sharing the machine."""
    best, out, start, i = float('inf'), None, time.perf_counter(), 0
    while i < repeat or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
        i += 1
    return best, out


def timed_loop(items, fn, budget_s, min_items=10, repeat=1):
    """Times ``fn(item)`` over a prefix of ``items`` that fits in about ``budget_s``
    seconds (at least ``min_items``), after one untimed warm-up call; returns ``(seconds_per_item, n_timed, results)``.
    The per-item time is the best of ``repeat`` passes over that prefix."""
    items = list(items)
    if items:
        fn(items[0])  # warm-up (imports, lazy initialisation)
    # first pass: find how many items fit the budget
    t0 = time.perf_counter()
    results = []
    for j, it in enumerate(items):
        results.append(fn(it))
        if j + 1 >= min_items and time.perf_counter() - t0 > budget_s:
            break
    n = len(results)
    best = (time.perf_counter() - t0) / n
    for _ in range(repeat - 1):
        t0 = time.perf_counter()
        for it in items[:n]:
            fn(it)
        best = min(best, (time.perf_counter() - t0) / n)
    return best, n, results


def _load():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def command_line():
    """The command that launched this script, relative to the repository root."""
    script = os.path.relpath(os.path.abspath(sys.argv[0]), _ROOT)
    env = ''.join(f'{v}={os.environ[v]} ' for v in ('OMP_NUM_THREADS',)
                  if v in os.environ)
    return env + 'python ' + ' '.join(shlex.quote(a) for a in [script] + sys.argv[1:])


def machine_meta(threads):
    import numpy
    import scipy
    import sklearn
    import torch
    import torch_geometric
    return {
        'command': command_line(),
        'date': time.strftime('%Y-%m-%d %H:%M:%S'),
        'threads': threads,
        'cpu_count': os.cpu_count(),
        'load_average_1_5_15_at_start': _load(),
        'machine': platform.machine(),
        'processor': platform.processor() or None,
        'python': platform.python_version(),
        'torch': torch.__version__,
        'torch_geometric': torch_geometric.__version__,
        'numpy': numpy.__version__,
        'scipy': scipy.__version__,
        'scikit-learn': sklearn.__version__,
    }


def run_worker(script, config, threads, timeout=1800):
    """Runs one configuration in a fresh ``python <script> --worker <json>`` process and
    returns the dict it prints on its last stdout line."""
    env = dict(os.environ)
    for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        env[var] = str(threads)
    env['PYTHONPATH'] = os.pathsep.join([_ROOT, HERE] + (
        [env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    proc = subprocess.run(
        [sys.executable, script, '--worker', json.dumps(config), '--threads', str(threads)],
        capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f'worker {config} failed (exit {proc.returncode}):\n'
                           f'{proc.stderr[-4000:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def worker_main(argv, fn):
    """Entry of a worker process: ``argv`` holds ``--worker <json> --threads <n>``;
    prints ``fn(config, threads)`` as one JSON line."""
    i = argv.index('--worker')
    config = json.loads(argv[i + 1])
    threads = int(argv[argv.index('--threads') + 1]) if '--threads' in argv else 1
    set_threads(threads)
    result = fn(config, threads)
    sys.stdout.write('\n' + json.dumps(result) + '\n')
    return 0


def _fmt(v):
    if isinstance(v, bool):
        return 'yes' if v else 'NO'
    if isinstance(v, float):
        if v != v:
            return '-'
        if abs(v) >= 1000:
            return f'{v:,.0f}'
        if abs(v) >= 10:
            return f'{v:.1f}'
        return f'{v:.3g}'
    if v is None:
        return '-'
    return str(v)


def print_table(rows, columns, title=None):
    """Prints ``rows`` (dicts) as a fixed-width table; ``columns`` is a list of
    ``(key, header)``."""
    cells = [[h for _, h in columns]] + [[_fmt(r.get(k)) for k, _ in columns]
                                         for r in rows]
    widths = [max(len(c[j]) for c in cells) for j in range(len(columns))]
    if title:
        print(title)
    for n, c in enumerate(cells):
        print('  '.join(s.rjust(w) for s, w in zip(c, widths)))
        if n == 0:
            print('  '.join('-' * w for w in widths))
    print()


def write_results(name, meta, payload, fig=None):
    """Writes ``results/<name>.json`` (``meta`` + ``payload``) and, when given, the
    matplotlib figure as ``results/<name>.png``; returns the JSON path."""
    os.makedirs(RESULTS, exist_ok=True)
    meta = dict(meta)
    meta['load_average_1_5_15_at_end'] = _load()
    path = os.path.join(RESULTS, f'{name}.json')
    with open(path, 'w') as f:
        json.dump({'meta': meta, **payload}, f, indent=1)
        f.write('\n')
    if fig is not None:
        fig.savefig(os.path.join(RESULTS, f'{name}.png'), dpi=110, bbox_inches='tight')
    print(f'wrote {os.path.relpath(path, _ROOT)}' +
          (f' and {name}.png' if fig is not None else ''))
    return path


def loglog_slope(x, y):
    """Least-squares slope of ``log y`` against ``log x`` (1 = linear growth)."""
    import numpy as np
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    return float(np.polyfit(lx, ly, 1)[0])
