r"""Vectorised mini-batching of bags stored as one concatenated instance tensor."""
from typing import Dict, Iterator, Optional, Tuple

import numpy as np
import torch
from torch import Tensor

from torch_geometric.data import Data

from gmiml.utils.batches import split_batches

__all__ = ['BagBatcher', 'gather_bags', 'bag_pointers']


def bag_pointers(sizes) -> Tensor:
    r"""``ptr`` of bags with the given numbers of instances: bag :math:`i` holds
    instances ``ptr[i]:ptr[i+1]`` of the concatenated tensor.

    Shapes:
        - **sizes:** :math:`(N)`; **output:** :math:`(N + 1)`
    """
    sizes = torch.as_tensor(sizes, dtype=torch.long)
    return torch.cat([sizes.new_zeros(1), sizes.cumsum(0)])


def _ranges(start: Tensor, counts: Tensor) -> Tuple[Tensor, Tensor]:
    """Concatenation of ``arange(start[i], start[i] + counts[i])`` and the shift that maps
    each element to its position in the output."""
    new_ptr = torch.cat([counts.new_zeros(1), counts.cumsum(0)])
    shift = torch.repeat_interleave(start - new_ptr[:-1], counts,
                                    output_size=int(new_ptr[-1]))
    return torch.arange(int(new_ptr[-1]), device=counts.device) + shift, new_ptr


def gather_bags(
    ptr: Tensor,
    index: Tensor,
    edge_index: Optional[Tensor] = None,
    edge_ptr: Optional[Tensor] = None,
) -> Tuple[Tensor, Tensor, Optional[Tensor], Optional[Tensor]]:
    r"""Gathers the instances (and graph edges) of the bags ``index`` into one PyG-style
    mini-batch by index arithmetic only (no Python loop over bags):

    .. math::
        \text{nodes} = \textstyle\bigcup_{b} [\mathrm{ptr}_{i_b}, \mathrm{ptr}_{i_b + 1}),
        \qquad \text{batch}_n = b \text{ for the nodes of bag } i_b.

    Args:
        ptr (Tensor): instance pointers of all bags (see :func:`bag_pointers`).
        index (Tensor): the bags to gather, in batch order.
        edge_index (Tensor, optional): all bags' edges in global instance numbering,
            sorted so that the edges of bag :math:`i` are ``edge_ptr[i]:edge_ptr[i+1]``.
        edge_ptr (Tensor, optional): edge pointers per bag (needed with ``edge_index``).

    Returns:
        ``(node_ids, batch, edge_ids, local_edge_index)``: the rows of the instance tensor
        to take, the batch vector, the columns of ``edge_index`` (to index edge
        attributes) and those edges renumbered within the mini-batch (the last two
        :obj:`None` without edges).
    """
    index = torch.as_tensor(index, dtype=torch.long, device=ptr.device)
    counts = ptr[index + 1] - ptr[index]
    node_ids, new_ptr = _ranges(ptr[index], counts)
    batch = torch.repeat_interleave(torch.arange(index.numel(), device=ptr.device), counts,
                                    output_size=node_ids.numel())
    if edge_index is None:
        return node_ids, batch, None, None
    if edge_ptr is None:
        raise ValueError("gather_bags: edge_index needs edge_ptr")
    ecounts = edge_ptr[index + 1] - edge_ptr[index]
    edge_ids, _ = _ranges(edge_ptr[index], ecounts)
    shift = torch.repeat_interleave(ptr[index] - new_ptr[:-1], ecounts,
                                    output_size=edge_ids.numel())
    return node_ids, batch, edge_ids, edge_index[:, edge_ids] - shift


