r"""Command line: ``python -m gmiml.datasets stats [--root DIR] [--json]`` prints the
paper's Table 1 for every registered data set; ``python -m gmiml.datasets download NAME
[--root DIR]`` fetches a data set's pinned, checksummed public copy."""
import argparse
import json
import sys

__all__ = ['main']


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog='python -m gmiml.datasets',
                                     description='gmiml MIML benchmark data sets')
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('stats', help="print the paper's Table 1 computed from the files")
    p.add_argument('--root', default=None,
                   help='data root (default: $GMIML_DATA, else the repository datasets/raw)')
    p.add_argument('--json', action='store_true',
                   help='print one JSON list of objects instead of a table')
    p.add_argument('--no-verify', action='store_true', help='skip the sha256 checks')
    d = sub.add_parser('download', help="fetch a data set's pinned public copy")
    d.add_argument('name')
    d.add_argument('--root', default=None)
    args = parser.parse_args(argv)

    from .errors import ChecksumMismatchError, DatasetNotFoundError

    try:
        if args.command == 'stats':
            from .stats import dataset_stats, format_stats
            rows = dataset_stats(root=args.root, verify=not args.no_verify)
            print(json.dumps(rows, indent=1) if args.json else format_stats(rows))
        else:
            from .load import load_bags
            bags = load_bags(args.name, args.root, download=True)
            print(f"{bags!r} in {bags.meta['root']}: {', '.join(bags.meta['files'])}")
    except (DatasetNotFoundError, ChecksumMismatchError, KeyError, ValueError) as e:
        print(f"error: {e.args[0] if isinstance(e, KeyError) else e}", file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
