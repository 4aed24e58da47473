r"""A label-distribution (LDL) data set: features and known label distributions."""
from typing import NamedTuple

import numpy as np

__all__ = ['LDLData']


class LDLData(NamedTuple):
    r"""What :func:`~gmiml.io.read_ldl_mat` returns.

    Attributes:
        X (numpy.ndarray): ``float64`` features :math:`[N, F]`, finite.
        D (numpy.ndarray): ``float64`` label distributions :math:`[N, L]`, non-negative,
            every row summing to 1.
        features_key (str): the variable of the file the features came from.
        distributions_key (str): the variable the distributions came from.
        path (str): the file.
    """
    X: np.ndarray
    D: np.ndarray
    features_key: str
    distributions_key: str
    path: str

    def __repr__(self) -> str:
        return (f"LDLData(path={self.path!r}, X={self.X.shape} from "
                f"{self.features_key!r}, D={self.D.shape} from "
                f"{self.distributions_key!r})")
