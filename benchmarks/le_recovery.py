"""Table 4: how well label-enhancement (LE) methods recover known label distributions.

    python benchmarks/le_recovery.py                       # sj and ns from the data root
    python benchmarks/le_recovery.py --quick               # 1 seed, few GLEMIML epochs
    python benchmarks/le_recovery.py --data my.mat --features X --distributions D
    python benchmarks/le_recovery.py --methods LP,GLLE,mypkg.mod:MyEnhancer --seeds 0-4

Protocol (the LE literature's recovery setting): logical labels come from the true
distributions by the threshold rule (gmiml.utils.logical_from_distribution: a row's
smallest top set of labels with mass >= 0.5); a method sees the features and the logical
labels only and returns a distribution for every instance; six measures, mean over
instances (Chebyshev, Clark, Canberra, KL(true || recovered): lower is better; cosine,
intersection: higher is better). Seeded methods run once per seed (mean +- std over
seeds), deterministic ones once.

Data: every --data is a .mat file with a feature matrix [N, F] and a label-distribution
matrix [N, L] (gmiml.io.read_ldl_mat; --features / --distributions name the variables
of every --data file when the usual names do not match). Without --data: ldl/sj.mat and
ldl/ns.mat under the data root ($GMIML_DATA, else datasets/raw); a missing file raises
FileNotFoundError naming it (benchmarks/run_all.py then skips Table 4).

Methods (--methods, comma-separated): LP, GLLE, softmax(L), L/|L|, GLEMIML, or any
'module:Attr': a class with fit_transform(X, L) (random_state passed when it has one), a
class with fit(bags, Y) and label_distribution(bags, Y) (run with each instance a bag of
one), or a function of (X, L) or of L alone returning the distributions. GLEMIML is
gmiml.estimators.glemiml_enhancer:GLEMIMLEnhancer when importable, else
GLEMIMLClassifier(random_state=s).fit(bags, L).label_distribution(bags, L) on bags of one.

Outputs in --out (default results/): table4.md, table4.json, plots/le_recovery.png (true
and recovered distributions of a few instances). Exit codes: 0 done; 1 a method failed
(the tables say where); 2 bad arguments or data.
"""
import argparse
import importlib
import inspect
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

MEASURES = ('chebyshev', 'clark', 'canberra', 'kl_divergence', 'cosine', 'intersection')
LOWER = ('chebyshev', 'clark', 'canberra', 'kl_divergence')
#: built-in methods: name -> 'module:Attr' candidates, the first importable one is used
METHODS = {
    'LP': ('gmiml.baselines.lp:LP', ),
    'GLLE': ('gmiml.baselines.glle:GLLE', ),
    'softmax(L)': ('gmiml.utils.label_distribution:softmax_labels', ),
    'L/|L|': ('gmiml.utils.label_distribution:normalized_labels', ),
    'GLEMIML': ('gmiml.estimators.glemiml_enhancer:GLEMIMLEnhancer',
                'gmiml.estimators.glemiml_classifier:GLEMIMLClassifier'),
}
DEFAULT_DATA = ('sj', 'ns')
QUICK_EPOCHS = 5
ANCHORS = HERE / 'reference' / 'le_recovery_anchors.csv'


class Method:
    """A resolved method: how to call it on (X, L, seed) and where it comes from."""

    def __init__(self, name: str, spec: str, obj, note: str = ''):
        self.name, self.spec, self.obj, self.note = name, spec, obj, note
        if inspect.isclass(obj):
            params = inspect.signature(obj.__init__).parameters
            self.seeded = 'random_state' in params
            # where --quick sets the epochs: the class's own max_epochs, or the
            # max_epochs of the classifier it wraps (GLEMIMLEnhancer's classifier_params)
            self.epochs_via = 'max_epochs' if 'max_epochs' in params else (
                'classifier_params' if 'classifier_params' in params else None)
            if hasattr(obj, 'fit_transform'):
                self.kind = 'fit_transform'
            elif hasattr(obj, 'label_distribution'):
                self.kind = 'bags'
            else:
                raise ValueError(f"--methods: {spec} has neither fit_transform(X, L) nor "
                                 f"fit(bags, Y) + label_distribution(bags, Y)")
        elif callable(obj):
            self.seeded, self.epochs_via = False, None
            n_args = len([p for p in inspect.signature(obj).parameters.values()
                          if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                                 p.POSITIONAL_OR_KEYWORD)])
            self.kind = 'f(L)' if n_args == 1 else 'f(X, L)'
        else:
            raise ValueError(f"--methods: {spec} is neither a class nor a function")

    @property
    def source(self) -> str:
        how = {'fit_transform': 'fit_transform(X, L)', 'f(L)': 'a function of L',
               'f(X, L)': 'a function of (X, L)',
               'bags': 'each instance a bag of one, fit(bags, L).label_distribution(bags, '
                       'L)'}[self.kind]
        s = f"{self.spec}: {how}" + ('' if self.seeded else ' (deterministic)')
        return s + (f"; {self.note}" if self.note else '')

    def run(self, X: np.ndarray, L: np.ndarray, seed: int, quick: bool) -> np.ndarray:
        if self.kind == 'f(L)':
            return self.obj(L)
        if self.kind == 'f(X, L)':
            return self.obj(X, L)
        kw = {'random_state': seed} if self.seeded else {}
        if quick and self.epochs_via == 'max_epochs':
            kw['max_epochs'] = QUICK_EPOCHS
        elif quick and self.epochs_via == 'classifier_params':
            kw['classifier_params'] = {'max_epochs': QUICK_EPOCHS}
        est = self.obj(**kw)
        if self.kind == 'fit_transform':
            return est.fit_transform(X, L)
        bags = [X[i:i + 1].astype(np.float32) for i in range(len(X))]
        return est.fit(bags, L).label_distribution(bags, L)


