"""Restricciones de los parámetros y del soporte (``torch.distributions.constraints``): cada una sabe
comprobar un tensor (``check``) y tiene el ``repr`` de PyTorch, que aparece en los errores."""
from __future__ import annotations

import numpy as np

__all__ = ["Constraint", "real", "positive", "unit_interval", "simplex", "boolean", "integer_interval",
           "nonnegative_integer", "real_vector"]


class Constraint:
    """Una región de valores válidos; ``check(x)`` da un array booleano (por elemento o por evento)."""
    is_discrete = False
    event_dim = 0

    def check(self, value):  # pragma: no cover - abstracto
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__[1:] + "()"


class _Real(Constraint):
    def check(self, value):
        return value == value  # NaN no es real


class _GreaterThan(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return value > self.lower_bound

    def __repr__(self):
        return f"GreaterThan(lower_bound={self.lower_bound})"


class _Interval(Constraint):
    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        return (value >= self.lower_bound) & (value <= self.upper_bound)

    def __repr__(self):
        return f"Interval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value):
        return np.all(value >= 0, axis=-1) & (np.abs(value.sum(-1) - 1) < 1e-6)


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        return (value % 1 == 0) & (value >= self.lower_bound) & (value <= self.upper_bound)

    def __repr__(self):
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IntegerGreaterThan(Constraint):
    is_discrete = True

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return (value % 1 == 0) & (value >= self.lower_bound)

    def __repr__(self):
        return f"IntegerGreaterThan(lower_bound={self.lower_bound})"


class _IndependentReal(Constraint):
    event_dim = 1

    def check(self, value):
        return np.all(value == value, axis=-1)

    def __repr__(self):
        return "IndependentConstraint(Real(), 1)"


real = _Real()
positive = _GreaterThan(0.0)
unit_interval = _Interval(0.0, 1.0)
simplex = _Simplex()
boolean = _Boolean()
nonnegative_integer = _IntegerGreaterThan(0)
real_vector = _IndependentReal()


def integer_interval(lower_bound, upper_bound):
    return _IntegerInterval(lower_bound, upper_bound)
