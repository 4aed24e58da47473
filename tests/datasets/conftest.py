"""Shared helpers for the dataset tests: the file writers of tests/io, a small protein
data set, and a clean environment (no GMIML_DATA / GMIML_CACHE leaking in)."""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'io'))

from local_servers import closed_port_url, http_mirror  # noqa: E402,F401  (fixtures)


@pytest.fixture
def small_protein():
    """Six bags of 4-D instances (values on a 1/8 grid, exact in the text format) and
    three labels."""
    rng = np.random.default_rng(0)
    bags = [rng.integers(0, 9, size=(i % 3 + 1, 4)) / 8 for i in range(6)]
    Y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1]],
                 dtype=np.uint8)
    return bags, Y

