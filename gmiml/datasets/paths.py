r"""Where gmiml looks for raw data and keeps processed caches."""
import os
from pathlib import Path
from typing import Optional, Tuple

__all__ = ['repo_root', 'resolve_root', 'default_processed_dir']


def repo_root() -> Optional[Path]:
    r"""The source checkout gmiml runs from (the folder holding ``pyproject.toml`` above
    the package), or :obj:`None` for an installed (non-editable) package."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / 'pyproject.toml').is_file() and (here / 'gmiml').is_dir() \
        else None


def _cache_home() -> Path:
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'),
                                                            '.cache')
    return Path(base) / 'gmiml'


def resolve_root(root=None) -> Tuple[Path, str]:
    r"""Resolves the raw-data root.

    Order: the ``root`` argument, else the environment variable ``GMIML_DATA``, else
    ``datasets/raw`` in the repository checkout (found from the package's location),
    else ``~/.cache/gmiml/raw`` for an installed package.

    Returns:
        (pathlib.Path, str): the folder (not checked for existence) and how it was chosen,
        for error messages.
    """
    if root is not None:
        return Path(os.path.expanduser(os.fspath(root))), 'the root= argument'
    env = os.environ.get('GMIML_DATA')
    if env:
        return Path(os.path.expanduser(env)), '$GMIML_DATA'
    repo = repo_root()
    if repo is not None:
        return repo / 'datasets' / 'raw', "the repository's datasets/raw"
    return _cache_home() / 'raw', '~/.cache/gmiml/raw (no $GMIML_DATA, no checkout)'


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def default_processed_dir() -> Path:
    r"""The folder for processed caches (:class:`~gmiml.datasets.MIMLDataset`): the
    environment variable ``GMIML_CACHE`` if set, else ``datasets/processed`` in the
    repository checkout (git-ignored) when writable, else ``~/.cache/gmiml/processed``.
    Never the raw-data root, which may be read-only."""
    env = os.environ.get('GMIML_CACHE')
    if env:
        return Path(os.path.expanduser(env))
    repo = repo_root()
    if repo is not None and _writable(repo / 'datasets' / 'processed'):
        return repo / 'datasets' / 'processed'
    return _cache_home() / 'processed'
