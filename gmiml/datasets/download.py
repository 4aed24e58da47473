r"""Fetching the pinned public copies of the registered data sets.

Every downloadable file is a raw-file URL of a named GitHub repository at a named commit
(see :data:`~gmiml.datasets.registry.KNOWN_FILES`). A file is streamed into a temporary
file next to its destination, its sha256 (or git blob id) is checked, and only then is it
moved into place, so an interrupted or corrupt download never leaves a wrong file behind.
Offline, the first request fails within ``timeout`` seconds (or at once when
``GMIML_OFFLINE=1``) with a message naming the files and where to get them.
"""
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, List, Optional

from .errors import ChecksumMismatchError, DatasetNotFoundError
from .paths import resolve_root
from .registry import KNOWN_FILES, KnownFile, get_info

__all__ = ['fetch_file', 'download_dataset', 'urllib_fetcher']


def urllib_fetcher(url: str, out: BinaryIO, timeout: float) -> None:
    r"""Writes the bytes at ``url`` into ``out`` with :mod:`urllib` (``http(s)://`` and
    ``file://`` URLs)."""
    from urllib.request import urlopen

    with urlopen(url, timeout=timeout) as r:
        shutil.copyfileobj(r, out, 1 << 20)


def fetch_file(known: KnownFile, root, *, url: Optional[str] = None,
               fetcher: Optional[Callable] = None, timeout: float = 10.0) -> Path:
    r"""Downloads one pinned file to ``root / known.path`` and checks it.

    Args:
        known (KnownFile): the registry entry (destination, URL, checksum).
        root (str or os.PathLike): the data root.
        url (str, optional): fetch from here instead of ``known.url`` (a mirror, or a
            ``file://`` URL in tests); the checksum is still checked.
        fetcher (callable, optional): ``fetcher(url, fileobj, timeout)``; default
            :func:`urllib_fetcher`.
        timeout (float, optional): seconds. (default: :obj:`10.0`)

    Raises:
        ValueError: no checksum is known for the file (unverified downloads are refused).
        OSError: the download failed or the root is not writable.
        ChecksumMismatchError: the downloaded bytes differ from the pinned copy (nothing is
            written).
    """
    if not known.has_checksum:
        raise ValueError(f"{known.path}: no checksum is known for {known.url}; refusing an "
                         f"unverified download")
    if os.environ.get('GMIML_OFFLINE', '') not in ('', '0') and fetcher is None:
        raise OSError("GMIML_OFFLINE is set; not downloading")
    fetcher = fetcher or urllib_fetcher
    url = url or known.url
    dest = Path(root) / known.path
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix='.' + dest.name + '.', suffix='.part',
                                   dir=dest.parent)
    except OSError as e:
        raise OSError(f"cannot write into {dest.parent} ({e}); pass a writable root=") \
            from None
    try:
        with os.fdopen(fd, 'wb') as out:
            fetcher(url, out, timeout)
        size = os.path.getsize(tmp)
        if known.sha256:
            h = hashlib.sha256()
            want, kind = known.sha256, 'sha256'
        else:
            h = hashlib.sha1(b'blob %d\0' % size)
            want, kind = known.git_blob, 'git blob id'
        with open(tmp, 'rb') as f:
            for chunk in iter(lambda: f.read(1 << 20), b''):
                h.update(chunk)
        if h.hexdigest() != want:
            raise ChecksumMismatchError(
                f"download of {url} -> {dest}: {kind} mismatch: expected {want}, got "
                f"{h.hexdigest()} ({size} bytes); nothing was written")
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return dest


def download_dataset(name: str, root=None, *, fetcher: Optional[Callable] = None,
                     timeout: float = 10.0, urls: Optional[dict] = None):
    r"""Fetches the first layout of a data set whose files all have pinned, checksummed
    public copies, into the data root, and returns where it is
    (:class:`~gmiml.datasets.load.Located`). Files already present are kept (and checked
    when the data set is loaded).

    Args:
        name (str): data set name or alias.
        root (str or os.PathLike, optional): the data root (resolved as in
            :func:`~gmiml.datasets.load_bags`).
        fetcher (callable, optional): see :func:`fetch_file`.
        timeout (float, optional): seconds per request. (default: :obj:`10.0`)
        urls (dict, optional): relative path -> URL overrides (mirrors, tests).

    Raises:
        DatasetNotFoundError: no downloadable layout, or the download failed (offline):
            the message names the files, the root and the sources.
    """
    from .load import _downloadable_layout, _not_found_message, locate

    info = get_info(name)
    root_path, how = resolve_root(root)
    layout = _downloadable_layout(info)
    base = _not_found_message(info, root_path, how, [], [])
    if layout is None:
        raise DatasetNotFoundError(base)
    fetched: List[str] = []
    for rel in layout.files:
        if (root_path / rel).is_file():
            continue
        known = KNOWN_FILES[rel]
        try:
            fetch_file(known, root_path, url=(urls or {}).get(rel), fetcher=fetcher,
                       timeout=timeout)
        except ChecksumMismatchError:
            raise
        except Exception as e:
            raise DatasetNotFoundError(
                f"{base}\nDownload failed for {rel} from "
                f"{(urls or {}).get(rel, known.url)}: {type(e).__name__}: {e}") from None
        fetched.append(rel)
    return locate(info.key, root_path)
