r"""The registry of the nine MIML benchmark data sets of the GLEMIML paper.

For every data set it records the names it answers to, the file layouts it may be stored
in under the data root, the pinned public copies (raw-file URL of a named repository at a
named commit, size, sha256 / git blob id) and the citation. The human side of this table is
``datasets/README.md``.

Layouts are tried in order; the first whose files are all present is read. Paths are
relative to the data root; a ``*`` in a file name matches exactly one file.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple
from urllib.parse import quote

__all__ = ['KnownFile', 'Layout', 'DatasetInfo', 'KNOWN_FILES', 'REGISTRY', 'get_info',
           'resolve_name', 'dataset_names']


@dataclass(frozen=True)
class KnownFile:
    r"""A file with a pinned public copy.

    Args:
        path (str): where it goes under the data root (POSIX separators).
        repo (str): the GitHub repository ``owner/name``.
        commit (str): the commit the URL is pinned to.
        repo_path (str): the file's path in the repository.
        size (int): size in bytes.
        sha256 (str, optional): the sha256 of the content, checked on every load.
        git_blob (str, optional): the git blob id (``git hash-object``); checked when no
            sha256 is known.
    """
    path: str
    repo: str
    commit: str
    repo_path: str
    size: Optional[int] = None
    sha256: Optional[str] = None
    git_blob: Optional[str] = None

    @property
    def url(self) -> str:
        return (f"https://raw.githubusercontent.com/{self.repo}/{self.commit}/"
                f"{quote(self.repo_path)}")

    @property
    def has_checksum(self) -> bool:
        return bool(self.sha256 or self.git_blob)


@dataclass(frozen=True)
class Layout:
    r"""One way a data set can be stored under the data root.

    Args:
        reader (str): ``'relational_arff'``, ``'wu_protein'`` or ``'miml_mat'``.
        files (tuple of str): the files, relative to the root; for ``'relational_arff'``
            the ``.arff`` and, optionally, the Mulan ``.xml`` (a glob layout takes the
            ``.xml`` of the same stem when present).
        entry (tuple of int, optional): for a ``.mat`` file holding several data sets, the
            ``(n_bags, n_labels)`` shape that picks this one.
        description (str): what this layout is, for messages.
    """
    reader: str
    files: Tuple[str, ...]
    entry: Optional[Tuple[int, int]] = None
    description: str = ''

    @property
    def is_glob(self) -> bool:
        return any('*' in f for f in self.files)


@dataclass(frozen=True)
class DatasetInfo:
    r"""A registered data set.

    Args:
        key (str): the canonical short name (``'image'``, ``'GS'``, ...).
        title (str): the full name.
        aliases (tuple of str): other names it answers to (case-insensitive).
        layouts (tuple of Layout): supported layouts, in order of preference.
        citation (str): where the data set comes from.
        upstream (tuple of str): known public sources (URLs or descriptions).
        paper_table1 (tuple): the paper's Table 1 row ``(bags, labels, inst/bag mean,
            inst/bag std, labels/bag mean, labels/bag std)`` as printed (it has errors for
            image and text; see ``datasets/README.md``).
    """
    key: str
    title: str
    aliases: Tuple[str, ...]
    layouts: Tuple[Layout, ...]
    citation: str
    upstream: Tuple[str, ...] = ()
    paper_table1: Tuple = field(default=())

    @property
    def shape(self) -> Tuple[int, int]:
        """``(n_bags, n_labels)`` from the paper's Table 1."""
        return (self.paper_table1[0], self.paper_table1[1])


_SOURCES = {  # short name -> (GitHub repository, pinned commit)
    'kdis': ('kdis-lab/MIML', '571061bc699421af30782bd205fda5c10edcd125'),
    'llmc': ('heivens/MIML-LLMC', '80e0fc9bc416b6a74078518b8628597ca48a2939'),
    'mimlal': ('njuptml/MIMLAL-R', '37cd4b8fb7d7bcf97956f1e2af110a4dff615a92'),
    'dml': ('xyh2016/MIML-DML', '912bd62bcd357116833c5de1e2ec1bfe37739129'),
}

