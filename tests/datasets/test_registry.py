import re

import pytest

from gmiml.datasets import REGISTRY, dataset_names, get_info, resolve_name
from gmiml.datasets.registry import KNOWN_FILES


def test_nine_datasets_in_paper_order():
    assert dataset_names() == ('image', 'text', 'GS', 'AV', 'HM', 'PF', 'SC', 'CE', 'DM')


@pytest.mark.parametrize('alias,key', [
    ('scene', 'image'), ('IMAGE', 'image'), ('Reuters', 'text'), ('gs', 'GS'),
    ('Geobacter sulfurreducens', 'GS'), ('geobacter_sulfurreducens', 'GS'),
    ('Azotobacter vinelandii', 'AV'), ('haloarcula-marismortui', 'HM'),
    ('pyrococcus furiosus', 'PF'), ('Saccharomyces cerevisiae', 'SC'), ('yeast', 'SC'),
    ('caenorhabditis elegans', 'CE'), ('Drosophila Melanogaster', 'DM'), (' dm ', 'DM'),
])
def test_aliases(alias, key):
    assert resolve_name(alias) == key
    assert get_info(alias).key == key


def test_unknown_name_lists_known():
    with pytest.raises(KeyError, match=r"unknown MIML data set 'mnist'.*image.*DM"):
        resolve_name('mnist')


def test_known_files_are_pinned():
    for rel, f in KNOWN_FILES.items():
        assert f.path == rel
        assert re.fullmatch(r'[0-9a-f]{40}', f.commit)
        assert f.url.startswith(f'https://raw.githubusercontent.com/{f.repo}/{f.commit}/')
        assert ' ' not in f.url
        assert f.sha256 is None or re.fullmatch(r'[0-9a-f]{64}', f.sha256)
        assert f.git_blob is None or re.fullmatch(r'[0-9a-f]{40}', f.git_blob)
        assert f.has_checksum
    gs = KNOWN_FILES['GS/instances.txt']
    assert gs.url.endswith('/data/Geobacter%20sulfurreducens/instances.txt')
    assert KNOWN_FILES['HM/MIMLprotein_test.mat'].sha256.startswith('edd31c73')


def test_every_dataset_has_layouts_and_sources():
    for key, info in REGISTRY.items():
        assert info.layouts and info.upstream and info.citation
        assert len(info.paper_table1) == 6
        readers = {lay.reader for lay in info.layouts}
        assert {'wu_protein', 'miml_mat', 'relational_arff'} <= readers
        for lay in info.layouts:
            assert all(f.startswith(f'{key}/') or f.startswith('MIMLprotein/')
                       for f in lay.files)
    # protein sets may come from the all-organism file, picked by their shape
    assert [lay.entry for lay in REGISTRY['SC'].layouts if lay.entry] == [(3509, 1566)]
