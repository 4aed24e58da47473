"""Reproduces the GLEMIML paper's Tables 1-3 (and Table 4, label-enhancement recovery,
where benchmarks/le_recovery.py and its data are present), side by side with the paper.

    python benchmarks/run_all.py                   # full run: 5 seeds, tuned on validation
    python benchmarks/run_all.py --jobs 2          # the same on 2 cores
    python benchmarks/run_all.py --quick           # smoke run (1 seed, fewer epochs)
    python benchmarks/run_all.py --selection reference   # reference settings only
    python benchmarks/run_all.py --split kfold --folds 5 --seeds 0
    python benchmarks/run_all.py --datasets my_data.arff --method mypkg.mod:MyEstimator
    python benchmarks/run_all.py --config my_benchmark.json

Every cell (method, data set, seed[, fold]) is claimed while computed and written
atomically to <out>/cells/<protocol>/<method>/<dataset>/seed<S>.json, with its test
predictions in a .npz beside it; a rerun skips finished cells (--force recomputes them,
--retry-failed recomputes the failed ones), so an interrupted run resumes where it stopped.
Outputs in <out>: table1.md, table2.md/.csv/.json, table3.md/.csv, table4.md/.json (from
le_recovery.py), cd_diagram*.png, plots/*.png (with le_recovery.png and
image_label_significance.png from le_figures.py), environment.json, logs/. The README is
changed only with --update-readme.

Exit codes: 0 all done; 1 a method failed on some cell (or Table 4 failed); 2 bad arguments;
3 cells left to compute (--max-cells, or claimed by another run): run again; 4 an output
could not be written (the message names it; finished results are kept in <out>/rescued/).
"""
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
REPO = HERE.parent

from suite.cells import Task  # noqa: E402
from suite.cli import parse_args  # noqa: E402
from suite.cost import estimate, known_times  # noqa: E402
from suite.data import get_dataset  # noqa: E402
from suite.methods import (METHODS, TABLE3_SCENARIOS, MethodError,  # noqa: E402
                           configurations, resolve_class)
from suite.pool import Progress, run_tasks  # noqa: E402
from suite.store import Cell, cell_path, log_path, probe_writable, read_cell  # noqa: E402


def say(msg: str, err: bool = False) -> None:
    print(f'[run_all] {msg}', file=sys.stderr if err else sys.stdout, flush=True)


def _usage_error(msg: str):
    print(f'run_all.py: error: {msg}', file=sys.stderr)
    raise SystemExit(2)


def _methods(opts):
    """The usable methods ``{name: (spec, class)}``: a built-in one that cannot be
    imported here is skipped with a note; a user's one, or bad parameters, is an error."""
    out = {}
    for spec in opts.methods:
        try:
            cls = resolve_class(spec.target)
        except MethodError as e:
            if METHODS.get(spec.name) is spec:
                say(f'skipping method {spec.name}: cannot be built here ({e})')
                continue
            _usage_error(str(e))
        try:
            configurations(spec, cls, quick=opts.quick)
        except MethodError as e:
            _usage_error(str(e))
        out[spec.name] = (spec, cls)
    return out


def _available(refs, what):
    ok = []
    for ref in refs:
        try:
            data = get_dataset(ref)
        except FileNotFoundError as e:
            if ref.kind == 'path':
                _usage_error(f'{what}: cannot read {ref.source}: {e}')
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            say(f'skipping dataset {ref.name}: not available ({first})')
            continue
        except (KeyError, ValueError, OSError) as e:
            _usage_error(f'{what}: cannot read data set {ref.name} from {ref.source}: '
                         f'{type(e).__name__}: {e}')
        ok.append((ref, len(data.Y)))
    return ok


def _status(o) -> str:
    r = o.get('result')
    if o['outcome'] == 'computed':
        sel = r.get('selection') or {}
        s = (f"ok in {sel.get('total_time_s', 0):.1f} s (configuration {sel.get('chosen')} "
             f"of {sel.get('n_configs')})" if r['status'] == 'ok' else f"FAILED: {r['error']}")
        if o.get('write_error'):
            s += f"; {o['write_error']}; result kept in {o.get('rescued') or 'memory only'}"
        return s
    if o['outcome'] == 'busy':
        h = o['holder']
        return f"claimed by another run (pid {h.get('pid')} on {h.get('host')}); left to it"
    return o.get('reason') or o.get('error') or o['outcome']