# The pinned files, one per row (a table, so its rows run long):
# path under the data root | source | path in the repository | size | sha256 | git blob id
# MIMLprotein/MIMLprotein.mat holds all seven organisms (MIML-DML, >= 4 MiB); only its
# git blob id is known, and its internal layout could not be inspected here.
_PINNED = """
image/miml_03_data.arff | kdis | data/miml_03_data.arff | 1516189 | 54f216425712b51a52f3e09a0be6ffaddddbc47e0406395f1e9ca288f4f5fd1b | 1809a44ef58042b169f17179e7553ec34d8b67e8
image/miml_03_data.xml | kdis | data/miml_03_data.xml | 251 | 13dfbb670c7edd67f66ed94f061cc1280f35fb64ee167988a5be446de0d25371 | 4caf85ec4a4760b7d4dc1f0d9d493239f9cde1a1
image/scene_MIML.mat | llmc | DataSets/Unnormalized/scene_MIML.mat | 2352624 | b62721aa0e98c8bcab38eea809417434e9b59c75bb931d341529ead42980be7c | 2a871989a45fcf1889f55c96d8b5e83a022164e2
text/miml_text_data.arff | kdis | data/miml_text_data.arff | 3522691 | 2fa01ded03924c613bff32d70701177efad18bf4081e64ada6cc68d8e33fad25 | 3317f1d7719c5cd38580eecabb429da8e3cfe17f
text/miml_text_data.xml | kdis | data/miml_text_data.xml | 312 | fdaa63af4909c4abb2e011906e0a5e65828dfb5431d3ba99efa855ab7a2232bc | 9f6aba3873168643b347997203d40b3eaaab0c2b
GS/instances.txt | mimlal | data/Geobacter sulfurreducens/instances.txt | 1579183 | a1097c004638bba9da44dfe3f0b2b392ee3ae1601c36a6e4da04977aeb22a6fd | 6c5d6ecdf97b120f2c6703bbb5977578c016bcd5
GS/labels.txt | mimlal | data/Geobacter sulfurreducens/labels.txt | 366818 | 2cdff74be1dc1323241ccd5794a8aec34f0e75c6be72af9d4c75dd94163d415a | 18ac393fbcc27ced809edef43bc511042310e5c4
AV/instances.txt | mimlal | data/Azotobacter_vinelandii/instances.txt | 1627462 | b297441104d7f2ed3a385064f688a947ec95fb062bca07d171abc1348532e6d4 | baeae749763dd12907072dc884b10c03771d9dfc
AV/labels.txt | mimlal | data/Azotobacter_vinelandii/labels.txt | 417989 | 243d24b8f32151d1a83d83283c9a8a5839910eeb0ff62c6916ce28a961efe3c5 | 78d61ff424519104a60983f06ad347c70a422746
HM/MIMLprotein_test.mat | dml | MIMLprotein_test.mat | 187899 | edd31c73315d88ab05f93bf763dabc57fcd1f682faca0a9d7783fae506957b2e | a878bcd4a350aabb946666344420b749d90a332f
MIMLprotein/MIMLprotein.mat | dml | data/MIMLprotein.mat | - | - | 2050c8ba471ebc60d67281eb84cc0e4cc526b41d
"""


def _known_file(row: str) -> KnownFile:
    path, source, repo_path, size, sha256, blob = [
        None if c.strip() == '-' else c.strip() for c in row.split('|')]
    return KnownFile(path, *_SOURCES[source], repo_path, size and int(size), sha256, blob)


KNOWN_FILES: Dict[str, KnownFile] = {
    f.path: f for f in map(_known_file, _PINNED.strip().splitlines())}

_WU = 'Wu et al. text format (instances.txt + labels.txt)'
_ALL7 = 'MIML-DML MIMLprotein.mat holding all seven organisms (entry picked by shape)'

_PROTEIN_CITATION = (
    "J.-S. Wu, S.-J. Huang, Z.-H. Zhou. Genome-wide protein function prediction through "
    "multi-instance multi-label learning. IEEE/ACM Transactions on Computational Biology "
    "and Bioinformatics 11(5):891-902, 2014.")


