r"""The MIML benchmark data sets as a PyTorch Geometric ``InMemoryDataset``."""
import hashlib
import json
import re
from pathlib import Path
from typing import Callable, List, Optional

import numpy as np
import torch
from torch_geometric.data import Data, InMemoryDataset

from gmiml.io.miml_bags import MIMLBags

from .checksums import verify_files
from .download import download_dataset, locate_or_download
from .load import load_bags
from .locate import Located
from .paths import default_processed_dir
from .registry import resolve_name

__all__ = ['MIMLDataset', 'bags_to_data_list']

_FORMAT_VERSION = 1


def _repr(obj) -> str:
    # as torch_geometric.data.dataset._repr: object addresses do not count
    return 'None' if obj is None else re.sub(' at 0x[0-9a-fA-F]+', '', repr(obj))


def bags_to_data_list(bags: MIMLBags) -> List[Data]:
    r"""Turns a :class:`~gmiml.io.MIMLBags` into one PyG :class:`~torch_geometric.data.Data`
    per bag: ``x`` ``float32`` :math:`[n_i, d]` (the instances, as nodes), ``y``
    ``float32`` :math:`[1, L]` (so that a batch of :math:`B` bags has ``y`` of shape
    :math:`[B, L]`), and ``bag_id`` ``int64`` :math:`[1]` (the bag's position in ``bags``;
    named ``*_id``, not ``*_index``, so batching does not shift it).
    """
    Y = torch.from_numpy(np.ascontiguousarray(bags.Y, dtype=np.float32))
    return [Data(x=torch.from_numpy(np.ascontiguousarray(b)), y=Y[i:i + 1].clone(),
                 bag_id=torch.tensor([i], dtype=torch.long))
            for i, b in enumerate(bags.bags)]


