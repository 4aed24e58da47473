"""Helpers shared by the readers: text loading, fast numeric parsing with precise error
locations, splitting rows into bags."""
import os
import warnings
from typing import Callable, List

import numpy as np

__all__ = ['read_text', 'load_mat', 'parse_numeric_rows', 'split_rows']


def read_text(path: str, what: str = 'file') -> str:
    """Reads a whole text file (UTF-8, optional BOM). Raises FileNotFoundError or a
    ValueError naming the file when it is missing, empty, binary or not UTF-8."""
    path = os.fspath(path)
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: expected a {what}, found a directory") from None
    if not data.strip():
        raise ValueError(f"{path}: empty {what} (0 bytes of content); truncated download?")
    if b'\x00' in data:
        raise ValueError(f"{path}: contains NUL bytes; a binary or corrupt file, not a "
                         f"text {what}")
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: byte {e.start} is not valid UTF-8; corrupt {what}?") \
            from None


def load_mat(path: str, what: str = '.mat file', **kwargs) -> dict:
    """:func:`scipy.io.loadmat` with errors naming the file: FileNotFoundError when it is
    missing, ValueError when it is a directory, empty, MATLAB v7.3 (HDF5) or corrupt."""
    from scipy.io import loadmat

    if os.path.isdir(path):
        raise ValueError(f"{path}: expected a {what}, found a directory")
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        raise ValueError(f"{path}: empty .mat file (0 bytes); truncated download?")
    try:
        return loadmat(path, **kwargs)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: {what} not found") from None
    except NotImplementedError:
        raise ValueError(f"{path}: MATLAB v7.3 (HDF5) files are not supported; re-save it "
                         f"in MATLAB with save(..., '-v7')") from None
    except Exception as e:  # scipy raises ValueError/TypeError/OSError on corrupt files
        raise ValueError(f"{path}: cannot read as a MATLAB .mat file ({type(e).__name__}: "
                         f"{e}); truncated or corrupt file?") from None


def parse_numeric_rows(rows: List[str], delimiter: str,
                       on_bad: Callable[[int, int, str], None]) -> np.ndarray:
    """Parses equally long delimited rows of numbers into a float64 array ``[len(rows),
    k]`` with one :func:`numpy.loadtxt` call. The caller has already checked that every
    row has the same number of fields. On a token that is not a number, calls
    ``on_bad(row, field, token)``, which must raise."""
    def load(lines):
        with warnings.catch_warnings():  # an empty line warns "input contained no data"
            warnings.simplefilter('ignore', UserWarning)
            return np.loadtxt(lines, delimiter=delimiter, dtype=np.float64, ndmin=2,
                              comments=None)

    try:
        return load(rows)
    except ValueError as e:
        reason = e
    # only on bad input: find the first row, then the first field, numpy refuses
    for j, row in enumerate(rows):
        try:
            load([row])
        except ValueError:
            for f, tok in enumerate(row.split(delimiter)):
                try:
                    ok = load([tok]).size == 1  # an empty field loads as nothing
                except ValueError:
                    ok = False
                if not ok:
                    on_bad(j, f, tok)
    raise ValueError(f"could not parse numeric rows ({reason})")


def split_rows(X: np.ndarray, counts) -> List[np.ndarray]:
    """Splits the rows of ``X`` into consecutive blocks of ``counts`` rows (views); much
    faster than :func:`numpy.split` for many small blocks."""
    ends = np.cumsum(np.asarray(counts, dtype=np.int64)).tolist()
    starts = [0] + ends[:-1]
    return [X[s:e] for s, e in zip(starts, ends)]
