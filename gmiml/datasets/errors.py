r"""Errors raised when a data set cannot be found, fetched or trusted."""

__all__ = ['DatasetNotFoundError', 'ChecksumMismatchError']


class DatasetNotFoundError(FileNotFoundError):
    r"""A registered data set is not under the data root (and could not be downloaded).
    The message names the expected files, the root searched and the public sources."""


class ChecksumMismatchError(ValueError):
    r"""A data file's content differs from the pinned public copy (corrupt, truncated or a
    different version). The message names the file and both hashes."""