class BagBatcher:
    r"""Mini-batches of bags by index arithmetic (:func:`gather_bags`): the instances of
    all bags are one tensor ``x`` with pointers ``ptr``, the bag graphs one ``edge_index``
    in global numbering, so a batch is built with a few ``repeat_interleave`` / ``cumsum``
    calls instead of collating per-bag :class:`~torch_geometric.data.Data` objects.

    Args:
        x (Tensor): all instances, bag after bag, :math:`(N_{inst}, d)`.
        ptr (Tensor): instance pointers :math:`(N_{bags} + 1)`.
        edge_index (Tensor, optional): edges within bags, global numbering
            :math:`(2, E)`; they are sorted by bag once here. (default: :obj:`None`)
        edge_weight (Tensor, optional): edge weights :math:`(E)`. (default: :obj:`None`)
        **bag_attrs (Tensor): per-bag tensors :math:`(N_{bags}, \ldots)` (e.g. ``y``)
            gathered with the bags.

    Example:
        >>> batcher = BagBatcher(x, ptr, edge_index, edge_weight, y=Y)
        >>> for data in batcher.iter_batches(64, shuffle=True, generator=g):
        ...     out = model(data.x, data.edge_index, data.edge_weight, data.batch,
        ...                 data.y, num_bags=data.num_bags)
    """
    def __init__(self, x: Tensor, ptr: Tensor, edge_index: Optional[Tensor] = None,
                 edge_weight: Optional[Tensor] = None, **bag_attrs: Tensor):
        self.x = x
        self.ptr = torch.as_tensor(ptr, dtype=torch.long)
        self.num_bags = self.ptr.numel() - 1
        if int(self.ptr[-1]) != x.size(0):
            raise ValueError(f"BagBatcher: ptr ends at {int(self.ptr[-1])} but x has "
                             f"{x.size(0)} instances")
        for name, t in bag_attrs.items():
            if t.size(0) != self.num_bags:
                raise ValueError(f"BagBatcher: {name} has {t.size(0)} rows, expected one "
                                 f"per bag ({self.num_bags})")
        self.bag_attrs: Dict[str, Tensor] = bag_attrs
        self.edge_index = self.edge_weight = self.edge_ptr = None
        if edge_index is not None:
            node_bag = torch.repeat_interleave(
                torch.arange(self.num_bags), self.ptr[1:] - self.ptr[:-1])
            src_bag = node_bag[edge_index[0]]
            if not torch.equal(src_bag, node_bag[edge_index[1]]):
                raise ValueError("BagBatcher: an edge joins instances of different bags")
            order = torch.argsort(src_bag, stable=True)
            self.edge_index = edge_index[:, order]
            self.edge_weight = None if edge_weight is None else edge_weight[order]
            self.edge_ptr = bag_pointers(torch.bincount(src_bag, minlength=self.num_bags))

    def __len__(self) -> int:
        return self.num_bags

    @property
    def device(self) -> torch.device:
        r"""The device of the stored tensors."""
        return self.x.device

    def to(self, device) -> 'BagBatcher':
        r"""Moves all stored tensors to :obj:`device` (in place; returns :obj:`self`), so
        that mini-batches are gathered there without host-device copies."""
        device = torch.device(device)
        if device == self.x.device:
            return self
        for name in ('x', 'ptr', 'edge_index', 'edge_weight', 'edge_ptr'):
            t = getattr(self, name)
            if t is not None:
                setattr(self, name, t.to(device))
        self.bag_attrs = {k: t.to(device) for k, t in self.bag_attrs.items()}
        return self

    def batch(self, index) -> Data:
        r"""The mini-batch of bags ``index`` as a :class:`~torch_geometric.data.Data` with
        ``x``, ``edge_index``, ``edge_weight``, ``batch``, ``num_bags`` and the bag
        attributes."""
        index = torch.as_tensor(index, dtype=torch.long).to(self.x.device)
        node_ids, batch, edge_ids, ei = gather_bags(self.ptr, index, self.edge_index,
                                                    self.edge_ptr)
        data = Data(x=self.x[node_ids], batch=batch, edge_index=ei)
        data.edge_weight = (None if edge_ids is None or self.edge_weight is None
                            else self.edge_weight[edge_ids])
        data.num_bags = int(index.numel())
        for name, t in self.bag_attrs.items():
            data[name] = t[index]
        return data

    def batch_indices(self, batch_size: int, shuffle: bool = False,
                      generator: Optional[np.random.Generator] = None,
                      min_size: int = 1) -> list:
        r"""The bag indices of each batch of one pass: ``arange`` or a permutation drawn
        from ``generator``; a last batch smaller than ``min_size`` is merged into the one
        before it (BatchNorm needs at least 2 bags in training)."""
        if shuffle:
            if generator is None:
                raise ValueError("BagBatcher: shuffle=True needs a numpy Generator")
            order = generator.permutation(self.num_bags)
        else:
            order = np.arange(self.num_bags)
        return split_batches(order, batch_size, min_size)

    def iter_batches(self, batch_size: int, shuffle: bool = False,
                     generator: Optional[np.random.Generator] = None,
                     min_size: int = 1) -> Iterator[Data]:
        r"""Yields the mini-batches of one pass (see :meth:`batch_indices`)."""
        for idx in self.batch_indices(batch_size, shuffle, generator, min_size):
            yield self.batch(idx)

    def __repr__(self) -> str:
        n_e = 0 if self.edge_index is None else self.edge_index.size(1)
        return (f'{self.__class__.__name__}(num_bags={self.num_bags}, '
                f'num_instances={self.x.size(0)}, num_edges={n_e}, '
                f'bag_attrs={list(self.bag_attrs)})')
