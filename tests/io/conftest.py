"""Fixtures writing small MIML files (helpers in miml_writers.py)."""
import numpy as np
import pytest

from miml_writers import arff_text, mulan_xml, write_wu_files


@pytest.fixture
def write_wu(tmp_path):
    def write(bags, Y, folder='wu', **kw):
        return write_wu_files(tmp_path / folder, bags, Y, **kw)
    return write


@pytest.fixture
def write_arff(tmp_path):
    def write(bags, Y, label_names, xml_names=None, text=None, name='toy', **kw):
        p = tmp_path / f'{name}.arff'
        p.write_text(text if text is not None else arff_text(bags, Y, label_names, **kw))
        x = None
        if xml_names is not None:
            x = tmp_path / f'{name}.xml'
            x.write_text(mulan_xml(xml_names))
        return p, x
    return write


@pytest.fixture
def toy():
    """Three bags of 2-D instances and three labels."""
    bags = [np.array([[0.5, 1.0], [2.0, -3.25]]), np.array([[1.5, 0.0]]),
            np.array([[0.0, 0.125], [4.0, 5.0], [6.0, 7.5]])]
    Y = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1]], dtype=np.uint8)
    return bags, Y
