r"""Declarative parameter constraints of the estimators.

Every estimator declares ``_parameter_constraints = {name: [constraint, ...]}``; a value is
valid when it satisfies any constraint of its list. :func:`validate_params` checks them all
at the start of ``fit`` and raises :class:`InvalidParameterError` (a :class:`ValueError`)
in one message style::

    GLEMIMLClassifier: parameter pool='foo' is invalid; expected one of 'mean', 'max',
    'min', 'sum', 'mean+max'

A constraint is an object with ``is_satisfied_by(value)`` and a ``__str__`` that says what
is allowed; the strings ``'boolean'`` and ``'path'`` and :obj:`None` are shorthands.

scikit-learn has the same idea in ``sklearn.utils._param_validation``, but that module is
private (no stability promise across the scikit-learn versions gmiml supports), so gmiml
keeps this small version of its own.
"""
import numbers
import os
from typing import Any, Iterable, Optional

import numpy as np

__all__ = ['InvalidParameterError', 'Interval', 'StrOptions', 'Options', 'Weights',
           'Device', 'InstanceOf', 'ListOf', 'HAUSDORFF_VARIANTS', 'RANDOM_STATE',
           'validate_params']


class InvalidParameterError(ValueError):
    r"""An estimator parameter has a value its constraints do not allow."""


def _is_bool(v) -> bool:
    return isinstance(v, (bool, np.bool_))


class Interval:
    r"""Numbers of ``type`` (:class:`numbers.Integral` or :class:`numbers.Real`; booleans
    excluded) in an interval.

    Args:
        type: :class:`numbers.Integral` or :class:`numbers.Real`.
        left, right (float, optional): bounds (:obj:`None`: unbounded).
        closed (str, optional): ``'both'``, ``'left'``, ``'right'`` or ``'neither'``.
            (default: :obj:`'both'`)
        note (str, optional): why, appended to the description. (default: :obj:`None`)
    """
    def __init__(self, type, left=None, right=None, closed: str = 'both',
                 note: Optional[str] = None):
        self.type, self.left, self.right, self.closed, self.note = (type, left, right,
                                                                    closed, note)

    def is_satisfied_by(self, v) -> bool:
        if _is_bool(v) or not isinstance(v, self.type):
            return False
        if isinstance(v, numbers.Real) and np.isnan(v):
            return False
        lo_ok = (self.left is None or v > self.left
                 or (v == self.left and self.closed in ('both', 'left')))
        hi_ok = (self.right is None or v < self.right
                 or (v == self.right and self.closed in ('both', 'right')))
        return lo_ok and hi_ok

    def __str__(self) -> str:
        kind = 'an integer' if self.type is numbers.Integral else 'a number'
        lo = '[' if self.closed in ('both', 'left') else '('
        hi = ']' if self.closed in ('both', 'right') else ')'
        if self.left is not None and self.right is not None:
            where = f' in {lo}{self.left}, {self.right}{hi}'
        elif self.left is not None:
            where = f" {'>=' if lo == '[' else '>'} {self.left}"
        elif self.right is not None:
            where = f" {'<=' if hi == ']' else '<'} {self.right}"
        else:
            where = ''
        return kind + where + (f' ({self.note})' if self.note else '')


class StrOptions:
    r"""One of the given strings (with ``join``: or several of them joined by it)."""
    def __init__(self, options: Iterable[str], join: Optional[str] = None):
        self.options, self.join = tuple(options), join

    def is_satisfied_by(self, v) -> bool:
        if not isinstance(v, str):
            return False
        parts = v.split(self.join) if self.join else [v]
        return all(p in self.options for p in parts)

    def __str__(self) -> str:
        out = 'one of ' + ', '.join(repr(o) for o in self.options)
        if self.join:
            a, b = self.options[:2]
            out += f', or several joined by {self.join!r} (e.g. {a + self.join + b!r})'
        return out


