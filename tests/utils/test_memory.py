import numpy as np

from gmiml.utils.memory import memory_status, peak_rss_bytes, peak_since, reset_peak


def test_peak_counts_a_fresh_allocation():
    before = reset_peak()
    a = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
    extra = peak_since(before)
    assert peak_rss_bytes() > 0
    if before is not None:  # Linux: the exact high-water mark since the reset
        assert 'VmRSS' in memory_status()
        assert extra >= 48 * 2**20
    del a
