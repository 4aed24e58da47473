r"""Reading a MIML data set from any supported file or folder: :func:`read_miml`."""
import os
from pathlib import Path
from typing import List, Optional, Tuple, Union

from .miml_bags import MIMLBags

__all__ = ['FORMATS', 'UnsupportedFormatError', 'detect_format', 'read_miml']

FORMATS = {
    'relational_arff': "Weka relational (multi-instance) ARFF, *.arff: with its Mulan label "
                       "XML (the .xml of the same stem next to it, or xml=), or with "
                       "n_labels= (the last n_labels attributes are the labels)",
    'wu_protein': "the protein text pair of Wu, Huang & Zhou: a folder holding "
                  "instances.txt + labels.txt, or the instances file (its labels file next "
                  "to it, '...instances...' -> '...labels...', or labels=)",
    'miml_mat': "MATLAB v5/v7 .mat: LAMDA 'bags' + 'labels'/'targets' [+ 'class_name'], "
                "or a MIML-DML struct with train_bags/train_target/test_bags/test_target "
                "(entry= picks one data set of a file holding several)",
}

_EXT = {'.arff': 'relational_arff', '.mat': 'miml_mat', '.txt': 'wu_protein'}


class UnsupportedFormatError(ValueError):
    r"""A path is not in a format gmiml reads; the message lists the supported ones."""


def _supported() -> str:
    return 'Supported formats:\n' + '\n'.join(f"  - {k}: {v}" for k, v in FORMATS.items())


def _sniff(path: Path) -> Optional[str]:
    """The format a file's first bytes show, or None."""
    with open(path, 'rb') as f:
        head = f.read(4096)
    if head.startswith(b'MATLAB'):
        return 'miml_mat'
    for raw in head.lstrip(b'\xef\xbb\xbf').splitlines():
        line = raw.strip()
        if not line or line.startswith(b'%'):
            continue
        if line[:1] == b'@':
            return 'relational_arff'
        return 'wu_protein' if line[:1] == b'>' else None
    return None


def _labels_beside(instances: Path) -> Path:
    name = instances.name
    other = name.replace('instances', 'labels') if 'instances' in name else 'labels.txt'
    return instances.with_name(other)


def _folder(path: Path) -> Tuple[str, List[Path]]:
    if (path / 'instances.txt').is_file() and (path / 'labels.txt').is_file():
        return 'wu_protein', [path / 'instances.txt', path / 'labels.txt']
    data = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in
                  ('.arff', '.mat'))
    if len(data) == 1:
        return detect_format(data[0])
    seen = sorted(p.name for p in path.iterdir())
    shown = ', '.join(seen[:12]) + (', ...' if len(seen) > 12 else '') or 'nothing'
    if data:
        raise UnsupportedFormatError(
            f"{path}: {len(data)} data files ({', '.join(p.name for p in data)}); pass the "
            f"path of the one to read")
    raise UnsupportedFormatError(f"{path}: no MIML data found in this folder (it holds: "
                                 f"{shown}).\n{_supported()}")


