r"""Command line of the data sets.

- ``python -m gmiml.datasets stats [NAME_OR_PATH ...] [--root DIR] [--json]``: the paper's
  Table 1 computed from the files, for every registered data set, or for the named data
  sets and files or folders (``--xml``, ``--n-labels``, ``--labels``, ``--entry``,
  ``--label-layout`` as in :func:`gmiml.io.read_miml`).
- ``python -m gmiml.datasets download NAME [NAME ...] [--root DIR] [--mirror URL]``: makes
  sure the data sets are under the data root, fetching the pinned, checksummed public copy
  of what is missing (a progress bar on a terminal, plain lines otherwise). Offline it
  exits with status 1 and names every file to put in place, and where to get it.

Exit status: 0 on success, 1 on an error (the message is printed on stderr), 2 on a
command-line usage error.
"""
import argparse
import json
import os
import sys

__all__ = ['main']


def _entry(text: str):
    parts = text.split(',')
    try:
        vals = [int(p) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an index or N_BAGS,N_LABELS, got "
                                         f"{text!r}") from None
    if len(vals) == 1:
        return vals[0]
    if len(vals) == 2:
        return tuple(vals)
    raise argparse.ArgumentTypeError(f"expected an index or N_BAGS,N_LABELS, got {text!r}")


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        v = 0
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def _timeout(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = -1.0
    if not v > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got "
                                         f"{text!r}")
    return v


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog='python -m gmiml.datasets',
                                     description='gmiml MIML data sets')
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('stats', help="print the paper's Table 1 computed from the files")
    p.add_argument('data', nargs='*', metavar='NAME_OR_PATH',
                   help='registered data sets or files/folders (default: every registered '
                        'data set)')
    p.add_argument('--root', default=None,
                   help='data root for names (default: $GMIML_DATA, else the repository '
                        'datasets/raw)')
    p.add_argument('--json', action='store_true',
                   help='print one JSON list of objects instead of a table')
    p.add_argument('--no-verify', action='store_true', help='skip the sha256 checks')
    p.add_argument('--xml', default=None, help='ARFF path: its Mulan label XML')
    p.add_argument('--n-labels', type=_positive, default=None,
                   help='ARFF path without XML: the number of labels (the last attributes)')
    p.add_argument('--labels', default=None, help='Wu instances file: its labels file')
    p.add_argument('--entry', type=_entry, default=None,
                   help='.mat holding several data sets: an index or N_BAGS,N_LABELS')
    p.add_argument('--label-layout', choices=('bags_x_labels', 'labels_x_bags'),
                   default=None, help='.mat with a square label matrix: its orientation')
    d = sub.add_parser('download', help="get data sets' pinned public copies when missing")
    d.add_argument('names', nargs='+', metavar='NAME')
    d.add_argument('--root', default=None,
                   help='data root (default: $GMIML_DATA, else the repository datasets/raw)')
    d.add_argument('--mirror', default=os.environ.get('GMIML_MIRROR') or None,
                   help='base URL holding the files under their relative paths '
                        '(default: $GMIML_MIRROR, else the pinned upstream URLs)')
    d.add_argument('--timeout', type=_timeout, default=10.0,
                   help='seconds per request (default: 10)')
    d.add_argument('--quiet', action='store_true', help='no progress output')
    return parser


def _stats(args) -> None:
    from .stats import dataset_stats, format_stats

    kw = {k: v for k, v in (('xml', args.xml), ('n_labels', args.n_labels),
                            ('labels', args.labels), ('entry', args.entry),
                            ('label_layout', args.label_layout)) if v is not None}
    rows = dataset_stats(args.data or None, root=args.root, verify=not args.no_verify, **kw)
    print(json.dumps(rows, indent=1) if args.json else format_stats(rows))


def _download(args) -> None:
    from .download import download_datasets
    from .load import load_bags

    found = download_datasets(args.names, args.root, mirror=args.mirror,
                              timeout=args.timeout, progress=False if args.quiet else None)
    for located in found:
        bags = load_bags(located.info.key, located.root)
        print(f"{located.info.key}: {bags.n_bags} bags x {bags.n_labels} labels, "
              f"{bags.n_features} features, in {located.root} "
              f"({', '.join(located.rel_paths)})")


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        (_stats if args.command == 'stats' else _download)(args)
    except (KeyError, ValueError, OSError, TypeError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
        print(f"error: {msg}", file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
