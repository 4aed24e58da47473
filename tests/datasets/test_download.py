import hashlib
import os
import threading
from urllib.error import URLError

import numpy as np
import pytest

from gmiml.datasets import ChecksumMismatchError, DatasetNotFoundError, load_bags
from gmiml.datasets.download import (download_dataset, download_datasets, fetch_file,
                                     locate_or_download, urllib_fetcher)
from gmiml.datasets.registry import KNOWN_FILES, KnownFile


def _known(tmp_path, content: bytes, sha=True):
    src = tmp_path / 'src.bin'
    src.write_bytes(content)
    blob = hashlib.sha1(b'blob %d\0' % len(content) + content).hexdigest()
    return src, KnownFile('XX/file.bin', 'owner/repo', '0' * 40, 'file.bin', len(content),
                          hashlib.sha256(content).hexdigest() if sha else None,
                          None if sha else blob)


def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob('*')) if root.exists() else []


@pytest.mark.parametrize('sha', [True, False])
def test_fetch_file_url(tmp_path, sha):
    src, known = _known(tmp_path, b'some bytes\n' * 100, sha=sha)
    root = tmp_path / 'root'
    dest = fetch_file(known, root, url=src.as_uri(), progress=False)
    assert dest == root / 'XX' / 'file.bin' and dest.read_bytes() == src.read_bytes()
    assert os.listdir(dest.parent) == ['file.bin']


def test_fetch_file_checksum_mismatch_leaves_nothing(tmp_path):
    _, known = _known(tmp_path, b'expected')

    def evil(url, out, timeout):
        out.write(b'tampered')

    with pytest.raises(ChecksumMismatchError, match='sha256 mismatch.*nothing was written'):
        fetch_file(known, tmp_path / 'root', fetcher=evil, progress=False)
    assert _files(tmp_path / 'root') == []  # not even the folders it made


def test_interrupted_download_leaves_nothing(tmp_path):
    _, known = _known(tmp_path, b'x' * 1000)
    (tmp_path / 'root').mkdir()

    def dies_half_way(url, out, timeout):
        out.write(b'x' * 500)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_file(known, tmp_path / 'root', fetcher=dies_half_way, progress=False)
    assert _files(tmp_path / 'root') == []


def test_concurrent_writers_of_one_file(tmp_path):
    content = os.urandom(1 << 16)
    _, known = _known(tmp_path, content)
    root = tmp_path / 'root'
    barrier = threading.Barrier(2)
    errors = []

    def slow(url, out, timeout):
        barrier.wait()  # both writers are mid-download at the same time
        for k in range(0, len(content), 4096):
            out.write(content[k:k + 4096])

    def run():
        try:
            fetch_file(known, root, fetcher=slow, progress=False)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    assert (root / 'XX' / 'file.bin').read_bytes() == content
    assert _files(root) == ['XX', 'XX/file.bin']  # no temporary file left behind


def test_fetch_file_refuses_unverified(tmp_path):
    known = KnownFile('XX/f', 'o/r', '0' * 40, 'f')
    with pytest.raises(ValueError, match='refusing an unverified download'):
        fetch_file(known, tmp_path)


def test_unwritable_root(tmp_path):
    _, known = _known(tmp_path, b'abc')
    (tmp_path / 'a_file').write_text('')
    with pytest.raises(PermissionError, match=r"cannot write into .*a_file/root/XX .*pass a "
                                              r"writable root"):
        fetch_file(known, tmp_path / 'a_file' / 'root', fetcher=lambda *a: None)


def test_offline_fails_fast_with_clear_message(tmp_path):
    calls = []

    def offline(url, out, timeout):
        calls.append((url, timeout))
        raise URLError('Name or service not known')

    with pytest.raises(DatasetNotFoundError) as e:
        load_bags('GS', root=tmp_path, download=True, fetcher=offline, timeout=3)
    msg = str(e.value)
    assert msg.startswith('Could not get MIML data set(s) GS: download failed for '
                          'GS/instances.txt from https://raw.githubusercontent.com/njuptml/'
                          'MIMLAL-R/37cd4b8fb7d7bcf97956f1e2af110a4dff615a92/')
    assert 'Name or service not known' in msg and f'Data root: {tmp_path} (from the root= ' \
                                                  f'argument)' in msg
    for rel in ('GS/instances.txt', 'GS/labels.txt'):  # every missing file, where, whence
        k = KNOWN_FILES[rel]
        assert f"{tmp_path / rel}\n      <- {k.url} ({k.size} bytes, sha256 {k.sha256})" in msg
    assert calls == [(KNOWN_FILES['GS/instances.txt'].url, 3)]  # no second try
    assert _files(tmp_path) == []


def test_real_network_error_stops_after_the_first_request(tmp_path, closed_port_url):
    calls = []

    def counting(url, out, timeout):
        calls.append(url)
        urllib_fetcher(url, out, timeout)

    with pytest.raises(DatasetNotFoundError, match=r"URLError: .*Connection refused") as e:
        download_datasets(['GS', 'AV', 'HM'], tmp_path, mirror=closed_port_url,
                          fetcher=counting, progress=False)
    assert calls == [closed_port_url + '/GS/instances.txt']
    for rel in ('GS/labels.txt', 'AV/instances.txt', 'AV/labels.txt', 'HM/MIMLprotein_test.mat'):
        assert str(tmp_path / rel) in str(e.value)
    assert _files(tmp_path) == []