class Options:
    r"""One of the given values of ``type`` (booleans excluded)."""
    def __init__(self, type, options: Iterable):
        self.type, self.options = type, tuple(options)

    def is_satisfied_by(self, v) -> bool:
        return isinstance(v, self.type) and not _is_bool(v) and v in self.options

    def __str__(self) -> str:
        return 'one of ' + ', '.join(repr(o) for o in self.options)


class Weights:
    r"""A sequence of ``n`` non-negative numbers summing to 1 (within 1e-6)."""
    def __init__(self, n: int):
        self.n = n

    def is_satisfied_by(self, v) -> bool:
        if isinstance(v, (str, bytes)) or not hasattr(v, '__len__') or len(v) != self.n:
            return False
        try:
            w = [float(b) for b in v]
        except (TypeError, ValueError):
            return False
        return all(b >= 0 for b in w) and abs(sum(w) - 1) <= 1e-6

    def __str__(self) -> str:
        return f'{self.n} non-negative weights summing to 1'


class InstanceOf:
    r"""An instance of one of ``types``, described as ``description``."""
    def __init__(self, types, description: str):
        self.types, self.description = types, description

    def is_satisfied_by(self, v) -> bool:
        return isinstance(v, self.types)

    def __str__(self) -> str:
        return self.description


class ListOf:
    r"""A non-empty list or tuple whose items satisfy ``item`` (a constraint)."""
    def __init__(self, item):
        self.item = item

    def is_satisfied_by(self, v) -> bool:
        return (isinstance(v, (list, tuple)) and len(v) > 0
                and all(self.item.is_satisfied_by(x) for x in v))

    def __str__(self) -> str:
        return f'a non-empty list of ({self.item})'


#: Names :func:`gmiml.utils.hausdorff_distances` accepts for its ``variant``.
#: (The function also takes aliases such as 'maximal'; the estimators keep one word each.)
HAUSDORFF_VARIANTS = StrOptions(('max', 'avg', 'min'))
#: Seeds: a non-negative integer, a numpy generator or None.
RANDOM_STATE = [Interval(numbers.Integral, 0, None),
                InstanceOf((np.random.RandomState, np.random.Generator),
                           'a numpy RandomState or Generator'), None]


class Device:
    r"""A torch device name: ``'cpu'``, ``'cuda'``, ``'cuda:N'``, ``'auto'`` (or a
    :class:`torch.device`)."""
    def is_satisfied_by(self, v) -> bool:
        import torch
        if isinstance(v, torch.device):
            return True
        if not isinstance(v, str):
            return False
        if v in ('cpu', 'cuda', 'auto'):
            return True
        return v.startswith('cuda:') and v[5:].isdigit()

    def __str__(self) -> str:
        return "'cpu', 'cuda', 'cuda:N' or 'auto'"


class _Boolean:
    def is_satisfied_by(self, v) -> bool:
        return _is_bool(v)

    def __str__(self) -> str:
        return 'True or False'


class _Path:
    def is_satisfied_by(self, v) -> bool:
        return isinstance(v, (str, os.PathLike))

    def __str__(self) -> str:
        return 'a file path'


class _NoneValue:
    def is_satisfied_by(self, v) -> bool:
        return v is None

    def __str__(self) -> str:
        return 'None'


_SHORTHANDS = {'boolean': _Boolean(), 'path': _Path()}


def _constraint(c) -> Any:
    if c is None:
        return _NoneValue()
    return _SHORTHANDS[c] if isinstance(c, str) else c


def validate_params(estimator) -> None:
    r"""Checks every parameter of ``estimator`` that has constraints; raises
    :class:`InvalidParameterError` naming the estimator, the parameter, its value and
    what is allowed."""
    params = estimator.get_params(deep=False)
    for name, allowed in type(estimator)._parameter_constraints.items():
        v = params[name]
        cons = [_constraint(c) for c in allowed]
        if not any(c.is_satisfied_by(v) for c in cons):
            raise InvalidParameterError(
                f"{type(estimator).__name__}: parameter {name}={v!r} is invalid; expected "
                f"{' or '.join(str(c) for c in cons)}")