def _table4(out: Path, quick: bool) -> int:
    if not (HERE / 'le_recovery.py').exists():
        say('Table 4 skipped: benchmarks/le_recovery.py is not in this checkout')
        return 0
    import le_recovery
    try:
        rc = le_recovery.main(['--out', str(out)] + (['--quick'] if quick else []))
    except FileNotFoundError as e:
        say(f"Table 4 skipped: label-distribution data missing ({str(e).splitlines()[0]})")
        return 0
    except SystemExit as e:
        rc = e.code
    except Exception as e:  # noqa: BLE001 - Tables 1-3 are written; report and go on
        say(f'Table 4 failed: {type(e).__name__}: {e}', err=True)
        return 1
    if rc:
        say(f'Table 4 failed: le_recovery.main returned {rc}', err=True)
    return 1 if rc else 0


def _le_figures(out: Path, quick: bool) -> int:
    """The label-significance figure of a few image bags (issue 11, item 5), next to
    Table 4; skipped with a message when the image data or le_figures.py is missing."""
    if not (HERE / 'le_figures.py').exists():
        say('label-significance figure skipped: benchmarks/le_figures.py is not in this '
            'checkout')
        return 0
    import le_figures
    try:
        path = le_figures.image_significance_figure(out, quick=quick)
    except FileNotFoundError as e:
        say(f"label-significance figure skipped: image data missing "
            f"({str(e).splitlines()[0]})")
        return 0
    except Exception as e:  # noqa: BLE001 - the tables are written; report and go on
        say(f'label-significance figure failed: {type(e).__name__}: {e}', err=True)
        return 1
    say(f'label-significance figure: {path}')
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    opts = parse_args(argv, __doc__, REPO / 'results')
    out, protocol, quick = opts.out, opts.protocol, opts.quick
    usable = _methods(opts)
    datasets = _available(opts.datasets, '--datasets')
    if not datasets:
        say('no dataset available: set GMIML_DATA or see datasets/README.md', err=True)
        return 2
    if opts.ablation_datasets is not None:
        abl = _available(opts.ablation_datasets, '--ablation-datasets')
    else:
        prot = sorted((x for x in datasets if x[0].protein), key=lambda x: -x[1])[:1]
        abl = [x for x in datasets if x[0].name == 'image'] + prot
    scenarios = []
    if abl:
        for s in TABLE3_SCENARIOS:
            if s not in usable:
                try:
                    usable[s] = (METHODS[s], resolve_class(METHODS[s].target))
                except MethodError as e:
                    say(f'skipping scenario {s}: cannot be built here ({e})')
                    continue
            scenarios.append(s)
    methods = [m for m in (s.name for s in opts.methods) if m in usable]
    refs = {r.name: r for r, _ in datasets + abl}
    protein = [r.name for r, _ in abl if r.name != 'image']
    protein_note = (f"SC (the paper's protein data set for Table 3) is "
                    f"{'available' if 'SC' in protein else 'not available here'}; the protein "
                    f'column uses {protein[0]}, the largest available protein data set.'
                    if protein else 'No protein data set in Table 3.')

    grid = [(d, m) for d, _ in datasets for m in methods] + [(d, s) for d, _ in abl
                                                              for s in scenarios]
    cells = list(dict.fromkeys(Cell(m, d.name, s, f) for d, m in grid for s in opts.seeds
                               for f in protocol.fold_ids))
    todo = []
    for c in cells:
        res, bad = read_cell(cell_path(out, protocol.key, c), c, protocol.key)
        if bad:
            say(f'{cell_path(out, protocol.key, c)} is not a valid cell file ({bad}); '
                'recomputing it')
        if (res is None or opts.force
                or (res['status'] == 'failed' and opts.retry_failed)):
            todo.append(c)
    probes, unwritable = {}, {}
    for c in todo:
        for folder in (cell_path(out, protocol.key, c).parent,
                       log_path(out, protocol.key, c).parent):
            if folder not in probes:
                probes[folder] = probe_writable(folder)
            if probes[folder]:
                unwritable[c] = probes[folder]
    for c, why in unwritable.items():
        say(f'cannot compute {c.key}: {why}', err=True)
    n_done = len(cells) - len(todo)
    todo = [c for c in todo if c not in unwritable]
    say(f'{len(cells)} cells of protocol {protocol.key} ({n_done} finished, {len(todo)} to '
        f'compute' + (f', {len(unwritable)} unwritable' if unwritable else '') + f') -> {out}')
    if opts.max_cells is not None:
        todo = todo[:opts.max_cells]
    n_cfg = {m: (1 if protocol.selection == 'reference' else
                 len(configurations(spec, cls, quick)[0])) for m, (spec, cls) in usable.items()}
    times = known_times(out, quick, fallback=REPO / 'results' / 'table2.json')
    per_cell = {c: times.get((c.method, c.dataset), float('inf')) * n_cfg[c.method]
                for c in todo}
    est, unknown = estimate([(c.method, c.dataset, n_cfg[c.method]) for c in todo], times)
    if todo and unknown == len(todo):
        say('estimated cost: unknown (no cell of these methods and data sets timed before)')
    elif todo:
        say(f'estimated cost: {est / 60:.1f} min of cell time (~{est / 60 / opts.jobs:.1f} '
            f'min with --jobs {opts.jobs}) for the {len(todo) - unknown} cells of methods and '
            'data sets timed before' + (f'; {unknown} more never timed' if unknown else ''))
    if opts.jobs > 1:  # longest first: the last cells to end are short ones
        todo.sort(key=lambda c: -per_cell[c])

    tty = sys.stderr.isatty()
    run_started = time.time()
    tasks = [Task(c, usable[c.method][0], refs[c.dataset], protocol, str(out), quick,
                  opts.threads, tty and not opts.quiet and opts.jobs == 1, opts.force,
                  opts.retry_failed, run_started) for c in todo]
    progress = Progress(len(tasks), quiet=opts.quiet, tty=tty)
    outcomes = {}
    try:
        for o in run_tasks(tasks, opts.jobs):
            outcomes[o['cell']] = o
            progress.update(f"{o['cell'].key}", _status(o))
    except KeyboardInterrupt:
        progress.close()
        say('interrupted: finished cells are kept; run the same command again to resume',
            err=True)
        return 130
    progress.close()
    elapsed = time.time() - run_started

    results, pending = [], []
    for c in cells:
        o = outcomes.get(c, {})
        if o.get('result') is not None:
            results.append(o['result'])
            continue
        res, _ = read_cell(cell_path(out, protocol.key, c), c, protocol.key)
        (results.append(res) if res is not None else pending.append(c))
    computed = [o['result'] for o in outcomes.values() if o['outcome'] == 'computed']
    failed = [r for r in results if r['status'] != 'ok']
    lost = {o['cell']: o for o in outcomes.values()
            if o.get('write_error') or o['outcome'] in ('unwritable', 'lost')}
    times_cell = [r['selection']['total_time_s'] for r in computed if r['status'] == 'ok']

    from suite.outputs import update_readme, write_environment, write_reports, write_table1
    from suite.report import ReportContext
    ctx = ReportContext({m: usable[m][0] for m in usable}, methods,
                        [r.name for r, _ in datasets], scenarios, [r.name for r, _ in abl],
                        protein_note, opts.seeds, protocol, make_plots=opts.plots)
    try:
        write_table1(out)
        table2 = write_reports(out, results, ctx)
        env = write_environment(out, argv, {
            'protocol': protocol.as_dict(), 'seeds': opts.seeds, 'quick': quick,
            'datasets': {r.name: r.source for r, _ in datasets}, 'methods': methods,
            'ablation_datasets': [r.name for r, _ in abl], 'jobs': opts.jobs,
            'threads': opts.threads, 'cells_total': len(cells),
            'cells_computed_this_run': len(computed), 'cells_pending': len(pending),
            'cells_failed': len(failed), 'cells_unwritable': len(unwritable) + len(lost),
            'estimated_cell_time_s': round(est, 1), 'estimate_unknown_cells': unknown,
            'cell_time_this_run_s': round(sum(times_cell), 1),
            'wall_time_this_run_s': round(elapsed, 1)})
    except OSError as e:
        say(f'cannot write the tables in {out}: {type(e).__name__}: {e}', err=True)
        return 4
    rc4 = _table4(out, quick) if opts.le else 0
    if opts.le and opts.plots:
        rc4 = _le_figures(out, quick) or rc4
    if opts.update_readme:
        ok = update_readme(REPO / 'README.md', out, env)
        say('README.md results block updated' if ok else 'README.md has no results block')

    say(f'computed {len(computed)} cells in {elapsed:.0f} s' + (
        f' (per cell: median {statistics.median(times_cell):.1f} s, max '
        f'{max(times_cell):.1f} s)' if times_cell else '') + f'; tables in {out}')
    ranked = sorted(table2['average_rank'].items(), key=lambda kv: kv[1])
    say('average rank: ' + ', '.join(f'{k} {v:.2f}' for k, v in ranked))
    if failed:
        say(f'{len(failed)} cells failed: ' + '; '.join(
            f"{r['method']}/{r['dataset']}/seed{r['seed']}: {r['error'][:80]}"
            for r in failed[:5]) + (' ...' if len(failed) > 5 else '')
            + ' (--retry-failed recomputes them)')
    if unwritable or lost:
        why = [f'{c.key}: {o.get("write_error") or o.get("error")}' for c, o in lost.items()]
        why += [f'{c.key}: {w}' for c, w in unwritable.items()]
        say(f'{len(why)} cells could not be written where they belong: ' + '; '.join(why),
            err=True)
        return 4
    if pending:
        say(f'{len(pending)} cells not computed yet: run the same command again to finish '
            'them')
        return 3
    return 1 if failed or rc4 else 0


if __name__ == '__main__':
    sys.exit(main())
