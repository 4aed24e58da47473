r"""Finding, verifying and reading a registered data set: :func:`load_bags`."""
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from gmiml.io.miml_bags import MIMLBags

from .errors import ChecksumMismatchError, DatasetNotFoundError
from .paths import resolve_root
from .registry import KNOWN_FILES, DatasetInfo, Layout, get_info

__all__ = ['load_bags', 'locate', 'is_available', 'verify_files', 'file_sha256',
           'git_blob_id', 'Located']


@dataclass
class Located:
    r"""A data set found under a root: which layout, which files."""
    info: DatasetInfo
    layout: Layout
    root: Path
    rel_paths: List[str]

    @property
    def paths(self) -> List[Path]:
        return [self.root / p for p in self.rel_paths]


_HASH_CACHE: Dict[Tuple[str, str, int, int], str] = {}


def _hash(path: Path, kind: str) -> str:
    st = path.stat()
    key = (str(path.resolve()), kind, st.st_size, st.st_mtime_ns)
    if key not in _HASH_CACHE:
        h = hashlib.sha256() if kind == 'sha256' else hashlib.sha1(
            b'blob %d\0' % st.st_size)
        with open(path, 'rb') as f:
            for chunk in iter(lambda: f.read(1 << 20), b''):
                h.update(chunk)
        _HASH_CACHE[key] = h.hexdigest()
    return _HASH_CACHE[key]


def file_sha256(path) -> str:
    r"""The sha256 hex digest of a file (cached per path, size and mtime)."""
    return _hash(Path(path), 'sha256')


def git_blob_id(path) -> str:
    r"""The git blob id of a file (what ``git hash-object FILE`` prints)."""
    return _hash(Path(path), 'blob')


def _layout_files(layout: Layout, root: Path):
    """Resolves a layout's files under root. Returns (rel_paths or None, missing, ambiguous)
    where missing lists required files that are absent."""
    rels, missing, ambiguous = [], [], []
    files = layout.files
    optional_xml = layout.reader == 'relational_arff' and layout.is_glob
    for k, pattern in enumerate(files):
        if optional_xml and k == 1:
            stem = os.path.splitext(rels[0])[0] if rels else None
            if stem is not None and (root / (stem + '.xml')).is_file():
                rels.append(stem + '.xml')
            continue
        if '*' in pattern:
            folder, pat = os.path.split(pattern)
            hits = sorted(p for p in (root / folder).glob(pat) if p.is_file()) \
                if (root / folder).is_dir() else []
            if not hits:
                missing.append(pattern)
            elif len(hits) > 1:
                ambiguous.append(f"{pattern} matches {len(hits)} files: "
                                 f"{[h.name for h in hits]}")
            else:
                rels.append(f"{folder}/{hits[0].name}")
        elif (root / pattern).is_file():
            rels.append(pattern)
        else:
            missing.append(pattern)
    if missing or ambiguous:
        return None, missing, ambiguous
    return rels, [], []


def _describe(layout: Layout) -> str:
    files = list(layout.files)
    if layout.reader == 'relational_arff' and layout.is_glob:
        files = [files[0] + ' [+ .xml of the same stem]']
    s = ' + '.join(files)
    if layout.entry:
        s += f" (entry with {layout.entry[0]} bags x {layout.entry[1]} labels)"
    return f"{s}  -- {layout.description}" if layout.description else s


def _not_found_message(info: DatasetInfo, root: Path, how: str, partial: List[str],
                       ambiguous: List[str]) -> str:
    lines = [f"MIML data set {info.key!r} ({info.title}) not found under {root} "
             f"(data root from {how}{'' if root.is_dir() else '; the folder does not exist'})"
             f".", "Expected, relative to the data root, one of these layouts:"]
    lines += [f"  - {_describe(lay)}" for lay in info.layouts]
    for p in partial:
        lines.append(f"Found only part of a layout: {p}")
    for a in ambiguous:
        lines.append(f"Ambiguous: {a}; keep exactly one")
    lines.append("Public sources:")
    lines += [f"  - {u}" for u in info.upstream] or ['  - (none known)']
    if _downloadable_layout(info) is not None:
        lines.append("Pass root=, set GMIML_DATA, or call with download=True to fetch the "
                     "pinned, checksummed copy (needs internet).")
    else:
        lines.append("No checksummed public copy is known, so it cannot be downloaded "
                     "automatically: get the files from the sources above and place them "
                     "as listed (files of unknown checksum are accepted).")
    return '\n'.join(lines)


def _downloadable_layout(info: DatasetInfo) -> Optional[Layout]:
    for lay in info.layouts:
        if not lay.is_glob and all(f in KNOWN_FILES and KNOWN_FILES[f].has_checksum
                                   for f in lay.files):
            return lay
    return None


def _find(info: DatasetInfo, root: Path):
    partial, ambiguous = [], []
    for lay in info.layouts:
        rels, missing, amb = _layout_files(lay, root)
        if rels is not None:
            return Located(info, lay, root, rels), partial, ambiguous
        ambiguous += amb
        n_req = len(lay.files) - (1 if lay.reader == 'relational_arff' and lay.is_glob
                                  else 0)
        if not amb and 0 < len(missing) < n_req:
            partial.append(f"{_describe(lay)}: missing {missing}")
    return None, partial, ambiguous


