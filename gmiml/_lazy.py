r"""Lazy attributes of a package: names imported from their module on first use, so that
importing the package stays cheap (no torch / torch_geometric / scipy until needed)."""
import importlib
import sys
import types
from typing import Callable, Dict, Iterable, Tuple

__all__ = ['lazy_attributes']


def lazy_attributes(package: str, lazy: Dict[str, str],
                    names: Iterable[str]) -> Tuple[Callable, Callable]:
    r"""The module-level ``__getattr__`` and ``__dir__`` (PEP 562) of :obj:`package`:
    ``__getattr__(name)`` imports ``lazy[name]`` (a module path) and returns its
    attribute ``name``; any other name is an :class:`AttributeError` naming the package.
    ``__dir__`` lists :obj:`names` (the package's ``__all__``).

    A lazy name may be that of the submodule defining it (``gmiml.utils.mutual_knn_graph``
    defines ``mutual_knn_graph``): importing the submodule then does not shadow the
    function with the module (the package's class is switched to one that keeps such
    names lazy), so ``from package import name`` always gives the function, as an eager
    ``from .name import name`` would.

    Example (in a package's ``__init__.py``)::

        _LAZY = {'Thing': 'pkg.thing'}
        __all__ = ['Thing']
        __getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
    """
    lazy = dict(lazy)
    listed = sorted(names)

    def __getattr__(name: str):
        if name in lazy:
            return getattr(importlib.import_module(lazy[name]), name)
        raise AttributeError(f"module '{package}' has no attribute '{name}'")

    def __dir__() -> list:
        return list(listed)

    shadowed = {n for n, mod in lazy.items() if mod == f'{package}.{n}'}
    module = sys.modules.get(package)
    if shadowed and module is not None:
        module.__class__ = type('_LazyPackage', (types.ModuleType,), {
            '__setattr__': _keep_lazy(shadowed)})
    return __getattr__, __dir__


def _keep_lazy(shadowed):
    def __setattr__(self, name, value):
        # the import system binds a submodule to its package after loading it
        if name in shadowed and isinstance(value, types.ModuleType):
            return
        types.ModuleType.__setattr__(self, name, value)
    return __setattr__
