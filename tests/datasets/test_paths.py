from pathlib import Path

from gmiml.datasets import default_processed_dir, resolve_root
from gmiml.datasets.paths import repo_root

REPO = Path(__file__).resolve().parents[2]


def test_root_order(monkeypatch, tmp_path):
    monkeypatch.setenv('GMIML_DATA', str(tmp_path / 'env'))
    assert resolve_root(tmp_path / 'arg') == (tmp_path / 'arg', 'the root= argument')
    assert resolve_root() == (tmp_path / 'env', '$GMIML_DATA')
    monkeypatch.delenv('GMIML_DATA')
    assert repo_root() == REPO
    assert resolve_root()[0] == REPO / 'datasets' / 'raw'


def test_processed_dir(monkeypatch, tmp_path):
    monkeypatch.setenv('GMIML_CACHE', str(tmp_path / 'c'))
    assert default_processed_dir() == tmp_path / 'c'
    monkeypatch.delenv('GMIML_CACHE')
    assert default_processed_dir() == REPO / 'datasets' / 'processed'