def _import(spec: str):
    mod, _, attr = spec.partition(':')
    return getattr(importlib.import_module(mod), attr)


def resolve_method(token: str) -> Method:
    """A name of :data:`METHODS` or a 'module:Attr' string as a :class:`Method`."""
    if token in METHODS:
        errors = []
        for spec in METHODS[token]:
            try:
                obj = _import(spec)
            except (ImportError, AttributeError) as e:
                errors.append(f'{spec} ({type(e).__name__}: {e})')
                continue
            note = ('fallback: ' + '; '.join(e.split(': ')[0] + ')' for e in errors)
                    + ' not importable') if errors else ''
            return Method(token, spec, obj, note)
        raise ValueError(f"--methods: {token} cannot be imported: {'; '.join(errors)}")
    if ':' not in token:
        raise ValueError(f"--methods: unknown method {token!r}; built-in: "
                         f"{', '.join(METHODS)}, or give 'module:Attr'")
    try:
        obj = _import(token)
    except (ImportError, AttributeError) as e:
        raise ValueError(f"--methods: cannot import {token} ({type(e).__name__}: {e})") \
            from None
    return Method(token.partition(':')[2], token, obj)


def _seeds(text: str) -> List[int]:
    out = []
    try:
        for part in text.split(','):
            a, _, b = part.strip().partition('-')
            out += list(range(int(a), int(b) + 1)) if b else [int(a)]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected seeds like 0,1,2 or 0-2, got {text!r}") from None
    if not out or len(set(out)) != len(out) or min(out) < 0:
        raise argparse.ArgumentTypeError(f"expected distinct seeds >= 0, got {text!r}")
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(prog='le_recovery.py', description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    a = p.add_argument
    a('--data', action='append', metavar='PATH.mat',
      help='a .mat file with features and label distributions (repeatable); default: '
           'ldl/sj.mat and ldl/ns.mat under the data root')
    a('--features', metavar='KEY', help='the features variable of every --data file')
    a('--distributions', metavar='KEY',
      help='the label-distribution variable of every --data file')
    a('--methods', default=','.join(METHODS),
      help=f"comma-separated names or module:Attr (default: {','.join(METHODS)})")
    a('--seeds', type=_seeds, default=[0, 1, 2], help='e.g. 0,1,2 or 0-4 (default 0-2)')
    a('--quick', action='store_true',
      help=f'first seed only, {QUICK_EPOCHS} epochs for methods with max_epochs (or '
           f'classifier_params)')
    a('--out', default=str(REPO / 'results'), help='output folder (default: results/)')
    a('--threads', type=int, default=1, help='BLAS/torch threads (default 1)')
    a('--no-plots', action='store_true', help='no figure')
    opts = p.parse_args(argv)
    if opts.threads < 1:
        p.error(f'--threads: expected an integer >= 1, got {opts.threads}')
    return opts


def data_files(opts) -> Dict[str, Path]:
    """``{name: path}`` of the data sets; FileNotFoundError naming a missing file."""
    opts.where = {}
    if opts.data:
        files = [Path(d).expanduser() for d in opts.data]
    else:
        from gmiml.datasets import resolve_root
        root, how = resolve_root()
        files = [root / 'ldl' / f'{n}.mat' for n in DEFAULT_DATA]
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise FileNotFoundError(f"no LDL data: {', '.join(missing)} not found (data "
                                    f"root from {how}); put sj.mat and ns.mat in "
                                    f"{root / 'ldl'} or pass --data")
        opts.where = {f: f'ldl/{f.name} under the data root ({how})' for f in files}
    out = {}
    for f in files:
        if not f.is_file():
            raise FileNotFoundError(f"--data: {f}: no such file")
        name, i = f.stem, 2
        while name in out:
            name, i = f'{f.stem}_{i}', i + 1
        out[name] = f
    return out


class _Progress:
    """A tqdm bar on a terminal; one plain line per step when redirected."""

    def __init__(self, total: int):
        self.tty, self.total, self.done = sys.stderr.isatty(), total, 0
        self.bar = None
        if self.tty:
            from tqdm.auto import tqdm
            self.bar = tqdm(total=total, desc='le_recovery', dynamic_ncols=True)

    def step(self, msg: str) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(msg)
            self.bar.update()
        else:
            print(f'[le_recovery] {self.done}/{self.total} {msg}', flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _commit() -> str:
    """The checkout's commit (``+dirty`` with uncommitted changes), or 'unknown'."""
    import subprocess
    try:
        head = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=REPO,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'],
                               cwd=REPO, capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return 'unknown'
    return (head + ('+dirty' if dirty else '')) if head else 'unknown'


def _limit_threads(n: int):
    try:
        import torch
        torch.set_num_threads(n)
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    from threadpoolctl import threadpool_limits
    return threadpool_limits(n)


def evaluate_method(method: Method, X, L, D, seeds, quick, progress, dname) -> Dict:
    """Runs one method on one data set over the seeds: per-seed measures and times, mean
    and std, the seed-0 recovery (for the figure), or the error."""
    from gmiml.metrics import evaluate_distribution

    runs, first = [], None
    for s in (seeds if method.seeded else seeds[:1]):
        t0 = time.perf_counter()
        try:
            R = np.asarray(method.run(X, L, s, quick), dtype=np.float64)
            m = evaluate_distribution(D, R)
        except Exception as e:  # noqa: BLE001 - recorded in the table, exit code 1
            progress.step(f'{dname} {method.name} seed {s}: FAILED {type(e).__name__}')
            return {'source': method.source, 'error': f'{type(e).__name__}: {e}',
                    'seed': s}
        dt = time.perf_counter() - t0
        runs.append({'seed': s, 'fit_time_s': dt, **m})
        first = R if first is None else first
        progress.step(f"{dname} {method.name} seed {s}: Chebyshev {m['chebyshev']:.4f} "
                      f"in {dt:.1f} s")
    keys = MEASURES + ('fit_time_s', )
    return {'source': method.source, 'seeds': [r['seed'] for r in runs], 'runs': runs,
            'mean': {k: float(np.mean([r[k] for r in runs])) for k in keys},
            'std': {k: float(np.std([r[k] for r in runs])) for k in keys},
            '_recovered': first}


def _anchors() -> Dict:
    import csv
    if not ANCHORS.is_file():
        return {}
    out = {}
    with open(ANCHORS, newline='') as f:
        for row in csv.DictReader(f):
            vals = {('kl_divergence' if k == 'kl' else k): float(row[k])
                    for k in ('chebyshev', 'clark', 'canberra', 'kl', 'cosine',
                              'intersection')}
            out.setdefault(row['dataset'], {})[row['method']] = {'source': row['source'],
                                                                 **vals}
    return out


def _md(text: str) -> str:
    """Text for a markdown table cell (``|`` escaped, as in L/|L|)."""
    return str(text).replace('|', '\\|')


def _fmt(v: float) -> str:
    return f'{v:.4f}' if abs(v) < 10 else f'{v:.3f}'


def write_tables(out: Path, result: Dict) -> None:
    """``table4.md`` and ``table4.json`` from the result of :func:`main`."""
    names = {'chebyshev': 'Chebyshev', 'clark': 'Clark', 'canberra': 'Canberra',
             'kl_divergence': 'KL', 'cosine': 'Cosine', 'intersection': 'Intersection'}
    head = '| method | ' + ' | '.join(
        f"{names[m]} {'(lower)' if m in LOWER else '(higher)'}" for m in MEASURES) + \
        ' | fit time (s) | seeds | source |'
    lines = ['# Table 4: label-enhancement recovery', '',
             f"Command: `{result['command']}` (commit {result['commit']})", '',
             'Logical labels by the threshold rule (mass >= 0.5); mean +- std over seeds '
             '(deterministic methods run once); the best mean per measure in bold. '
             f"Threads: {result['threads']}.", '']
    for dname, ds in result['datasets'].items():
        lines += [f"## {dname} ({ds['n_instances']} instances, {ds['n_features']} "
                  f"features, {ds['n_labels']} labels, {ds['relevant_per_instance']:.2f} "
                  f"relevant labels per instance by the rule)", '',
                  f"File: `{ds['path']}` (features `{ds['features_key']}`, distributions "
                  f"`{ds['distributions_key']}`)", '', head,
                  '|' + '---|' * (len(MEASURES) + 4)]
        ok = {m: r for m, r in ds['methods'].items() if 'error' not in r}
        best = {k: (min if k in LOWER else max)(r['mean'][k] for r in ok.values())
                for k in MEASURES} if ok else {}
        for mname, r in ds['methods'].items():
            if 'error' in r:
                lines.append(f"| {_md(mname)} | FAILED (seed {r['seed']}): "
                             f"{_md(r['error'][:200])}" + ' |' * (len(MEASURES) + 2)
                             + f" {_md(r['source'])} |")
                continue
            cells = []
            for k in MEASURES:
                c = _fmt(r['mean'][k]) + (f" +- {_fmt(r['std'][k])}"
                                          if len(r['seeds']) > 1 else '')
                cells.append(f'**{c}**' if np.isclose(r['mean'][k], best[k]) else c)
            t = r['mean']['fit_time_s']
            lines.append(f"| {_md(mname)} | " + ' | '.join(cells) + f" | {t:.2f} | "
                         f"{','.join(map(str, r['seeds']))} | {_md(r['source'])} |")
        anchors = result.get('anchors', {}).get(dname)
        if anchors:
            lines += ['', f'Anchors measured outside this repository '
                      f'(benchmarks/reference/le_recovery_anchors.csv) on {dname}:', '',
                      '| method | ' + ' | '.join(names[m] for m in MEASURES)
                      + ' | source |',
                      '|' + '---|' * (len(MEASURES) + 2)]
            lines += [f"| {_md(m)} | " + ' | '.join(_fmt(a[k]) for k in MEASURES)
                      + f" | {_md(a['source'])} |" for m, a in anchors.items()]
        lines.append('')
    (out / 'table4.md').write_text('\n'.join(lines))
    (out / 'table4.json').write_text(json.dumps(result, indent=1, default=float))


def _shown(arg: str) -> str:
    """A command-line argument as the tables show it: an absolute path inside the
    current folder relative to it, so that no machine's paths end up in results."""
    if os.path.isabs(arg):
        rel = os.path.relpath(arg)
        if not rel.startswith('..'):
            return rel
    return arg


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    opts = parse_args(argv)
    from gmiml.io import read_ldl_mat
    from gmiml.utils import logical_from_distribution

    methods = [resolve_method(t.strip()) for t in opts.methods.split(',') if t.strip()]
    if not methods:
        raise ValueError('--methods: no method given')
    files = data_files(opts)
    data = {n: read_ldl_mat(p, features=opts.features, distributions=opts.distributions)
            for n, p in files.items()}
    seeds = opts.seeds[:1] if opts.quick else opts.seeds
    out = Path(opts.out)
    (out / 'plots').mkdir(parents=True, exist_ok=True)
    total = sum(len(seeds) if m.seeded else 1 for m in methods) * len(data)
    progress = _Progress(total)
    result = {'command': 'python benchmarks/le_recovery.py ' + ' '.join(map(_shown, argv)),
              'commit': _commit(), 'threads': opts.threads, 'quick': opts.quick,
              'seeds': seeds,
              'measures': list(MEASURES), 'lower_is_better': list(LOWER),
              'python': platform.python_version(), 'datasets': {}}
    recovered = {}
    with _limit_threads(opts.threads):
        for dname, d in data.items():
            L = logical_from_distribution(d.D)
            ds = {'path': opts.where.get(files[dname], d.path),
                  'features_key': d.features_key,
                  'distributions_key': d.distributions_key, 'n_instances': len(d.X),
                  'n_features': d.X.shape[1], 'n_labels': d.D.shape[1],
                  'relevant_per_instance': float(L.sum(1).mean()), 'methods': {}}
            recovered[dname] = (d.D, L, {})
            for m in methods:
                r = evaluate_method(m, d.X, L, d.D, seeds, opts.quick, progress, dname)
                R = r.pop('_recovered', None)
                if R is not None:
                    recovered[dname][2][m.name] = R
                ds['methods'][m.name] = r
            result['datasets'][dname] = ds
    progress.close()
    if not opts.data:
        result['anchors'] = _anchors()
    write_tables(out, result)
    written = [out / 'table4.md', out / 'table4.json']
    if not opts.no_plots:
        from le_figures import recovery_figure
        recovery_figure(recovered, out / 'plots' / 'le_recovery.png')
        written.append(out / 'plots' / 'le_recovery.png')
    print('[le_recovery] wrote ' + ', '.join(map(str, written)), flush=True)
    failed = [f'{d}/{m}' for d, ds in result['datasets'].items()
              for m, r in ds['methods'].items() if 'error' in r]
    if failed:
        print(f"[le_recovery] failed: {', '.join(failed)} (see table4.md)", file=sys.stderr)
    return 1 if failed else 0


def _cli() -> int:
    try:
        return main()
    except (FileNotFoundError, KeyError, ValueError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f'le_recovery.py: error: {msg}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(_cli())
