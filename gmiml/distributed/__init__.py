r"""Data-parallel training over several processes or machines (torch.distributed).

See ``docs/distributed.md``.
"""
from gmiml.loader.bag_sampler import shard_batch
from .collectives import all_gather_rows, all_reduce_sum
from .sync_batch_norm import SyncBatchNorm, convert_sync_batchnorm
from .sync_running_label_gram import (SyncRunningLabelGram, convert_sync_label_gram,
                                      revert_sync_label_gram)
from .fit_distributed import fit_distributed
from .launch import (default_backend, find_free_port, init_from_env, is_distributed,
                     run_parallel)

__all__ = [
    'shard_batch',
    'all_gather_rows',
    'all_reduce_sum',
    'SyncBatchNorm',
    'convert_sync_batchnorm',
    'SyncRunningLabelGram',
    'convert_sync_label_gram',
    'revert_sync_label_gram',
    'fit_distributed',
    'default_backend',
    'find_free_port',
    'init_from_env',
    'is_distributed',
    'run_parallel',
]
