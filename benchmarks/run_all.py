"""Reproduces the GLEMIML paper's Tables 1-3 side by side with the paper's numbers.

    python benchmarks/run_all.py                 # full run: 5 seeds, all methods and datasets
    python benchmarks/run_all.py --quick         # smoke run (1 seed, fewer epochs), < 5 min
    python benchmarks/run_all.py --methods GLEMIML KISAR --datasets image --seeds 0 1

Every (method, dataset, seed) cell writes its own result file atomically under
``<out>/cells/``; a rerun skips finished cells, so an interrupted run resumes where it
stopped (``--force`` recomputes). Tables, plots and ``environment.json`` are rebuilt from all
finished cells at the end of every run. Missing datasets are skipped with one line each.
"""
import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
REPO = HERE.parent

from suite.cells import Cell, get_dataset, load_cell, run_cell  # noqa: E402
from suite.methods import (METHODS, TABLE2_METHODS, TABLE3_SCENARIOS,  # noqa: E402
                           import_error)

DEFAULT_DATASETS = ['image', 'text', 'GS', 'AV', 'HM', 'PF', 'SC', 'CE', 'DM']
PROTEIN = ['GS', 'AV', 'HM', 'PF', 'SC', 'CE', 'DM']


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--datasets', nargs='+', default=DEFAULT_DATASETS,
                   help='registry names (unavailable ones are skipped with a note); '
                        "'synthetic' or 'synthetic-N' runs on planted synthetic data")
    p.add_argument('--methods', nargs='+', default=TABLE2_METHODS,
                   help=f'Table 2 methods (default: all): {TABLE2_METHODS}')
    p.add_argument('--seeds', nargs='+', type=int, default=None,
                   help='split/model seeds (default: 0 1 2 3 4; --quick: 0)')
    p.add_argument('--ablation-datasets', nargs='*', default=None,
                   help='datasets of Table 3 (default: image and the largest available '
                        'protein dataset); give none to skip Table 3')
    p.add_argument('--no-ablation', action='store_true', help='skip Table 3')
    p.add_argument('--jobs', type=int, default=1, help='cells run in parallel processes')
    p.add_argument('--threads', type=int, default=1,
                   help='torch threads per cell (default 1: the models are small, and '
                        'more threads than free cores slow training down badly)')
    p.add_argument('--quick', action='store_true',
                   help='1 seed and fewer epochs/iterations; results go to <out>/quick')
    p.add_argument('--out', default=str(REPO / 'results'), help='output folder')
    p.add_argument('--force', action='store_true', help='recompute finished cells')
    p.add_argument('--max-cells', type=int, default=None,
                   help='stop (exit code 3) after computing this many cells; the next run '
                        'resumes (used to test resumption and to run in slices)')
    p.add_argument('--no-plots', action='store_true')
    p.add_argument('--no-readme', action='store_true',
                   help='do not update the results block of README.md')
    p.add_argument('--quiet', action='store_true', help='no progress bars')
    return p.parse_args(argv)


def _available(names):
    """Loads each dataset once; returns the available ones and prints one line per
    missing one. An unknown name is an error (SystemExit 2), not a skip."""
    ok = []
    for n in names:
        try:
            get_dataset(n)
        except KeyError as e:
            print(f'[run_all] {e.args[0] if e.args else e}', file=sys.stderr)
            raise SystemExit(2)
        except FileNotFoundError as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            print(f'[run_all] skipping dataset {n}: not available ({first})')
            continue
        ok.append(n)
    return ok


