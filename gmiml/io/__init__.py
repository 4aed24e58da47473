r"""Readers for the file formats MIML data sets come in.

Every reader returns a :class:`MIMLBags`: ``float32`` instance matrices per bag, a
``uint8`` :math:`\{0, 1\}` label matrix ``[N, L]``, label names and bag ids where the
files have them.

- :func:`read_relational_arff`: Weka multi-instance ARFF + Mulan label XML (MIML image and
  text data as shipped by ``kdis-lab/MIML``).
- :func:`read_wu_protein`: the ``instances.txt`` / ``labels.txt`` text format of the
  protein data of Wu, Huang & Zhou (2014).
- :func:`read_miml_mat`: MATLAB ``.mat`` files (LAMDA ``bags`` + ``labels``/``targets``,
  and the MIML-DML ``MLprotein`` struct holding a train/test split).
- :func:`read_miml`: any of these by path (file or folder), the format detected from the
  content and extension (:func:`detect_format`, :data:`FORMATS`).
- :func:`read_ldl_mat`: label-distribution data (features + known label distributions,
  one row per instance) in a ``.mat`` file, as :class:`LDLData`; for evaluating label
  enhancement.
"""
from .miml_bags import MIMLBags
from .relational_arff import read_relational_arff, read_mulan_xml
from .wu_protein import read_wu_protein
from .miml_mat import read_miml_mat, mat_entry_shapes
from .read_miml import FORMATS, UnsupportedFormatError, detect_format, read_miml
from .ldl_data import LDLData
from .ldl_mat import read_ldl_mat

__all__ = [
    'MIMLBags',
    'read_relational_arff',
    'read_mulan_xml',
    'read_wu_protein',
    'read_miml_mat',
    'mat_entry_shapes',
    'read_miml',
    'detect_format',
    'FORMATS',
    'UnsupportedFormatError',
    'LDLData',
    'read_ldl_mat',
]
