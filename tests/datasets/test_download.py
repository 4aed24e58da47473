import hashlib
import os
from urllib.error import URLError

import numpy as np
import pytest

from gmiml.datasets import ChecksumMismatchError, DatasetNotFoundError, load_bags
from gmiml.datasets.download import download_dataset, fetch_file
from gmiml.datasets.registry import KNOWN_FILES, KnownFile


def _known(tmp_path, content: bytes, sha=True):
    src = tmp_path / 'src.bin'
    src.write_bytes(content)
    blob = hashlib.sha1(b'blob %d\0' % len(content) + content).hexdigest()
    return src, KnownFile('XX/file.bin', 'owner/repo', '0' * 40, 'file.bin', len(content),
                          hashlib.sha256(content).hexdigest() if sha else None,
                          None if sha else blob)


@pytest.mark.parametrize('sha', [True, False])
def test_fetch_file_url(tmp_path, sha):
    src, known = _known(tmp_path, b'some bytes\n' * 100, sha=sha)
    root = tmp_path / 'root'
    dest = fetch_file(known, root, url=src.as_uri())
    assert dest == root / 'XX' / 'file.bin' and dest.read_bytes() == src.read_bytes()
    assert os.listdir(dest.parent) == ['file.bin']


def test_fetch_file_checksum_mismatch_leaves_nothing(tmp_path):
    _, known = _known(tmp_path, b'expected')

    def evil(url, out, timeout):
        out.write(b'tampered')

    with pytest.raises(ChecksumMismatchError, match='sha256 mismatch.*nothing was written'):
        fetch_file(known, tmp_path / 'root', fetcher=evil)
    assert os.listdir(tmp_path / 'root' / 'XX') == []


def test_fetch_file_refuses_unverified(tmp_path):
    known = KnownFile('XX/f', 'o/r', '0' * 40, 'f')
    with pytest.raises(ValueError, match='refusing an unverified download'):
        fetch_file(known, tmp_path)


def test_offline_fails_fast_with_clear_message(tmp_path):
    calls = []

    def offline(url, out, timeout):
        calls.append((url, timeout))
        raise URLError('Name or service not known')

    with pytest.raises(DatasetNotFoundError) as e:
        load_bags('GS', root=tmp_path, download=True, fetcher=offline, timeout=3)
    msg = str(e.value)
    assert 'GS/instances.txt + GS/labels.txt' in msg and str(tmp_path) in msg
    assert 'Download failed for GS/instances.txt from https://raw.githubusercontent.com/' \
           'njuptml/MIMLAL-R/37cd4b8fb7d7bcf97956f1e2af110a4dff615a92/' in msg
    assert 'Name or service not known' in msg
    assert calls == [(KNOWN_FILES['GS/instances.txt'].url, 3)]
    assert not any(p.is_file() for p in tmp_path.rglob('*'))


def test_gmiml_offline_env(tmp_path, monkeypatch):
    monkeypatch.setenv('GMIML_OFFLINE', '1')
    with pytest.raises(DatasetNotFoundError, match='GMIML_OFFLINE is set'):
        download_dataset('text', tmp_path)


def test_download_then_load_from_stub_mirror(data_root, tmp_path):
    # a stubbed fetcher serving the pinned URLs from the real files
    by_url = {KNOWN_FILES[rel].url: data_root / rel for rel in KNOWN_FILES
              if (data_root / rel).is_file()}
    seen = []

    def mirror(url, out, timeout):
        seen.append(url)
        out.write(by_url[url].read_bytes())

    root = tmp_path / 'fresh'
    out = load_bags('AV', root=root, download=True, fetcher=mirror)
    assert out.n_bags == 407 and len(seen) == 2
    assert (root / 'AV' / 'labels.txt').read_bytes() == \
        (data_root / 'AV' / 'labels.txt').read_bytes()
    # present now: no second download
    load_bags('AV', root=root, download=True, fetcher=mirror)
    assert len(seen) == 2


def test_download_file_urls(data_root, tmp_path):
    urls = {rel: (data_root / rel).as_uri() for rel in ('text/miml_text_data.arff',
                                                        'text/miml_text_data.xml')}
    located = download_dataset('reuters', tmp_path, urls=urls)
    assert located.rel_paths == ['text/miml_text_data.arff', 'text/miml_text_data.xml']
    out = load_bags('text', root=tmp_path)
    assert out.n_instances == 7119 and out.label_names[0] == 'label1'
    np.testing.assert_array_equal(out.Y, load_bags('text', root=data_root).Y)
