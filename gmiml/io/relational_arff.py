r"""Reader for Weka multi-instance ("relational") ARFF files with Mulan label XML."""
import csv
import os
import re
from typing import List, Tuple

import numpy as np

from .miml_bags import MIMLBags
from ._common import parse_numeric_rows, read_text, split_rows, to_binary_labels

__all__ = ['read_relational_arff', 'read_mulan_xml']

_NUMERIC = {'numeric', 'real', 'integer'}
_ATTR_RE = re.compile(
    r"""^@attribute\s+('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s{]+)\s*(.*)$""",
    re.IGNORECASE)


def read_mulan_xml(xml_path) -> List[str]:
    r"""Reads the label names, in document order, from a Mulan label XML file
    (``<labels xmlns="http://mulan.sourceforge.net/labels"><label name="..."/>...``).
    Nested (hierarchical) labels are listed depth-first.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the XML is malformed, has no ``label`` element, a label without a
            name, or a name twice.
    """
    import xml.etree.ElementTree as ET

    xml_path = os.fspath(xml_path)
    try:
        root = ET.parse(xml_path).getroot()
    except FileNotFoundError:
        raise FileNotFoundError(f"{xml_path}: Mulan label XML not found") from None
    except ET.ParseError as e:
        raise ValueError(f"{xml_path}: malformed label XML ({e})") from None
    names = []
    for el in root.iter():
        if el.tag.rsplit('}', 1)[-1] != 'label':
            continue
        name = el.get('name')
        if not name:
            raise ValueError(f"{xml_path}: a <label> element has no name attribute")
        names.append(name)
    if not names:
        raise ValueError(f"{xml_path}: no <label name=...> element found (is this a Mulan "
                         f"label XML file?)")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"{xml_path}: label name(s) {dup} listed more than once")
    return names


def _unquote(name: str) -> str:
    if len(name) >= 2 and name[0] == name[-1] and name[0] in '\'"':
        return name[1:-1]
    return name


def _parse_header(lines: List[str], path: str):
    """Returns (attributes, index of the first line after @data). An attribute is a tuple
    (name, kind, nominal_values or sub-attribute count, line number)."""
    attrs = []
    rel = None  # [name, sub-attribute count, line] while inside a relational attribute
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line or line.startswith('%'):
            continue
        low = line.lower()
        if low.startswith('@relation'):
            continue
        if low.startswith('@end'):
            if rel is None:
                raise ValueError(f"{path}, line {i + 1}: '@end' without an open relational "
                                 f"attribute")
            attrs.append((rel[0], 'relational', rel[1], rel[2]))
            rel = None
            continue
        if low.startswith('@data'):
            if rel is not None:
                raise ValueError(f"{path}: relational attribute {rel[0]!r} (line "
                                 f"{rel[2]}) has no '@end {rel[0]}' before @data")
            return attrs, i + 1
        if low.startswith('@attribute'):
            m = _ATTR_RE.match(line)
            if m is None:
                raise ValueError(f"{path}, line {i + 1}: cannot parse attribute "
                                 f"declaration {line[:80]!r}")
            name, typ = _unquote(m.group(1)), m.group(2).strip()
            tlow = typ.lower()
            if rel is not None:
                if tlow not in _NUMERIC:
                    raise ValueError(f"{path}, line {i + 1}: instance attribute {name!r} of "
                                     f"bag {rel[0]!r} has type {typ!r}; only numeric "
                                     f"instance features are supported")
                rel[1] += 1
            elif tlow == 'relational':
                if any(a[1] == 'relational' for a in attrs):
                    raise ValueError(f"{path}, line {i + 1}: a second relational attribute "
                                     f"{name!r}; a MIML ARFF has exactly one bag attribute")
                rel = [name, 0, i + 1]
            elif typ.startswith('{'):
                if not typ.endswith('}'):
                    raise ValueError(f"{path}, line {i + 1}: nominal attribute {name!r} has "
                                     f"no closing '}}'")
                values = [_unquote(v.strip()) for v in typ[1:-1].split(',')]
                attrs.append((name, 'nominal', values, i + 1))
            else:
                attrs.append((name, tlow.split()[0] if tlow else '', None, i + 1))
            continue
        raise ValueError(f"{path}, line {i + 1}: unexpected header line {line[:80]!r}")
    raise ValueError(f"{path}: no @data section (truncated or not an ARFF file)")


