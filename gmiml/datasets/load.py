r"""Loading a MIML data set by registered name or by path: :func:`load_bags`."""
import os
from pathlib import Path
from typing import Callable, Optional

from gmiml.io.miml_bags import MIMLBags

from .checksums import file_sha256, verify_files
from .download import locate_or_download
from .locate import Located
from .registry import resolve_name

__all__ = ['load_bags', 'read_located', 'as_path']

_DATA_SUFFIXES = ('.arff', '.mat', '.txt', '.xml')


def as_path(name_or_path) -> Optional[Path]:
    r"""Whether :func:`load_bags` reads its argument as a path (returned) or as a
    registered name (:obj:`None`). A path object, or a string with a folder part
    (``'./GS'``, ``'data/x.arff'``), a leading ``~`` or ``.``, or a data file extension,
    is a path; any other string is a registered name or alias when it is one, else a path
    when such a file or folder exists.

    Raises:
        TypeError: neither a string nor a path.
        KeyError: neither a registered name nor an existing file or folder.
    """
    if isinstance(name_or_path, os.PathLike):
        return Path(os.fspath(name_or_path))
    if not isinstance(name_or_path, str):
        raise TypeError(f"expected a data set name or a path, got "
                        f"{type(name_or_path).__name__}")
    s = name_or_path
    seps = [os.sep] + ([os.altsep] if os.altsep else [])
    if any(c in s for c in seps) or s.startswith(('~', '.')) or \
            Path(s).suffix.lower() in _DATA_SUFFIXES:
        return Path(s)
    try:
        resolve_name(s)
        return None
    except KeyError as e:
        if Path(s).exists():
            return Path(s)
        raise KeyError(f"{e.args[0]}; nor is {s!r} an existing file or folder (to read "
                       f"files, pass their path)") from None


def read_located(located: Located) -> MIMLBags:
    r"""Reads the files of a located registered data set with the reader of its layout."""
    from gmiml.io import read_miml_mat, read_relational_arff, read_wu_protein

    paths, lay, info = located.paths, located.layout, located.info
    if lay.reader == 'wu_protein':
        return read_wu_protein(paths[0], paths[1], name=info.key)
    if lay.reader == 'relational_arff':
        if len(paths) > 1:
            return read_relational_arff(paths[0], paths[1], name=info.key)
        # no XML: the registered label count says which attributes are the labels
        return read_relational_arff(paths[0], n_labels=info.shape[1], name=info.key)
    if lay.reader == 'miml_mat':
        return read_miml_mat(paths[0], entry=lay.entry, name=info.key)
    raise ValueError(f"unknown reader {lay.reader!r}")  # pragma: no cover


def _load_path(path: Path, **read_kwargs) -> MIMLBags:
    from gmiml.io import read_miml

    bags = read_miml(path, **read_kwargs)
    files = [os.fspath(f) for f in bags.meta.get('files', [])]
    bags.meta.update({'dataset': bags.name, 'layout': bags.meta.get('format', ''),
                      'root': None, 'files': files,
                      'sha256': {f: file_sha256(f) for f in files}})
    return bags


def load_bags(
    name,
    root=None,
    download: bool = False,
    *,
    verify: bool = True,
    timeout: float = 10.0,
    fetcher: Optional[Callable] = None,
    xml=None,
    n_labels: Optional[int] = None,
    labels=None,
    entry=None,
    label_layout: Optional[str] = None,
) -> MIMLBags:
    r"""Loads a MIML data set: one of the registered ones (image, text, GS, AV, HM, PF, SC,
    CE, DM; case-insensitive, with aliases such as ``'scene'``, ``'reuters'`` or organism
    names), or any supported file or folder by path (see :func:`as_path` for how the two
    are told apart, and :data:`gmiml.io.FORMATS`).

    **By name**, the data root is ``root``, else ``$GMIML_DATA``, else ``datasets/raw``
    of the repository. The data set may be stored in any layout the registry lists for it
    (``datasets/README.md``); the first complete one is read. Files with a pinned public
    copy are checked against its sha256 on every load; files of unknown checksum (a user's
    own copy, another layout) are read as they are.

    **By path**, the format comes from the content and extension: a relational ARFF (with
    the Mulan XML of the same stem, ``xml=``, or ``n_labels=``), the Wu et al. pair (a
    folder with ``instances.txt`` + ``labels.txt``, or the instances file), or a LAMDA /
    MIML-DML ``.mat`` (:func:`gmiml.io.read_miml`).

    Args:
        name (str or os.PathLike): a data set name or alias, or a path.
        root (str or os.PathLike, optional): by name: the data root. (default: :obj:`None`)
        download (bool, optional): by name: if the data set is absent, fetch its pinned,
            checksummed public copy into the root. (default: :obj:`False`)
        verify (bool, optional): by name: check pinned files' checksums.
            (default: :obj:`True`)
        timeout (float, optional): network timeout in seconds for a download.
            (default: :obj:`10.0`)
        fetcher (callable, optional): ``fetcher(url, fileobj, timeout)`` writing the
            bytes of ``url`` into ``fileobj``; replaces the urllib download (tests).
            (default: :obj:`None`)
        xml, n_labels, labels, entry, label_layout: by path: passed to
            :func:`gmiml.io.read_miml`.

    Returns:
        MIMLBags: bags, labels, label names and bag ids where the files have them;
        ``meta`` records the layout, files, their sha256 and reader notes (e.g. that HM is
        the union of a stored train/test split).

    Raises:
        KeyError: neither a registered name nor an existing path.
        DatasetNotFoundError: a registered data set is absent (and not downloadable, or
            the download failed).
        ChecksumMismatchError: a pinned file is corrupt or a different version.
        FileNotFoundError: a path that does not exist.
        ValueError: a malformed file (see the readers in :mod:`gmiml.io`), an unsupported
            format (:class:`gmiml.io.UnsupportedFormatError`), or an argument that does not
            apply (``root``/``download`` with a path, a reader option with a name).
    """
    path = as_path(name)
    read_kwargs = {k: v for k, v in (('xml', xml), ('n_labels', n_labels),
                                     ('labels', labels), ('entry', entry),
                                     ('label_layout', label_layout)) if v is not None}
    if path is not None:
        if root is not None or download:
            raise ValueError(f"load_bags({os.fspath(name)!r}): root= and download= apply to "
                             f"registered data set names; a path is read as it is")
        return _load_path(path, **read_kwargs)
    if read_kwargs:
        raise ValueError(f"load_bags({name!r}): {', '.join(read_kwargs)}= apply to paths; "
                         f"a registered data set's layout is known")
    located = locate_or_download(name, root, download, timeout=timeout, fetcher=fetcher)
    hashes = verify_files(located, verify=verify)
    bags = read_located(located)
    bags.meta.update({
        'dataset': located.info.key,
        'layout': located.layout.description or located.layout.reader,
        'root': str(located.root),
        'files': list(located.rel_paths),
        'sha256': hashes,
    })
    return bags