def detect_format(path, *, labels=None) -> Tuple[str, List[Path]]:
    r"""Which reader a file or folder needs, and the files it will read.

    A folder is read as the Wu et al. pair when it holds ``instances.txt`` and
    ``labels.txt``, else as its only ``.arff`` or ``.mat`` file. A file's format comes from
    its content (a ``MATLAB`` header, an ARFF ``@`` header, a ``>`` record header), else
    from its extension. An ARFF file takes the Mulan XML of the same stem when there is
    one; a Wu instances file takes its labels file (``labels``, else the one beside it).

    Returns:
        (str, list of pathlib.Path): a key of :data:`FORMATS` and the files.

    Raises:
        FileNotFoundError: the path, or the second file of a pair, does not exist.
        UnsupportedFormatError: anything else (the message lists the supported formats).
    """
    path = Path(os.fspath(path)).expanduser()
    if path.is_dir():
        return _folder(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.suffix.lower() == '.xml':
        arff = path.with_suffix('.arff')
        if not arff.is_file():
            raise FileNotFoundError(f"{path}: a Mulan label XML; its ARFF {arff.name} is not "
                                    f"next to it (pass the .arff path, with xml=)")
        return 'relational_arff', [arff, path]
    fmt = _sniff(path) or _EXT.get(path.suffix.lower())
    if fmt is None:
        raise UnsupportedFormatError(f"{path}: not a MIML data file gmiml can read (unknown "
                                     f"extension {path.suffix or '(none)'!r} and content)."
                                     f"\n{_supported()}")
    files = [path]
    if fmt == 'relational_arff' and path.with_suffix('.xml').is_file():
        files.append(path.with_suffix('.xml'))
    elif fmt == 'wu_protein':
        if labels is not None:
            files.append(Path(os.fspath(labels)))
        elif 'labels' in path.name and 'instances' not in path.name:
            files = [path.with_name(path.name.replace('labels', 'instances')), path]
        else:
            files.append(_labels_beside(path))
        missing = [p for p in files if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"{path}: the Wu et al. format is a pair of files, and "
                                    f"{missing[0]} is not there (pass labels= to name the "
                                    f"labels file)")
    return fmt, files


def read_miml(
    path,
    *,
    xml=None,
    n_labels: Optional[int] = None,
    labels=None,
    entry: Union[None, int, Tuple[int, int]] = None,
    label_layout: Optional[str] = None,
    name: str = '',
) -> MIMLBags:
    r"""Reads a MIML data set from a file or folder in any supported format
    (:data:`FORMATS`), found with :func:`detect_format`.

    Args:
        path (str or os.PathLike): a file or a folder.
        xml (str or os.PathLike, optional): relational ARFF: the Mulan label XML (default:
            the ``.xml`` of the same stem, when present).
        n_labels (int, optional): relational ARFF without XML: the number of labels (the
            last ``n_labels`` attributes); required then.
        labels (str or os.PathLike, optional): Wu et al. format: the labels file (default:
            ``labels.txt`` / ``...labels...`` next to the instances file).
        entry (int or (int, int), optional): ``.mat`` holding several data sets: which one
            (see :func:`~gmiml.io.read_miml_mat`).
        label_layout (str, optional): ``.mat``: ``'bags_x_labels'`` or ``'labels_x_bags'``
            when the label matrix is square (see :func:`~gmiml.io.read_miml_mat`).
        name (str, optional): the data set's name. (default: from the file or folder)

    Returns:
        MIMLBags: with ``meta['format']`` and ``meta['files']``.

    Raises:
        FileNotFoundError: a file does not exist.
        UnsupportedFormatError: not a supported format (the message lists them), or an
            option that does not apply to the format found.
        ValueError: a malformed file (the readers name the file, line and bag).
    """
    from .miml_mat import read_miml_mat
    from .relational_arff import read_relational_arff
    from .wu_protein import read_wu_protein

    fmt, files = detect_format(path, labels=labels)
    given = {k for k, v in (('xml', xml), ('n_labels', n_labels), ('labels', labels),
                            ('entry', entry), ('label_layout', label_layout))
             if v is not None}
    allowed = {'relational_arff': {'xml', 'n_labels'}, 'wu_protein': {'labels'},
               'miml_mat': {'entry', 'label_layout'}}[fmt]
    if given - allowed:
        raise UnsupportedFormatError(f"{files[0]} is read as {fmt}, which takes no "
                                     f"{', '.join(sorted(given - allowed))}= argument")
    if fmt == 'relational_arff':
        return read_relational_arff(files[0], xml if xml is not None else (
            files[1] if len(files) > 1 else None), n_labels=n_labels, name=name)
    if fmt == 'wu_protein':
        if not name and Path(os.fspath(path)).is_dir():
            name = Path(os.fspath(path)).resolve().name
        return read_wu_protein(files[0], files[1], name=name)
    return read_miml_mat(files[0], entry=entry, label_layout=label_layout, name=name)