def locate(name: str, root=None) -> Located:
    r"""Finds a registered data set under the data root (see
    :func:`~gmiml.datasets.paths.resolve_root`) without reading it.

    Raises:
        KeyError: unknown name.
        DatasetNotFoundError: no supported layout is complete under the root (the message
            names the expected files, the root searched and the public sources).
    """
    info = get_info(name)
    root_path, how = resolve_root(root)
    found, partial, ambiguous = _find(info, root_path)
    if found is None:
        raise DatasetNotFoundError(_not_found_message(info, root_path, how, partial,
                                                      ambiguous))
    return found


def is_available(name: str, root=None) -> bool:
    r"""Whether a complete layout of the data set is under the root (nothing is read)."""
    try:
        locate(name, root)
    except DatasetNotFoundError:
        return False
    return True


def verify_files(located: Located, verify: bool = True) -> Dict[str, str]:
    r"""Checks every file that has a pinned public copy against its sha256 (or git blob
    id when no sha256 is known). Files without a known checksum (e.g. a user's own copy of
    a data set in another layout) are accepted as they are.

    Returns:
        dict: relative path -> sha256 of every file of the layout (used to key caches).

    Raises:
        ChecksumMismatchError: a pinned file's content differs.
    """
    out = {}
    for rel, path in zip(located.rel_paths, located.paths):
        known = KNOWN_FILES.get(rel)
        if verify and known is not None and known.has_checksum:
            if known.sha256:
                got, want, kind = file_sha256(path), known.sha256, 'sha256'
            else:
                got, want, kind = git_blob_id(path), known.git_blob, 'git blob id'
            if got != want:
                size = path.stat().st_size
                raise ChecksumMismatchError(
                    f"{path}: {kind} mismatch: expected {want}, got {got} (size {size} "
                    f"bytes{'' if known.size is None else f', expected {known.size}'}). The "
                    f"file is corrupt, truncated or a different version of the pinned copy "
                    f"{known.url}; replace it (delete it and load with download=True), or "
                    f"pass verify=False to read it anyway.")
        out[rel] = file_sha256(path)
    return out


def _read(located: Located) -> MIMLBags:
    from gmiml.io import read_miml_mat, read_relational_arff, read_wu_protein

    paths, lay, key = located.paths, located.layout, located.info.key
    if lay.reader == 'wu_protein':
        bags = read_wu_protein(paths[0], paths[1], name=key)
    elif lay.reader == 'relational_arff':
        bags = read_relational_arff(paths[0], paths[1] if len(paths) > 1 else None,
                                    name=key)
    elif lay.reader == 'miml_mat':
        bags = read_miml_mat(paths[0], entry=lay.entry, name=key)
    else:  # pragma: no cover - the registry only uses the three readers
        raise ValueError(f"unknown reader {lay.reader!r}")
    return bags


def load_bags(
    name: str,
    root=None,
    download: bool = False,
    *,
    verify: bool = True,
    timeout: float = 10.0,
    fetcher: Optional[Callable] = None,
) -> MIMLBags:
    r"""Loads one of the registered MIML data sets (image, text, GS, AV, HM, PF, SC, CE,
    DM; case-insensitive, with aliases such as ``'scene'``, ``'reuters'`` or organism
    names).

    The data root is ``root``, else ``$GMIML_DATA``, else ``datasets/raw`` of the
    repository. The data set may be stored in any layout the registry lists for it
    (``datasets/README.md``); the first complete one is read. Files with a pinned public
    copy are checked against its sha256 on every load; files of unknown checksum (a user's
    own copy, another layout) are read as they are.

    Args:
        name (str): the data set's name or alias.
        root (str or os.PathLike, optional): the data root. (default: :obj:`None`)
        download (bool, optional): if the data set is absent, fetch its pinned,
            checksummed public copy into the root. (default: :obj:`False`)
        verify (bool, optional): check pinned files' checksums. (default: :obj:`True`)
        timeout (float, optional): network timeout in seconds for a download.
            (default: :obj:`10.0`)
        fetcher (callable, optional): ``fetcher(url, fileobj, timeout)`` writing the
            bytes of ``url`` into ``fileobj``; replaces the urllib download (tests).
            (default: :obj:`None`)

    Returns:
        MIMLBags: bags, labels, label names and bag ids where the files have them;
        ``meta`` records the layout, files, their sha256 and reader notes (e.g. that HM is
        the union of a stored train/test split).

    Raises:
        KeyError: unknown name.
        DatasetNotFoundError: absent (and not downloadable, or the download failed).
        ChecksumMismatchError: a pinned file is corrupt or a different version.
        ValueError: a file is malformed (see the readers in :mod:`gmiml.io`).
    """
    try:
        located = locate(name, root)
    except DatasetNotFoundError:
        if not download:
            raise
        from .download import download_dataset
        located = download_dataset(name, root, timeout=timeout, fetcher=fetcher)
    hashes = verify_files(located, verify=verify)
    bags = _read(located)
    bags.meta.update({
        'dataset': located.info.key,
        'layout': located.layout.description or located.layout.reader,
        'root': str(located.root),
        'files': list(located.rel_paths),
        'sha256': hashes,
    })
    return bags
