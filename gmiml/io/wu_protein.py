r"""Reader for the protein MIML text format of Wu, Huang & Zhou (2014)."""
import os
from typing import List

import numpy as np

from gmiml.utils.validation import as_float32, binary_labels

from .miml_bags import MIMLBags
from ._common import parse_numeric_rows, read_text, split_rows

__all__ = ['read_wu_protein']


class _Records:
    """The parsed records of one FASTA-like file: ids, header lines, data rows."""

    def __init__(self, path: str, what: str):
        lines = read_text(path, what).splitlines()
        ids: List[str] = []
        id_lines: List[int] = []
        starts: List[int] = []
        rows: List[str] = []
        row_lines: List[int] = []
        for i, line in enumerate(lines):
            if line.startswith('>'):
                ids.append(line[1:].strip())
                id_lines.append(i + 1)
                starts.append(len(rows))
                continue
            s = line.rstrip()  # the files end every row with a tab before CRLF
            if not s:
                continue
            if not ids:
                raise ValueError(f"{path}, line {i + 1}: data before the first '>' header "
                                 f"(not a Wu et al. {what}?)")
            rows.append(s)
            row_lines.append(i + 1)
        if not ids:
            raise ValueError(f"{path}: no '>' header line; not a Wu et al. {what}")
        counts = np.diff(np.asarray(starts + [len(rows)], dtype=np.int64))
        # A lone '>' (empty id, no rows) at the very end is a known quirk of the AV file:
        # drop such trailing headers, and only those.
        n = len(ids)
        while n > 0 and ids[n - 1] == '' and counts[n - 1] == 0:
            n -= 1
        self.dropped_trailing = len(ids) - n
        ids, id_lines, counts = ids[:n], id_lines[:n], counts[:n]
        if n == 0:
            raise ValueError(f"{path}: only empty '>' headers, no records")
        for k in range(n):
            if ids[k] == '':
                raise ValueError(f"{path}, line {id_lines[k]}: empty '>' header (no id) "
                                 f"before record {k} of {n}")
            if counts[k] == 0:
                raise ValueError(f"{path}, line {id_lines[k]}: record {ids[k]!r} has no data "
                                 f"lines (empty bag or truncated file)")
        self.path, self.ids, self.id_lines, self.counts = path, ids, id_lines, counts
        self.rows, self.row_lines = rows, row_lines
        self.owner = np.repeat(np.arange(n), counts)

    def where(self, j: int) -> str:
        return (f"{self.path}, line {self.row_lines[j]} (bag {self.ids[self.owner[j]]!r})")

    def matrix(self, kind: str) -> np.ndarray:
        """All data rows as one float64 matrix; every row must have the same length."""
        tabs = np.fromiter((s.count('\t') for s in self.rows), dtype=np.int64,
                           count=len(self.rows))
        common = np.bincount(tabs).argmax()  # the wrong row is the one off the majority
        bad = np.flatnonzero(tabs != common)
        if bad.size:
            j = bad[0]
            raise ValueError(f"{self.where(j)}: {tabs[j] + 1} tab-separated {kind} values, "
                             f"expected {common + 1} (as on {np.sum(tabs == common)} of "
                             f"{len(tabs)} rows); ragged or truncated row")

        def on_bad(j, f, tok):
            what = 'empty field' if not tok.strip() else f"non-numeric value {tok[:30]!r}"
            raise ValueError(f"{self.where(j)}: {what} at {kind} column {f}")

        return parse_numeric_rows(self.rows, '\t', on_bad)


