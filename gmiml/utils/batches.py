r"""Cutting an order of items into mini-batches."""
from typing import List

import numpy as np

__all__ = ['split_batches']


def split_batches(order, batch_size: int, min_size: int = 1) -> List[np.ndarray]:
    r"""Cuts :obj:`order` into consecutive batches of :obj:`batch_size` items; a last batch
    smaller than :obj:`min_size` is merged into the one before it (batch norm needs at
    least 2 items in training, data-parallel training one per process).

    Args:
        order (numpy.ndarray): the items (e.g. bag indices) in batch order.
        batch_size (int): items per batch.
        min_size (int, optional): the smallest last batch kept on its own.
            (default: :obj:`1`)
    """
    chunks = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if len(chunks) > 1 and len(chunks[-1]) < min_size:
        last = chunks.pop()
        chunks[-1] = np.concatenate([chunks[-1], last])
    return chunks
