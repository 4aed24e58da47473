r"""Command-line tools (the top layer: may import every other part of gmiml).

- ``python -m gmiml.cli.train`` (:mod:`gmiml.cli.train`): data-parallel GLEMIML
  training under ``torchrun``.
"""
__all__ = []