def _generic(key: str, entry: Tuple[int, int], protein: bool):
    """The layouts every data set may also be stored in, in its own folder."""
    out = [
        Layout('wu_protein', (f'{key}/instances.txt', f'{key}/labels.txt'),
               description=_WU),
        Layout('miml_mat', (f'{key}/*.mat', ), description='one MATLAB .mat file'),
        Layout('relational_arff', (f'{key}/*.arff', f'{key}/*.xml'),
               description='one relational ARFF (+ Mulan XML of the same stem)'),
    ]
    if protein:
        out.append(Layout('miml_mat', ('MIMLprotein/MIMLprotein.mat', ), entry=entry,
                          description=_ALL7))
    return out


def _protein(key, title, aliases, table1, pinned=(), upstream=()):
    layouts = list(pinned)
    for lay in _generic(key, table1[:2], True):
        if lay.files not in [p.files for p in pinned]:
            layouts.append(lay)
    dml = KNOWN_FILES['MIMLprotein/MIMLprotein.mat']
    up = tuple(upstream) + (
        f"{dml.url} (all seven organisms, >= 4 MiB; git blob {dml.git_blob}; its inner "
        f"layout is read generically, not verified by gmiml)",
        "LAMDA group, Nanjing University: the data page of Wu, Huang & Zhou (2014)",
    )
    return DatasetInfo(key, title, aliases, tuple(layouts), _PROTEIN_CITATION, up, table1)


