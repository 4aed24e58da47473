r"""File checksums: sha256 and git blob ids, and the check of files that have a pinned
public copy. The one place where gmiml hashes data files (loading, caching and
downloading all use it)."""
import hashlib
from pathlib import Path
from typing import Dict, Optional, Tuple

from .errors import ChecksumMismatchError
from .registry import KNOWN_FILES, KnownFile

__all__ = ['file_sha256', 'git_blob_id', 'file_digest', 'checksum_of', 'mismatch',
           'verify_files']

_CACHE: Dict[Tuple[str, str, int, int], str] = {}
_CHUNK = 1 << 20


def file_digest(path, kind: str = 'sha256', *, cache: bool = True) -> str:
    r"""The hex digest of a file: ``kind='sha256'``, or ``'git blob id'`` (what ``git
    hash-object FILE`` prints: sha1 of ``b'blob <size>\0'`` + the content). Cached per
    resolved path, size and modification time unless ``cache=False``."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), kind, st.st_size, st.st_mtime_ns)
    if cache and key in _CACHE:
        return _CACHE[key]
    if kind == 'sha256':
        h = hashlib.sha256()
    elif kind == 'git blob id':
        h = hashlib.sha1(b'blob %d\0' % st.st_size)
    else:
        raise ValueError(f"unknown checksum kind {kind!r}; use 'sha256' or 'git blob id'")
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(_CHUNK), b''):
            h.update(chunk)
    if cache:
        _CACHE[key] = h.hexdigest()
    return h.hexdigest()


def file_sha256(path) -> str:
    r"""The sha256 hex digest of a file (cached per path, size and mtime)."""
    return file_digest(path, 'sha256')


def git_blob_id(path) -> str:
    r"""The git blob id of a file (what ``git hash-object FILE`` prints)."""
    return file_digest(path, 'git blob id')


def checksum_of(known: KnownFile) -> Tuple[str, str]:
    r"""``(kind, expected hex digest)`` of a pinned file: its sha256, else its git blob id.

    Raises:
        ValueError: no checksum is known for it.
    """
    if known.sha256:
        return 'sha256', known.sha256
    if known.git_blob:
        return 'git blob id', known.git_blob
    raise ValueError(f"{known.path}: no checksum is known for {known.url}")


def mismatch(known: KnownFile, path, *, cache: bool = True) -> Optional[str]:
    r"""Checks a file against its pinned checksum. Returns :obj:`None` when it matches,
    else a description of the difference (kind, both digests, both sizes) for an error
    message."""
    kind, want = checksum_of(known)
    got = file_digest(path, kind, cache=cache)
    if got == want:
        return None
    size = Path(path).stat().st_size
    expected = '' if known.size is None else f", expected {known.size}"
    return (f"{kind} mismatch: expected {want}, got {got} (size {size} bytes{expected})")


def verify_files(located, verify: bool = True) -> Dict[str, str]:
    r"""Checks every file of a located data set that has a pinned public copy against its
    sha256 (or git blob id when no sha256 is known). Files without a known checksum (e.g.
    a user's own copy of a data set in another layout) are accepted as they are.

    Args:
        located (Located): from :func:`~gmiml.datasets.locate.locate`.
        verify (bool, optional): check the pinned files. (default: :obj:`True`)

    Returns:
        dict: relative path -> sha256 of every file of the layout (used to key caches).

    Raises:
        ChecksumMismatchError: a pinned file's content differs.
    """
    out = {}
    for rel, path in zip(located.rel_paths, located.paths):
        known = KNOWN_FILES.get(rel)
        if verify and known is not None and known.has_checksum:
            problem = mismatch(known, path)
            if problem:
                raise ChecksumMismatchError(
                    f"{path}: {problem}. The file is corrupt, truncated or a different "
                    f"version of the pinned copy {known.url}; replace it (delete it and "
                    f"run `python -m gmiml.datasets download {located.info.key}`), or pass "
                    f"verify=False to read it anyway.")
        out[rel] = file_sha256(path)
    return out
