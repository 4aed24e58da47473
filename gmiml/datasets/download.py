r"""Fetching the pinned public copies of the registered data sets.

Every downloadable file is a raw-file URL of a named GitHub repository at a named commit
(see :data:`~gmiml.datasets.registry.KNOWN_FILES`). A file is streamed into a temporary
file of its own (unique per writer) next to its destination, flushed to disk, its sha256
(or git blob id) is checked, and only then is it renamed into place: an interrupted,
concurrent or corrupt download never leaves a wrong or partial file under the final name.
Offline, the first failed request ends the attempt (no waiting on every file) with a
message naming every missing file, where it goes and where to get it; ``GMIML_OFFLINE=1``
forbids network access altogether.
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Dict, List, Optional, Sequence
from urllib.error import HTTPError
from urllib.parse import quote

from .checksums import checksum_of, mismatch
from .errors import ChecksumMismatchError, DatasetNotFoundError
from .locate import Located, downloadable_layout, locate, placement_lines
from .paths import resolve_root
from .registry import KNOWN_FILES, KnownFile, get_info

__all__ = ['urllib_fetcher', 'fetch_file', 'download_dataset', 'download_datasets',
           'locate_or_download']


def urllib_fetcher(url: str, out: BinaryIO, timeout: float) -> None:
    r"""Writes the bytes at ``url`` into ``out`` with :mod:`urllib` (``http(s)://`` and
    ``file://`` URLs)."""
    from urllib.request import urlopen

    with urlopen(url, timeout=timeout) as r:
        shutil.copyfileobj(r, out, 1 << 16)


class _Progress:
    """A file-like wrapper counting the bytes written: a tqdm bar on a terminal, two
    plain lines (start, end) otherwise, nothing when disabled."""

    def __init__(self, out: BinaryIO, rel: str, total: Optional[int], url: str,
                 mode: Optional[bool]):
        self.out, self.bar, self.lines = out, None, False
        tty = hasattr(sys.stderr, 'isatty') and sys.stderr.isatty()
        if mode is True or (mode is None and tty):
            from tqdm.auto import tqdm
            # a terminal that reports no size (0 x 0) still gets a bar: tqdm would hide
            # it, its position being outside 0 rows
            size = shutil.get_terminal_size((100, 20))
            self.bar = tqdm(total=total, unit='B', unit_scale=True, unit_divisor=1024,
                            desc=rel, file=sys.stderr, leave=True,
                            ncols=min(size.columns or 100, 120), nrows=size.lines or 20)
        elif mode is None:
            self.lines = True
            size = '' if total is None else f" ({total} bytes)"
            print(f"downloading {rel}{size} from {url}", file=sys.stderr, flush=True)

    def write(self, b) -> int:
        n = self.out.write(b)
        if self.bar is not None:
            self.bar.update(len(b))
        return n

    def close(self, message: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(message, refresh=True)
            self.bar.close()
        elif self.lines:
            print(f"  {message}", file=sys.stderr, flush=True)


def _offline() -> bool:
    return os.environ.get('GMIML_OFFLINE', '') not in ('', '0')


def fetch_file(known: KnownFile, root, *, url: Optional[str] = None,
               fetcher: Optional[Callable] = None, timeout: float = 10.0,
               progress: Optional[bool] = None) -> Path:
    r"""Downloads one pinned file to ``root / known.path`` and checks it; the destination
    is replaced only by a complete file whose checksum matches.

    Args:
        known (KnownFile): the registry entry (destination, URL, checksum).
        root (str or os.PathLike): the data root.
        url (str, optional): fetch from here instead of ``known.url`` (a mirror, or a
            ``file://`` URL in tests); the checksum is still checked.
        fetcher (callable, optional): ``fetcher(url, fileobj, timeout)``; default
            :func:`urllib_fetcher`.
        timeout (float, optional): seconds. (default: :obj:`10.0`)
        progress (bool, optional): :obj:`None`: a progress bar on a terminal, plain
            lines on stderr otherwise; :obj:`True`: always a bar; :obj:`False`: silent.
            (default: :obj:`None`)

    Raises:
        ValueError: no checksum is known for the file (unverified downloads are refused).
        PermissionError: the root is not writable.
        OSError: the download failed (offline, ``GMIML_OFFLINE`` set, HTTP error).
        ChecksumMismatchError: the downloaded bytes differ from the pinned copy (nothing is
            written).
    """
    if not known.has_checksum:
        raise ValueError(f"{known.path}: no checksum is known for {known.url}; refusing an "
                         f"unverified download")
    if _offline() and fetcher is None:
        raise OSError("GMIML_OFFLINE is set; not downloading")
    url = url or known.url
    dest = Path(root) / known.path
    made = [p for p in [dest.parent, *dest.parent.parents] if not p.exists()]
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix='.' + dest.name + '.', suffix='.part',
                                   dir=dest.parent)
    except OSError as e:
        raise PermissionError(f"cannot write into {dest.parent} ({e.strerror or e}); pass "
                              f"a writable root (--root DIR or GMIML_DATA)") from None
    try:
        with os.fdopen(fd, 'wb') as out:
            bar = _Progress(out, known.path, known.size, url, progress)
            try:
                (fetcher or urllib_fetcher)(url, bar, timeout)
            except BaseException:
                bar.close('failed')
                raise
            out.flush()
            os.fsync(out.fileno())
        problem = mismatch(known, tmp, cache=False)
        if problem:
            bar.close('checksum mismatch')
            raise ChecksumMismatchError(f"download of {url} -> {dest}: {problem}; nothing "
                                        f"was written")
        os.replace(tmp, dest)
        bar.close(f"{checksum_of(known)[0]} ok")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        for p in made:  # folders this call created, when it failed: leave no trace
            if not dest.exists():
                try:
                    p.rmdir()
                except OSError:
                    break
    return dest


def _source(rel: str, urls: Optional[Dict[str, str]], mirror: Optional[str]) -> str:
    if urls and rel in urls:
        return urls[rel]
    if mirror:
        return mirror.rstrip('/') + '/' + quote(rel)
    return KNOWN_FILES[rel].url


def download_datasets(names: Sequence[str], root=None, *,
                      fetcher: Optional[Callable] = None, timeout: float = 10.0,
                      urls: Optional[Dict[str, str]] = None, mirror: Optional[str] = None,
                      progress: Optional[bool] = None) -> List[Located]:
    r"""Makes sure every named data set is under the data root, fetching the pinned,
    checksummed public copy of what is missing. A data set already present in any
    supported layout is left as it is (no network access); of a pinned layout present in
    part, only the missing files are fetched.

    Args:
        names (sequence of str): data set names or aliases.
        root (str or os.PathLike, optional): the data root (resolved as in
            :func:`~gmiml.datasets.load_bags`).
        fetcher, timeout, progress: see :func:`fetch_file`.
        urls (dict, optional): relative path -> URL overrides (single files).
        mirror (str, optional): a base URL holding the files under their relative paths
            (``<mirror>/GS/instances.txt``); checksums are checked all the same.

    Returns:
        list of Located: where each data set is, in the order of ``names``.

    Raises:
        KeyError: an unknown name.
        DatasetNotFoundError: a data set is absent and has no pinned copy, or a download
            failed: the message names every file still missing, where it goes, and its
            URL, size and checksum. After the first failed request no other is tried.
        ChecksumMismatchError: a downloaded file differs from the pinned copy.
        PermissionError: the root is not writable.
    """
    infos = [get_info(n) for n in names]
    root_path, how = resolve_root(root)
    todo: List[str] = []
    for info in infos:
        try:
            locate(info.key, root_path)
            continue
        except DatasetNotFoundError as e:
            layout = downloadable_layout(info)
            if layout is None:
                raise DatasetNotFoundError(str(e)) from None
        todo += [rel for rel in layout.files
                 if not (root_path / rel).is_file() and rel not in todo]
    failure = None
    for rel in todo:
        if failure is not None and not isinstance(failure[1], HTTPError):
            break
        try:
            fetch_file(KNOWN_FILES[rel], root_path, url=_source(rel, urls, mirror),
                       fetcher=fetcher, timeout=timeout, progress=progress)
        except (ChecksumMismatchError, PermissionError):
            raise
        except Exception as e:  # network errors of any kind: report, then stop
            failure = failure or (rel, e)
    missing = [rel for rel in todo if not (root_path / rel).is_file()]
    if missing:
        rel, e = failure
        keys = [i.key for i in infos if any(f in missing
                                            for f in downloadable_layout(i).files)]
        raise DatasetNotFoundError('\n'.join(
            [f"Could not get MIML data set(s) {', '.join(keys)}: download failed for "
             f"{rel} from {_source(rel, urls, mirror)}: {type(e).__name__}: {e}",
             f"Data root: {root_path} (from {how}). Put these files in place and run "
             f"again (or pass --root / set GMIML_DATA to a folder that holds them):"]
            + placement_lines(missing, root_path)))
    return [locate(info.key, root_path) for info in infos]


def download_dataset(name: str, root=None, **kwargs) -> Located:
    r"""Fetches a data set's pinned, checksummed public copy into the data root when it
    is absent, and returns where it is; see :func:`download_datasets` for the arguments
    and errors."""
    return download_datasets([name], root, **kwargs)[0]


def locate_or_download(name: str, root=None, download: bool = False,
                       **kwargs) -> Located:
    r"""Finds a data set under the root (:func:`~gmiml.datasets.locate.locate`); if it is
    absent and ``download`` is set, fetches it first (:func:`download_datasets`, which
    takes the keyword arguments)."""
    try:
        return locate(name, root)
    except DatasetNotFoundError:
        if not download:
            raise
    return download_dataset(name, root, **kwargs)
