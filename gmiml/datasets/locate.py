r"""Finding a registered data set's files under the data root: :func:`locate`. The one
place that knows how layouts map to files, and what to tell a user when they are absent."""
import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from .errors import DatasetNotFoundError
from .paths import resolve_root
from .registry import KNOWN_FILES, DatasetInfo, Layout, get_info

__all__ = ['Located', 'locate', 'is_available', 'downloadable_layout',
           'not_found_message', 'placement_lines']


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


def _optional_xml(layout: Layout) -> bool:
    # a glob ARFF layout takes the Mulan XML of the same stem when there is one
    return layout.reader == 'relational_arff' and layout.is_glob


def _glob_one(root: Path, pattern: str):
    """(relative path or None, problem or None) for a pattern matching exactly one file."""
    folder, pat = os.path.split(pattern)
    hits = sorted(p for p in (root / folder).glob(pat) if p.is_file()) \
        if (root / folder).is_dir() else []
    if len(hits) > 1:
        return None, f"{pattern} matches {len(hits)} files: {[h.name for h in hits]}"
    return (f"{folder}/{hits[0].name}", None) if hits else (None, None)


def _layout_files(layout: Layout, root: Path):
    """Resolves a layout's files under root: (rel_paths or None, missing, ambiguous)."""
    rels, missing, ambiguous = [], [], []
    for k, pattern in enumerate(layout.files):
        if _optional_xml(layout) and k == 1:
            stem = os.path.splitext(rels[0])[0] if rels else None
            if stem is not None and (root / (stem + '.xml')).is_file():
                rels.append(stem + '.xml')
            continue
        if '*' in pattern:
            rel, problem = _glob_one(root, pattern)
        else:
            rel, problem = (pattern if (root / pattern).is_file() else None), None
        if problem:
            ambiguous.append(problem)
        elif rel is None:
            missing.append(pattern)
        else:
            rels.append(rel)
    if missing or ambiguous:
        return None, missing, ambiguous
    return rels, [], []


def _describe(layout: Layout) -> str:
    files = list(layout.files)
    if _optional_xml(layout):
        files = [files[0] + ' [+ .xml of the same stem]']
    s = ' + '.join(files)
    if layout.entry:
        s += f" (entry with {layout.entry[0]} bags x {layout.entry[1]} labels)"
    return f"{s}  -- {layout.description}" if layout.description else s


def downloadable_layout(info: DatasetInfo) -> Optional[Layout]:
    r"""The first layout of a data set whose files all have pinned, checksummed public
    copies (what a download fetches), or :obj:`None`."""
    for lay in info.layouts:
        if not lay.is_glob and all(f in KNOWN_FILES and KNOWN_FILES[f].has_checksum
                                   for f in lay.files):
            return lay
    return None


def placement_lines(rels: Sequence[str], root: Path) -> List[str]:
    r"""One line per pinned file: where it goes and where to get it (URL, size, sha256)."""
    out = []
    for rel in rels:
        k = KNOWN_FILES[rel]
        check = f"sha256 {k.sha256}" if k.sha256 else f"git blob {k.git_blob}"
        size = '' if k.size is None else f"{k.size} bytes, "
        out.append(f"  {root / rel}\n      <- {k.url} ({size}{check})")
    return out


def not_found_message(info: DatasetInfo, root: Path, how: str, partial=(),
                      ambiguous=()) -> str:
    r"""What to tell a user when a data set is not under the root: the layouts it may be
    stored in, what was found only in part, the public sources, and how to get it."""
    exists = '' if root.is_dir() else '; the folder does not exist'
    lines = [f"MIML data set {info.key!r} ({info.title}) not found under {root} "
             f"(data root from {how}{exists}).",
             "Expected, relative to the data root, one of these layouts:"]
    lines += [f"  - {_describe(lay)}" for lay in info.layouts]
    lines += [f"Found only part of a layout: {p}" for p in partial]
    lines += [f"Ambiguous: {a}; keep exactly one" for a in ambiguous]
    lines.append("Public sources:")
    lines += [f"  - {u}" for u in info.upstream] or ['  - (none known)']
    lay = downloadable_layout(info)
    if lay is not None:
        lines.append(f"Get it with `python -m gmiml.datasets download {info.key}` (or "
                     f"download=True; needs internet), or put these files in place "
                     f"(or pass root= / set GMIML_DATA to a folder holding them):")
        lines += placement_lines(lay.files, root)
    else:
        lines.append("No checksummed public copy is known, so it cannot be downloaded "
                     "automatically: get the files from the sources above and place them "
                     "as listed (files of unknown checksum are accepted).")
    return '\n'.join(lines)


def _find(info: DatasetInfo, root: Path):
    partial, ambiguous = [], []
    for lay in info.layouts:
        rels, missing, amb = _layout_files(lay, root)
        if rels is not None:
            return Located(info, lay, root, rels), partial, ambiguous
        ambiguous += amb
        n_required = len(lay.files) - (1 if _optional_xml(lay) else 0)
        if not amb and 0 < len(missing) < n_required:
            partial.append(f"{_describe(lay)}: missing {missing}")
    return None, partial, ambiguous


def locate(name: str, root=None) -> Located:
    r"""Finds a registered data set under the data root (see
    :func:`~gmiml.datasets.paths.resolve_root`) without reading it.

    Raises:
        KeyError: unknown name.
        DatasetNotFoundError: no supported layout is complete under the root (the message
            names the expected files, the root searched, the public sources, and the
            download command where there is a pinned copy).
    """
    info = get_info(name)
    root_path, how = resolve_root(root)
    found, partial, ambiguous = _find(info, root_path)
    if found is None:
        raise DatasetNotFoundError(not_found_message(info, root_path, how, partial,
                                                     ambiguous))
    return found


def is_available(name: str, root=None) -> bool:
    r"""Whether a complete layout of the data set is under the root (nothing is read)."""
    try:
        locate(name, root)
    except DatasetNotFoundError:
        return False
    return True