def read_relational_arff(arff_path, xml_path=None, *, name: str = '') -> MIMLBags:
    r"""Reads a MIML data set stored as a Weka multi-instance ARFF file (the
    ``kdis-lab/MIML`` / Mulan layout used by the MIML image and text data).

    The header declares an optional bag-id attribute, one ``relational`` attribute holding
    the :math:`d` numeric instance features (``@attribute bag relational`` ...
    ``@end bag``), then one nominal :math:`\{0, 1\}` (or :math:`\{-1, 1\}`) attribute per
    label. A data line is ``id,"v_1,...,v_d\nv_1,...,v_d\n...",y_1,...,y_L``: all
    instances of a bag sit in one quoted field, separated by the two characters
    backslash-n.

    The data lines are split with :mod:`csv` and all instance rows are parsed in one
    :func:`numpy.loadtxt` call (about 10x faster than :func:`scipy.io.arff.loadarff` on the
    3.5 MB text data).

    Args:
        arff_path (str or os.PathLike): the ``.arff`` file.
        xml_path (str or os.PathLike, optional): the Mulan label XML; when given, its names
            must be exactly the label attributes of the ARFF, and the label columns follow the
            XML order. Without it, every attribute after the bag is a label, named as in the
            ARFF. (default: :obj:`None`)
        name (str, optional): the data set's name. (default: the file stem)

    Returns:
        MIMLBags: ``float32`` bags, ``uint8`` labels, label names, and bag ids (the id
        attribute's values, when the file has one).

    Raises:
        FileNotFoundError: a file does not exist.
        ValueError: a malformed header, no or two relational attributes, a data line with
            the wrong number of fields, an empty bag, an instance with the wrong number of
            features, a missing (``?``), non-numeric, NaN or infinite value, a label value
            outside :math:`\{0, 1\}` / :math:`\{-1, 1\}`, duplicate bag ids, an unterminated
            quote (truncated file), or XML names that do not match the ARFF labels. The
            message names the file, the line and the bag.
    """
    path = os.fspath(arff_path)
    text = read_text(path)
    lines = text.splitlines()
    attrs, start = _parse_header(lines, path)
    pos = [k for k, a in enumerate(attrs) if a[1] == 'relational']
    if not pos:
        raise ValueError(f"{path}: no relational (bag) attribute; this is not a "
                         f"multi-instance ARFF file")
    r = pos[0]
    dim = attrs[r][2]
    if dim == 0:
        raise ValueError(f"{path}: the relational attribute {attrs[r][0]!r} declares no "
                         f"instance features")
    if r > 1:
        raise ValueError(f"{path}: {r} attributes before the bag attribute "
                         f"{attrs[r][0]!r}; expected at most one (the bag id)")
    has_id = r == 1
    label_attrs = attrs[r + 1:]
    if not label_attrs:
        raise ValueError(f"{path}: no label attributes after the bag attribute")
    for a in label_attrs:
        if a[1] != 'nominal':
            raise ValueError(f"{path}, line {a[3]}: label attribute {a[0]!r} has type "
                             f"{a[1]!r}; labels must be nominal {{0,1}} or {{-1,1}}")
    n_fields = r + 1 + len(label_attrs)

    data_lines, lines_no = [], []
    for i in range(start, len(lines)):
        s = lines[i]
        st = s.strip()
        if not st or st.startswith('%'):
            continue
        if st.startswith('{'):
            raise ValueError(f"{path}, line {i + 1}: sparse ARFF data lines are not "
                             f"supported")
        data_lines.append(s)
        lines_no.append(i + 1)
    if not data_lines:
        raise ValueError(f"{path}: the @data section holds no bags")
    first = data_lines[0]
    cut = first.find(',')
    quote = "'" if cut >= 0 and first[cut + 1:cut + 2] == "'" else '"'
    reader = csv.reader(data_lines, quotechar=quote, escapechar=None, strict=True,
                        skipinitialspace=True)
    rows = []
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # a bag field can exceed csv's 128 KiB default
    try:
        for row in reader:
            if reader.line_num != len(rows) + 1:
                raise ValueError(
                    f"{path}, line {lines_no[len(rows)]}: unterminated quote (the bag field "
                    f"runs over the end of the line; truncated or corrupt file)")
            rows.append(row)
    except csv.Error as e:
        raise ValueError(f"{path}, line {lines_no[len(rows)]}: malformed data line ({e}); "
                         f"truncated or corrupt file") from None
    finally:
        csv.field_size_limit(limit)
    for b, row in enumerate(rows):
        if len(row) != n_fields:
            raise ValueError(f"{path}, line {lines_no[b]}: {len(row)} fields, expected "
                             f"{n_fields} ({'id, ' if has_id else ''}bag, {len(label_attrs)} "
                             f"labels); truncated or corrupt line")

    if has_id:
        bag_ids = [row[0] for row in rows]
        if attrs[0][1] == 'nominal':
            allowed = set(attrs[0][2])
            for b, v in enumerate(bag_ids):
                if v not in allowed:
                    raise ValueError(f"{path}, line {lines_no[b]}: bag id {v!r} is not "
                                     f"among the values declared for {attrs[0][0]!r}")
        if len(set(bag_ids)) != len(bag_ids):
            seen = set()
            for b, v in enumerate(bag_ids):
                if v in seen:
                    raise ValueError(f"{path}, line {lines_no[b]}: bag id {v!r} appears "
                                     f"twice")
                seen.add(v)
    else:
        bag_ids = [str(b) for b in range(len(rows))]

    # instances: split every bag field at the two-character "\n" escape
    flat: List[str] = []
    counts = np.empty(len(rows), dtype=np.int64)
    for b, row in enumerate(rows):
        field = row[r]
        if not field.strip():
            raise ValueError(f"{path}, line {lines_no[b]} (bag {bag_ids[b]!r}): empty bag "
                             f"(0 instances)")
        inst = field.split('\\n')
        counts[b] = len(inst)
        flat.extend(inst)
    commas = np.fromiter((s.count(',') for s in flat), dtype=np.int64, count=len(flat))
    bad = np.flatnonzero(commas != dim - 1)
    if bad.size:
        j = bad[0]
        b, k = _owners(counts)[j]
        what = ('is empty' if not flat[j].strip() else
                f"has {commas[j] + 1} values, expected {dim}")
        raise ValueError(f"{path}, line {lines_no[b]} (bag {bag_ids[b]!r}): instance {k} "
                         f"{what} (ragged or truncated bag)")

    def bad_value(j, f, tok):
        b, k = _owners(counts)[j]
        what = ('missing value "?"' if tok.strip() == '?' else
                f"non-numeric value {tok.strip()[:30]!r}")
        raise ValueError(f"{path}, line {lines_no[b]} (bag {bag_ids[b]!r}): {what} at "
                         f"instance {k}, feature {f}")

    X = parse_numeric_rows(flat, ',', bad_value).astype(np.float32)
    finite = np.isfinite(X).all(axis=1)
    if not finite.all():
        j = np.flatnonzero(~finite)[0]
        b, k = _owners(counts)[j]
        f = int(np.flatnonzero(~np.isfinite(X[j]))[0])
        raise ValueError(f"{path}, line {lines_no[b]} (bag {bag_ids[b]!r}): non-finite "
                         f"value {X[j, f]} at instance {k}, feature {f}")
    bags = split_rows(X, counts)

    names = [a[0] for a in label_attrs]

    def where(b, c):
        return f"{path}, line {lines_no[b]} (bag {bag_ids[b]!r}), label {names[c]!r}"

    def bad_label(b, c, tok):
        raise ValueError(f"{where(b, c)}: label value {tok.strip()[:30]!r} is not a "
                         f"number in {{0, 1}} / {{-1, 1}}")

    V = parse_numeric_rows([','.join(row[r + 1:]) for row in rows], ',', bad_label)
    Y = to_binary_labels(V, where)
    if xml_path is not None:
        xml_names = read_mulan_xml(xml_path)
        missing = [n for n in xml_names if n not in names]
        extra = [n for n in names if n not in xml_names]
        if missing or extra:
            raise ValueError(f"{os.fspath(xml_path)}: label names do not match the label "
                             f"attributes of {path} (in the XML only: {missing}; in the "
                             f"ARFF only: {extra})")
        Y = Y[:, [names.index(n) for n in xml_names]]
        names = xml_names
    return MIMLBags(
        bags=bags, Y=Y, label_names=names, bag_ids=bag_ids if has_id else None,
        name=name or os.path.splitext(os.path.basename(path))[0],
        meta={'format': 'relational_arff', 'files': [path] + (
            [os.fspath(xml_path)] if xml_path is not None else [])})


def _owners(counts: np.ndarray) -> List[Tuple[int, int]]:
    """(bag, instance-within-bag) for every flat instance row."""
    return [(b, k) for b, c in enumerate(counts.tolist()) for k in range(c)]