REGISTRY: Dict[str, DatasetInfo] = {d.key: d for d in [
    DatasetInfo(
        'image', 'MIML scene image data (2000 images, 5 labels)',
        ('scene', 'images', 'miml image', 'miml scene', 'image data for miml'),
        (Layout('relational_arff', ('image/miml_03_data.arff', 'image/miml_03_data.xml'),
                description='kdis-lab/MIML relational ARFF + Mulan XML'),
         Layout('miml_mat', ('image/scene_MIML.mat', ),
                description='LAMDA-style .mat (bags in rows)'),
         *_generic('image', (2000, 5), False)),
        "Z.-H. Zhou, M.-L. Zhang. Multi-instance multi-label learning with application to "
        "scene classification. NIPS 19, 2007 (the GLEMIML paper cites M. R. Boutell et al., "
        "Learning multi-label scene classification, Pattern Recognition 37(9), 2004).",
        (KNOWN_FILES['image/miml_03_data.arff'].url,
         KNOWN_FILES['image/miml_03_data.xml'].url,
         KNOWN_FILES['image/scene_MIML.mat'].url),
        (2000, 5, 15.00, 0.00, 1.24, 0.17)),
    DatasetInfo(
        'text', 'MIML Reuters text data (2000 documents, 7 labels)',
        ('reuters', 'texts', 'miml text', 'text data for miml'),
        (Layout('relational_arff', ('text/miml_text_data.arff', 'text/miml_text_data.xml'),
                description='kdis-lab/MIML relational ARFF + Mulan XML'),
         *_generic('text', (2000, 7), False)),
        "Z.-H. Zhou, M.-L. Zhang. Multi-instance multi-label learning with application to "
        "scene classification. NIPS 19, 2007 (Reuters-21578 subset); the GLEMIML paper "
        "cites M.-L. Zhang, Z.-H. Zhou. M3MIML: a maximum margin method for multi-instance "
        "multi-label learning. ICDM 2008.",
        (KNOWN_FILES['text/miml_text_data.arff'].url,
         KNOWN_FILES['text/miml_text_data.xml'].url,
         'reuters_MIML.mat in heivens/MIML-LLMC (DataSets/Unnormalized; >= 4 MiB, no '
         'checksum known)'),
        (2000, 7, 1.15, 0.37, 3.56, 2.71)),
    _protein('GS', 'Geobacter sulfurreducens', ('geobacter sulfurreducens', 'geobacter'),
             (379, 320, 3.20, 1.21, 3.14, 3.33),
             pinned=(Layout('wu_protein', ('GS/instances.txt', 'GS/labels.txt'),
                            description=_WU), ),
             upstream=(KNOWN_FILES['GS/instances.txt'].url,
                       KNOWN_FILES['GS/labels.txt'].url)),
    _protein('AV', 'Azotobacter vinelandii',
             ('azotobacter vinelandii', 'azotobacter', 'azotobacter yinelandii'),
             (407, 340, 3.07, 1.16, 4.00, 6.97),
             pinned=(Layout('wu_protein', ('AV/instances.txt', 'AV/labels.txt'),
                            description=_WU), ),
             upstream=(KNOWN_FILES['AV/instances.txt'].url,
                       KNOWN_FILES['AV/labels.txt'].url)),
    _protein('HM', 'Haloarcula marismortui', ('haloarcula marismortui', 'haloarcula'),
             (304, 234, 3.13, 1.09, 3.25, 3.02),
             pinned=(Layout('miml_mat', ('HM/MIMLprotein_test.mat', ),
                            description='MIML-DML MIMLprotein_test.mat (a stored 50/50 '
                                        'train/test split; the union is loaded)'), ),
             upstream=(KNOWN_FILES['HM/MIMLprotein_test.mat'].url, )),
    _protein('PF', 'Pyrococcus furiosus', ('pyrococcus furiosus', 'pyrococcus'),
             (425, 321, 3.10, 1.09, 4.48, 6.33),
             upstream=('protein_pyrococcus.mat (keys bags, labels) in the data.zip release '
                       'asset of SyedUmaidAhmed/miml-architecture-reevaluation', )),
    _protein('SC', 'Saccharomyces cerevisiae',
             ('saccharomyces cerevisiae', 'saccharomyces', 'yeast'),
             (3509, 1566, 1.86, 1.36, 5.89, 11.52),
             upstream=('njuptml/MIMLTR (commits 20afc455de5c2afa4417db65643982107ce6ab30, '
                       'cb438948574d2668363969179bd3abcfd7c118f8): data/SourceDomain/'
                       'Saccharomyces_cerevisiae/{instances,labels}.txt (Wu et al. text '
                       'format; place them as SC/instances.txt, SC/labels.txt; no checksum '
                       'known)', )),
    _protein('CE', 'Caenorhabditis elegans', ('caenorhabditis elegans', 'caenorhabditis',
                                              'c. elegans', 'worm'),
             (2512, 940, 3.39, 4.20, 6.07, 11.25)),
    _protein('DM', 'Drosophila melanogaster', ('drosophila melanogaster', 'drosophila',
                                               'fruit fly', 'fly'),
             (2605, 1035, 3.51, 3.49, 6.02, 10.24)),
]}


def _norm(name: str) -> str:
    return re.sub(r'[\s_\-]+', ' ', str(name).strip().lower())


_LOOKUP: Dict[str, str] = {}
for _info in REGISTRY.values():
    for _n in (_info.key, _info.title, *_info.aliases):
        _LOOKUP[_norm(_n)] = _info.key


def dataset_names() -> Tuple[str, ...]:
    r"""The canonical names of the registered data sets, in the paper's order."""
    return tuple(REGISTRY)


def resolve_name(name: str) -> str:
    r"""Maps a data set name or alias (case-insensitive; spaces, ``_`` and ``-`` are
    equivalent) to its canonical key, e.g. ``'scene'`` -> ``'image'``, ``'Pyrococcus
    furiosus'`` -> ``'PF'``.

    Raises:
        KeyError: an unknown name (the message lists the known ones).
    """
    key = _LOOKUP.get(_norm(name))
    if key is None:
        known = ', '.join(f"{k} ({', '.join(REGISTRY[k].aliases[:2])})" for k in REGISTRY)
        raise KeyError(f"unknown MIML data set {name!r}; known: {known}")
    return key


def get_info(name: str) -> DatasetInfo:
    r"""The :class:`DatasetInfo` of a data set, by name or alias."""
    return REGISTRY[resolve_name(name)]