def test_gmiml_offline_env(tmp_path, monkeypatch):
    monkeypatch.setenv('GMIML_OFFLINE', '1')
    with pytest.raises(DatasetNotFoundError, match='GMIML_OFFLINE is set'):
        download_dataset('text', tmp_path)


def test_all_organism_file_and_unknown_name(tmp_path, monkeypatch):
    monkeypatch.setenv('GMIML_OFFLINE', '1')
    k = KNOWN_FILES['MIMLprotein/MIMLprotein.mat']
    with pytest.raises(DatasetNotFoundError, match=r"PF: download failed for MIMLprotein/"
                                                   r"MIMLprotein.mat") as e:
        download_dataset('PF', tmp_path)
    assert f"<- {k.url} (git blob {k.git_blob})" in str(e.value)
    with pytest.raises(KeyError, match="unknown MIML data set 'nope'"):
        download_datasets(['GS', 'nope'], tmp_path)


def test_absent_without_download_says_how_to_get_it(tmp_path):
    with pytest.raises(DatasetNotFoundError) as e:
        locate_or_download('HM', tmp_path)
    msg = str(e.value)
    assert 'Get it with `python -m gmiml.datasets download HM`' in msg
    k = KNOWN_FILES['HM/MIMLprotein_test.mat']
    assert f"{tmp_path / k.path}\n      <- {k.url} (187899 bytes, sha256 {k.sha256})" in msg


def test_http_mirror_download_and_progress_lines(data_root, tmp_path, http_mirror, capsys):
    base = http_mirror(data_root)
    root = tmp_path / 'fresh'
    (located, ) = download_datasets(['GS'], root, mirror=base)
    assert located.rel_paths == ['GS/instances.txt', 'GS/labels.txt']
    err = capsys.readouterr().err
    assert err == (f"downloading GS/instances.txt (1579183 bytes) from {base}/GS/"
                   f"instances.txt\n  sha256 ok\ndownloading GS/labels.txt (366818 bytes) "
                   f"from {base}/GS/labels.txt\n  sha256 ok\n")  # plain lines: no tty here
    assert _files(root) == ['GS', 'GS/instances.txt', 'GS/labels.txt']
    np.testing.assert_array_equal(load_bags('GS', root).Y, load_bags('GS', data_root).Y)


def test_progress_bar_when_forced_and_silence(tmp_path, capsys):
    src, known = _known(tmp_path, b'z' * 5000)
    fetch_file(known, tmp_path / 'a', url=src.as_uri(), progress=True)
    err = capsys.readouterr().err
    assert '\r' in err and 'XX/file.bin' in err and 'sha256 ok' in err
    fetch_file(known, tmp_path / 'b', url=src.as_uri(), progress=False)
    assert capsys.readouterr().err == ''


def test_http_404_tries_the_other_files(tmp_path, http_mirror):
    (tmp_path / 'empty').mkdir()
    base = http_mirror(tmp_path / 'empty')
    with pytest.raises(DatasetNotFoundError, match=r"download failed for GS/instances.txt "
                                                   r"from .*: HTTPError: HTTP Error 404"):
        download_dataset('GS', tmp_path / 'root', mirror=base, progress=False)


def test_corrupt_mirror_copy_is_refused(tmp_path, http_mirror):
    (tmp_path / 'bad' / 'HM').mkdir(parents=True)
    (tmp_path / 'bad' / 'HM' / 'MIMLprotein_test.mat').write_bytes(b'not the file')
    base = http_mirror(tmp_path / 'bad')
    with pytest.raises(ChecksumMismatchError, match=r"HM/MIMLprotein_test.mat: sha256 "
                                                    r"mismatch.*\(size 12 bytes, expected "
                                                    r"187899\); nothing was written"):
        download_dataset('HM', tmp_path / 'root', mirror=base, progress=False)
    assert _files(tmp_path / 'root') == []


def test_only_missing_files_are_fetched(data_root, tmp_path):
    root = tmp_path / 'r'
    (root / 'AV').mkdir(parents=True)
    (root / 'AV' / 'instances.txt').write_bytes((data_root / 'AV' / 'instances.txt')
                                                .read_bytes())
    seen = []

    def mirror(url, out, timeout):
        seen.append(url)
        out.write((data_root / 'AV' / 'labels.txt').read_bytes())

    download_dataset('AV', root, fetcher=mirror, progress=False)
    assert seen == [KNOWN_FILES['AV/labels.txt'].url]

    def no_network(url, out, timeout):  # pragma: no cover - must not be called
        raise AssertionError(f'fetched {url} although the data set is present')

    assert load_bags('AV', root, download=True, fetcher=no_network).n_bags == 407


def test_download_file_urls(data_root, tmp_path):
    urls = {rel: (data_root / rel).as_uri() for rel in ('text/miml_text_data.arff',
                                                        'text/miml_text_data.xml')}
    located = download_dataset('reuters', tmp_path, urls=urls, progress=False)
    assert located.rel_paths == ['text/miml_text_data.arff', 'text/miml_text_data.xml']
    out = load_bags('text', root=tmp_path)
    assert out.n_instances == 7119 and out.label_names[0] == 'label1'
    np.testing.assert_array_equal(out.Y, load_bags('text', root=data_root).Y)
