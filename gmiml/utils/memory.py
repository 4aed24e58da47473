r"""Resident memory of this process (Linux ``/proc``, with a portable fallback): the
peak-memory reading shared by the benchmarks."""
import resource
from typing import Dict, Optional

__all__ = ['memory_status', 'reset_peak', 'peak_rss_bytes', 'peak_since']


def memory_status() -> Dict[str, int]:
    r"""``{'VmRSS': bytes, 'VmHWM': bytes}`` of this process (Linux), or ``{}``."""
    out = {}
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(('VmRSS:', 'VmHWM:')):
                    key, val = line.split(':')
                    out[key] = int(val.split()[0]) * 1024
    except OSError:
        pass
    return out


def reset_peak() -> Optional[int]:
    r"""Resets the kernel's resident-set high-water mark of this process
    (``/proc/self/clear_refs``, value 5, Linux >= 4.0); returns the current resident
    memory in bytes, or :obj:`None` where the interface is missing."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        return None
    return memory_status().get('VmRSS')


def peak_rss_bytes() -> int:
    r"""The peak resident memory in bytes: ``VmHWM`` (since the last :func:`reset_peak`)
    where the kernel gives it, else ``ru_maxrss`` of the whole process."""
    hwm = memory_status().get('VmHWM')
    if hwm is not None:
        return hwm
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_since(rss_before: Optional[int]) -> int:
    r"""Extra peak resident memory (bytes) since :func:`reset_peak` returned
    ``rss_before``; the whole process's peak when that is unknown."""
    st = memory_status()
    if rss_before is not None and 'VmHWM' in st:
        return max(0, st['VmHWM'] - rss_before)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
