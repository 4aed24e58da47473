r"""Reader for Weka multi-instance ("relational") ARFF files with Mulan label XML."""
import csv
import os
import re
from typing import List, Optional, Tuple

import numpy as np

from gmiml.utils.validation import as_float32, binary_labels

from .miml_bags import MIMLBags
from ._common import parse_numeric_rows, read_text, split_rows

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
            closed = _unquote(line[4:].strip())
            if closed != rel[0]:
                raise ValueError(f"{path}, line {i + 1}: '@end {closed}' closes the "
                                 f"relational attribute {rel[0]!r} of line {rel[2]}; "
                                 f"expected '@end {rel[0]}'")
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
            twice = [a for a in attrs if a[0] == name]
            if twice and rel is None:
                raise ValueError(f"{path}, line {i + 1}: attribute {name!r} is declared "
                                 f"twice (first on line {twice[0][3]})")
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


def _label_order(after, path: str, bag: str, xml_path, n_labels):
    """The label names, in output order, and their positions among the attributes
    ``after`` the bag attribute: from the Mulan XML, or the last ``n_labels`` attributes
    (Mulan's convention). Every attribute after the bag must be a label (gmiml reads no
    bag-level attributes), so nothing is ever dropped."""
    names = [a[0] for a in after]
    listing = names if len(names) <= 12 else names[:12] + ['...']
    if n_labels is not None and (isinstance(n_labels, bool) or
                                 not isinstance(n_labels, (int, np.integer)) or n_labels < 1):
        raise ValueError(f"n_labels must be a positive integer, got {n_labels!r}")
    if xml_path is not None:
        xml = os.fspath(xml_path)
        xml_names = read_mulan_xml(xml)
        unknown = [n for n in xml_names if n not in names]
        if unknown:
            raise ValueError(f"{xml}: label(s) {unknown[:12]} named in the XML are not "
                             f"attributes of {path} (the attributes after the bag "
                             f"attribute {bag!r} are {listing})")
        extra = [a for a in after if a[0] not in xml_names]
        if extra:
            raise ValueError(f"{path}, line {extra[0][3]}: attribute {extra[0][0]!r} follows "
                             f"the bag attribute but is not a label of {xml}; every "
                             f"attribute after the bag must be a label (bag-level "
                             f"attributes are not supported)")
        if n_labels is not None and n_labels != len(xml_names):
            raise ValueError(f"n_labels={n_labels} but {xml} names {len(xml_names)} labels")
        return xml_names, [names.index(n) for n in xml_names]
    if n_labels is None:
        raise ValueError(
            f"{path}: which attributes are the labels? {len(names)} attribute(s) follow "
            f"the bag attribute {bag!r}: {listing}. Give the Mulan label XML (xml_path=, "
            f"or for load_bags a .xml of the same stem next to the file) or the number of "
            f"labels n_labels= (the last n_labels attributes are the labels, as in Mulan; "
            f"for this file n_labels={len(names)} if all of them are labels)")
    if n_labels > len(names):
        raise ValueError(f"{path}: n_labels={n_labels} but only {len(names)} attribute(s) "
                         f"follow the bag attribute {bag!r}: {listing}")
    if n_labels < len(names):
        a = after[len(names) - n_labels - 1]
        raise ValueError(f"{path}, line {a[3]}: attribute {a[0]!r} follows the bag "
                         f"attribute but is not among the last n_labels={n_labels} "
                         f"(the labels); every attribute after the bag must be a label "
                         f"(bag-level attributes are not supported)")
    return names, list(range(len(names)))


def read_relational_arff(arff_path, xml_path=None, *, n_labels: Optional[int] = None,
                         name: str = '') -> MIMLBags:
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
        xml_path (str or os.PathLike, optional): the Mulan label XML; its names must be
            exactly the attributes after the bag attribute, and the label columns follow the
            XML order. (default: :obj:`None`)
        n_labels (int, optional): without the XML, the number of labels: the last
            ``n_labels`` attributes (Mulan's convention), which must be all the attributes
            after the bag. One of ``xml_path`` and ``n_labels`` is required: a file alone
            does not say which attributes are labels. (default: :obj:`None`)
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
            quote (truncated file), neither ``xml_path`` nor ``n_labels``, or XML names /
            ``n_labels`` that do not match the attributes after the bag. The message names
            the file, the line and the bag.
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
        if not set(a[2]) <= {'0', '1', '-1', '+1'}:
            raise ValueError(f"{path}, line {a[3]}: label attribute {a[0]!r} declares the "
                             f"values {{{','.join(a[2][:8])}}}; labels must be {{0,1}} or "
                             f"{{-1,1}}")
    names, order = _label_order(label_attrs, path, attrs[r][0], xml_path, n_labels)
    n_fields = r + 1 + len(label_attrs)

    data = [(i + 1, s) for i, s in enumerate(lines[start:], start)
            if s.strip() and not s.lstrip().startswith('%')]
    sparse = [n for n, s in data if s.lstrip().startswith('{')]
    if sparse:
        raise ValueError(f"{path}, line {sparse[0]}: sparse ARFF data lines are not "
                         f"supported")
    if not data:
        raise ValueError(f"{path}: the @data section holds no bags")
    lines_no, data_lines = [n for n, _ in data], [s for _, s in data]
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

    def bad_float(ix):
        b, k = _owners(counts)[ix[0]]
        return (f"{path}, line {lines_no[b]} (bag {bag_ids[b]!r})",
                f"instance {k}, feature {ix[1]}")

    X = as_float32(parse_numeric_rows(flat, ',', bad_value), bad_float)
    bags = split_rows(X, counts)

    arff_names = [a[0] for a in label_attrs]

    def where(b, c):
        return f"{path}, line {lines_no[b]} (bag {bag_ids[b]!r}), label {arff_names[c]!r}"

    def bad_label(b, c, tok):
        raise ValueError(f"{where(b, c)}: label value {tok.strip()[:30]!r} is not a "
                         f"number in {{0, 1}} / {{-1, 1}}")

    V = parse_numeric_rows([','.join(row[r + 1:]) for row in rows], ',', bad_label)
    Y = binary_labels(V, where)[:, order]
    return MIMLBags(
        bags=bags, Y=Y, label_names=names, bag_ids=bag_ids if has_id else None,
        name=name or os.path.splitext(os.path.basename(path))[0],
        meta={'format': 'relational_arff', 'files': [path] + (
            [os.fspath(xml_path)] if xml_path is not None else [])})


def _owners(counts: np.ndarray) -> List[Tuple[int, int]]:
    """(bag, instance-within-bag) for every flat instance row."""
    return [(b, k) for b, c in enumerate(counts.tolist()) for k in range(c)]