class MIMLDataset(InMemoryDataset):
    r"""The MIML benchmark data sets of the GLEMIML paper (`Su et al., "Graph based Label
    Enhancement for Multi-instance Multi-label learning"`) as a PyG
    :class:`~torch_geometric.data.InMemoryDataset`: one graph per bag, its instances as
    nodes (edges come from a transform such as
    :class:`~gmiml.transforms.MutualKNNGraph`).

    Every bag :math:`i` becomes ``Data(x=[n_i, d], y=[1, L], bag_id=[1])`` with ``y`` the
    logical labels :math:`y_i \in \{0, 1\}^L` as ``float32`` (a batch stacks them to
    :math:`[B, L]`) and ``bag_id`` the bag's position in the data set
    (:attr:`bag_ids` maps it to the file's id, when there is one).

    The raw files are found (and checked) as in :func:`~gmiml.datasets.load_bags`; the
    raw-data root is only read, never written (it may be read-only). The processed cache
    goes to ``processed_dir / <name> / <digest>``, where the digest covers the raw files'
    sha256, the layout, and ``repr`` of ``pre_transform`` / ``pre_filter`` (object
    addresses removed, as PyG does): changing any of them processes again into a fresh
    folder instead of reusing a stale cache. Give transforms an informative ``__repr__``
    (a lambda's repr does not change with its body: pass ``force_reload=True`` then).

    Args:
        root (str, optional): the raw-data root. (default: ``$GMIML_DATA``, else the
            repository's ``datasets/raw``)
        name (str): the data set: ``image``, ``text``, ``GS``, ``AV``, ``HM``, ``PF``,
            ``SC``, ``CE``, ``DM`` or an alias (case-insensitive). (default: ``'image'``)
        transform (callable, optional): applied to every ``Data`` on access.
            (default: :obj:`None`)
        pre_transform (callable, optional): applied once before saving.
            (default: :obj:`None`)
        pre_filter (callable, optional): keeps the bags for which it returns
            :obj:`True`. (default: :obj:`None`)
        processed_dir (str, optional): where processed caches go. (default:
            :func:`~gmiml.datasets.default_processed_dir`: ``$GMIML_CACHE``, else the
            repository's git-ignored ``datasets/processed``, else
            ``~/.cache/gmiml/processed``)
        download (bool, optional): fetch the pinned public copy when absent.
            (default: :obj:`False`)
        verify (bool, optional): check pinned sha256 checksums. (default: :obj:`True`)
        force_reload (bool, optional): process again even if a cache exists.
            (default: :obj:`False`)
        log (bool, optional): print progress while processing. (default: :obj:`True`)

    **STATS:** (measured on the files; PF, SC, CE, DM: the paper's Table 1, files not
    available to the authors of gmiml)

    .. list-table::
        :widths: 10 10 10 10 10
        :header-rows: 1

        * - Name
          - #bags
          - #instances / bag
          - #features
          - #labels
        * - image
          - 2,000
          - 9.00
          - 15
          - 5
        * - text
          - 2,000
          - ~3.56
          - 243
          - 7
        * - GS
          - 379
          - ~3.20
          - 216
          - 320
        * - AV
          - 407
          - ~3.07
          - 216
          - 340
        * - HM
          - 304
          - ~3.13
          - 216
          - 234
        * - PF
          - 425
          - ~3.10
          - 216
          - 321
        * - SC
          - 3,509
          - ~1.86
          - 216
          - 1,566
        * - CE
          - 2,512
          - ~3.39
          - 216
          - 940
        * - DM
          - 2,605
          - ~3.51
          - 216
          - 1,035
    """

    def __init__(
        self,
        root: Optional[str] = None,
        name: str = 'image',
        transform: Optional[Callable] = None,
        pre_transform: Optional[Callable] = None,
        pre_filter: Optional[Callable] = None,
        *,
        processed_dir: Optional[str] = None,
        download: bool = False,
        verify: bool = True,
        force_reload: bool = False,
        log: bool = True,
    ) -> None:
        self.name = resolve_name(name)
        self._download_requested = download
        located = locate_or_download(self.name, root, download)
        self._located: Located = located
        self._hashes = verify_files(located, verify=verify)
        base = Path(processed_dir) if processed_dir is not None else default_processed_dir()
        key = json.dumps([_FORMAT_VERSION, self.name, located.layout.reader,
                          sorted(self._hashes.items()), _repr(pre_transform),
                          _repr(pre_filter)])
        self._processed_folder = base / self.name / hashlib.sha256(
            key.encode()).hexdigest()[:16]
        super().__init__(str(located.root), transform, pre_transform, pre_filter, log=log,
                         force_reload=force_reload)
        self.load(self.processed_paths[0])
        with open(self.processed_paths[1]) as f:
            info = json.load(f)
        self.label_names: Optional[List[str]] = info['label_names']
        self.bag_ids: Optional[List[str]] = info['bag_ids']
        self.meta: dict = info['meta']

    @property
    def raw_dir(self) -> str:
        return str(self._located.root)

    @property
    def raw_file_names(self) -> List[str]:
        return list(self._located.rel_paths)

    @property
    def processed_dir(self) -> str:
        return str(self._processed_folder)

    @property
    def processed_file_names(self) -> List[str]:
        return ['data.pt', 'meta.json']

    @property
    def num_labels(self) -> int:
        r"""The number of labels :math:`L`."""
        return int(self._data.y.size(-1))

    def download(self) -> None:
        # Only reached if the raw files vanished after __init__ located them.
        self._located = download_dataset(self.name, self._located.root)

    def process(self) -> None:
        bags = load_bags(self.name, self._located.root, verify=False)
        data_list = bags_to_data_list(bags)
        if self.pre_filter is not None:
            data_list = [d for d in data_list if self.pre_filter(d)]
        if not data_list:
            raise ValueError(f"MIMLDataset({self.name!r}): pre_filter removed every bag")
        if self.pre_transform is not None:
            data_list = [self.pre_transform(d) for d in data_list]
        self.save(data_list, self.processed_paths[0])
        meta = {k: v for k, v in bags.meta.items()
                if isinstance(v, (str, int, float, list, dict)) and k != 'per_bag'}
        with open(self.processed_paths[1], 'w') as f:
            json.dump({'label_names': bags.label_names, 'bag_ids': bags.bag_ids,
                       'meta': meta}, f)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.name}, {len(self)})'
