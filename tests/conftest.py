import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _data_root():
    env = os.environ.get('GMIML_DATA')
    if env:
        return Path(env)
    return REPO / 'datasets' / 'raw'


@pytest.fixture(scope='session')
def data_root():
    """The real MIML data folder. Skips when no data is configured at all; fails when
    GMIML_DATA names a folder that does not exist (a broken setup must not pass quietly)."""
    root = _data_root()
    if not root.is_dir():
        if os.environ.get('GMIML_DATA'):
            pytest.fail(f"GMIML_DATA={os.environ['GMIML_DATA']} is not a directory")
        pytest.skip('no MIML data: set GMIML_DATA or fill datasets/raw')
    return root.resolve()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``cuda`` need a GPU: skipped cleanly without one
    (``pytest -m cuda`` runs just them, e.g. in ``scripts/gpu_check.sh``)."""
    import torch
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason='needs CUDA')
    for item in items:
        if 'cuda' in item.keywords:
            item.add_marker(skip)
