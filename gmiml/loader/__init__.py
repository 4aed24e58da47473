r"""Mini-batching of bags: :class:`BagBatcher` (all bags as one concatenated tensor,
PyG mini-batches by index arithmetic) and :class:`BagSampler` (seeded batches of bag
indices, in one process or sharded over data-parallel processes)."""
from .bag_batcher import BagBatcher, bag_pointers, gather_bags
from .bag_sampler import BagSampler, shard_batch

__all__ = [
    'BagBatcher',
    'bag_pointers',
    'gather_bags',
    'BagSampler',
    'shard_batch',
]