def read_wu_protein(instances_path, labels_path, *, name: str = '') -> MIMLBags:
    r"""Reads a protein MIML data set in the text format of Wu, Huang & Zhou, "Genome-wide
    protein function prediction through multi-instance multi-label learning" (IEEE/ACM
    TCBB 2014): one folder per organism with ``instances.txt`` and ``labels.txt``.

    Both files are FASTA-like (CRLF or LF line ends)::

        >Q748X6                  <- bag (protein) id
        1.000<TAB>0.500<TAB>...  <- one row per instance (protein domain), d values
        >NEXTID
        ...

    ``labels.txt`` repeats the headers in the same order, each followed by exactly one row
    of :math:`L` values in :math:`\{-1, 1\}` (or :math:`\{0, 1\}`). Rows may end with a
    tab. Empty ``>`` headers (no id, no rows) at the end of a file are dropped (the
    Azotobacter vinelandii file ends with one); an empty header anywhere else, or a header
    without rows, is an error.

    Args:
        instances_path (str or os.PathLike): the ``instances.txt`` file.
        labels_path (str or os.PathLike): the ``labels.txt`` file.
        name (str, optional): the data set's name. (default: the folder name)

    Returns:
        MIMLBags: ``float32`` bags, ``uint8`` labels, the protein ids as ``bag_ids``;
        ``label_names`` is :obj:`None` (the files do not name the GO terms).

    Raises:
        FileNotFoundError: a file does not exist.
        ValueError: an empty/binary file, a bag without instances, rows of different
            lengths, a non-numeric, NaN or infinite value, a bag with zero or several label
            rows, label values outside :math:`\{0, 1\}` / :math:`\{-1, 1\}`, duplicate ids, or
            ids that differ between the two files; the message names the file, line and bag.
    """
    ipath, lpath = os.fspath(instances_path), os.fspath(labels_path)
    inst = _Records(ipath, 'instances file')
    lab = _Records(lpath, 'labels file')

    seen = {}
    for k, i in enumerate(inst.ids):
        if i in seen:
            raise ValueError(f"{ipath}, line {inst.id_lines[k]}: bag id {i!r} appears twice "
                             f"(first on line {inst.id_lines[seen[i]]})")
        seen[i] = k
    for k, (a, b) in enumerate(zip(inst.ids, lab.ids)):
        if a != b:
            raise ValueError(f"bag {k}: id {a!r} in {ipath} (line {inst.id_lines[k]}) but "
                             f"{b!r} in {lpath} (line {lab.id_lines[k]}); the files must "
                             f"list the same bags in the same order")
    if len(lab.ids) != len(inst.ids):
        short, more = (lab, inst) if len(lab.ids) < len(inst.ids) else (inst, lab)
        k = len(short.ids)
        raise ValueError(f"{lpath} has {len(lab.ids)} bags but {ipath} has "
                         f"{len(inst.ids)}: {more.path} goes on with bag {more.ids[k]!r} "
                         f"(line {more.id_lines[k]}) after the last bag of {short.path} "
                         f"({short.ids[-1]!r}, line {short.id_lines[-1]}); the two files "
                         f"must list the same bags in the same order (truncated file?)")
    multi = np.flatnonzero(lab.counts != 1)
    if multi.size:
        k = multi[0]
        raise ValueError(f"{lpath}, line {lab.id_lines[k]}: bag {lab.ids[k]!r} has "
                         f"{lab.counts[k]} label rows, expected exactly 1")

    X = as_float32(inst.matrix('feature'), lambda ix: (inst.where(ix[0]),
                                                       f"feature {ix[1]}"))
    bags = split_rows(X, inst.counts)

    V = lab.matrix('label')
    Y = binary_labels(
        V, lambda r, c: f"{lpath}, line {lab.row_lines[r]} (bag {lab.ids[r]!r}), label {c}")
    meta = {'format': 'wu_protein', 'files': [ipath, lpath]}
    if inst.dropped_trailing or lab.dropped_trailing:
        meta['note'] = (f"dropped {inst.dropped_trailing} empty trailing '>' header(s) of "
                        f"the instances file and {lab.dropped_trailing} of the labels file")
    return MIMLBags(
        bags=bags, Y=Y, label_names=None, bag_ids=list(inst.ids),
        name=name or os.path.basename(os.path.dirname(os.path.abspath(ipath))),
        meta=meta)