def main(argv=None) -> int:
    args = parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    from tqdm.auto import tqdm

    out = Path(args.out) / ('quick' if args.quick else '')
    out.mkdir(parents=True, exist_ok=True)
    seeds = args.seeds if args.seeds is not None else ([0] if args.quick else [0, 1, 2, 3, 4])
    unknown = [m for m in args.methods if m not in METHODS]
    if unknown:
        print(f'[run_all] unknown method(s) {unknown}; known: {list(METHODS)}', file=sys.stderr)
        return 2
    methods = []
    for m in args.methods:
        err = import_error(m)
        if err:
            print(f'[run_all] skipping method {m}: cannot be built here ({err})')
        else:
            methods.append(m)
    datasets = _available(args.datasets)
    if not datasets:
        print('[run_all] no dataset available: set GMIML_DATA or see datasets/README.md',
              file=sys.stderr)
        return 2
    if args.no_ablation:
        abl = []
    elif args.ablation_datasets is not None:
        abl = _available(args.ablation_datasets)
    else:
        prot = [d for d in datasets if d.upper() in PROTEIN]
        prot = sorted(prot, key=lambda d: len(get_dataset(d).Y), reverse=True)[:1]
        abl = [d for d in datasets if d.lower() == 'image'] + prot
    scenarios = [s for s in TABLE3_SCENARIOS if import_error(s) is None] if abl else []
    protein_used = [d for d in abl if d.lower() != 'image']
    protein_note = (f'SC (the paper\'s protein dataset for Table 3) is '
                    f'{"available" if "SC" in protein_used else "not available here"}; '
                    f'the protein column uses {protein_used[0]}, the largest available '
                    f'protein dataset.' if protein_used else 'No protein dataset available.')

    cells = [Cell(m, d, s) for d in datasets for m in methods for s in seeds]
    cells += [Cell(m, d, s) for d in abl for m in scenarios for s in seeds]
    cells = list(dict.fromkeys(cells))  # Table 3's GLEMIML row reuses Table 2's cells
    todo = [c for c in cells if args.force or load_cell(out, c) is None]
    print(f'[run_all] {len(cells)} cells ({len(cells) - len(todo)} already finished, '
          f'{len(todo)} to compute) -> {out}')
    if args.max_cells is not None:
        todo = todo[:args.max_cells]

    t0 = time.time()
    bar = tqdm(total=len(todo), desc='cells', disable=args.quiet, dynamic_ncols=True)
    if args.jobs <= 1 or len(todo) <= 1:
        for c in todo:
            bar.set_postfix_str(c.key)
            run_cell(c, str(out), quick=args.quick, verbose=not args.quiet,
                     threads=args.threads)
            bar.update()
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed
        threads = args.threads
        with ProcessPoolExecutor(args.jobs, mp_context=mp.get_context('spawn')) as ex:
            futs = {ex.submit(run_cell, c, str(out), args.quick, False, threads): c
                    for c in todo}
            for f in as_completed(futs):
                f.result()
                bar.set_postfix_str(futs[f].key)
                bar.update()
    bar.close()
    elapsed = time.time() - t0

    results = [r for r in (load_cell(out, c) for c in cells) if r is not None]
    pending = len(cells) - len(results)
    failed = [r for r in results if r['status'] != 'ok']
    for r in failed:
        print(f"[run_all] FAILED cell {r['method']}/{r['dataset']}/seed{r['seed']}: "
              f"{r.get('error')}")

    from suite.report import (update_readme, write_environment, write_reports,
                              write_table1)
    write_table1(out)
    table2 = write_reports(out, results, methods, datasets, scenarios, abl, protein_note,
                           seeds, make_plots=not args.no_plots)
    env = write_environment(out, argv, {
        'seeds': seeds, 'datasets': datasets, 'methods': methods,
        'ablation_datasets': abl, 'quick': args.quick, 'jobs': args.jobs,
        'cells_total': len(cells), 'cells_computed_this_run': len(todo),
        'cells_pending': pending, 'cells_failed': len(failed),
        'wall_time_this_run_s': round(elapsed, 1)})
    print(f'[run_all] computed {len(todo)} cells in {elapsed:.0f} s; tables in {out}')
    print('[run_all] average rank:', ', '.join(
        f'{k} {v:.2f}' for k, v in sorted(table2['average_rank'].items(), key=lambda kv: kv[1])))
    if pending:
        print(f'[run_all] {pending} cells not computed yet: run the same command again to '
              f'finish them')
        return 3
    default_run = (args.methods == TABLE2_METHODS and args.datasets == DEFAULT_DATASETS
                   and args.seeds is None and not args.quick and not args.no_ablation
                   and args.ablation_datasets is None)
    if not args.no_readme and default_run and Path(args.out).resolve() == (
            REPO / 'results').resolve():
        update_readme(REPO / 'README.md', out, table2, env)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
