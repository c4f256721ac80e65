"""Constraints on distribution parameters and supports: ``check(value)``
gives a boolean tensor, ``repr`` is PyTorch's."""

from __future__ import annotations

from .. import _C

__all__ = [
    "Constraint", "boolean", "dependent", "greater_than", "integer_interval", "interval",
    "less_than", "nonnegative_integer", "positive", "real", "simplex", "unit_interval",
]  # fmt: skip


class Constraint:
    """A region of values; ``check`` tests each element (each event for
    constraints on whole events, such as the simplex)."""

    is_discrete = False
    event_dim = 0

    def check(self, value: _C.Tensor) -> _C.Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__.lstrip("_") + "()"


class _Dependent(Constraint):
    # Depends on other parameters (a support computed from them): never checked.
    def check(self, value: _C.Tensor) -> _C.Tensor:
        raise ValueError("Cannot determine validity of dependent constraint")


class _Real(Constraint):
    def check(self, value: _C.Tensor) -> _C.Tensor:
        return value == value  # False only for NaN


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value: _C.Tensor) -> _C.Tensor:
        return (value == 0) | (value == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: float | _C.Tensor) -> None:
        self.lower_bound = lower_bound

    def check(self, value: _C.Tensor) -> _C.Tensor:
        return value > self.lower_bound

    def __repr__(self) -> str:
        return f"GreaterThan(lower_bound={self.lower_bound})"


class _LessThan(Constraint):
    def __init__(self, upper_bound: float | _C.Tensor) -> None:
        self.upper_bound = upper_bound

    def check(self, value: _C.Tensor) -> _C.Tensor:
        return value < self.upper_bound

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={self.upper_bound})"


class _Interval(Constraint):
    def __init__(self, lower_bound: float | _C.Tensor, upper_bound: float | _C.Tensor) -> None:
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value: _C.Tensor) -> _C.Tensor:
        return (value >= self.lower_bound) & (value <= self.upper_bound)

    def __repr__(self) -> str:
        return f"Interval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound: int, upper_bound: int) -> None:
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value: _C.Tensor) -> _C.Tensor:
        whole = value.remainder(1) == 0
        return whole & (value >= self.lower_bound) & (value <= self.upper_bound)

    def __repr__(self) -> str:
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IntegerGreaterThan(Constraint):
    is_discrete = True

    def __init__(self, lower_bound: int) -> None:
        self.lower_bound = lower_bound

    def check(self, value: _C.Tensor) -> _C.Tensor:
        return (value.remainder(1) == 0) & (value >= self.lower_bound)

    def __repr__(self) -> str:
        return f"IntegerGreaterThan(lower_bound={self.lower_bound})"


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value: _C.Tensor) -> _C.Tensor:
        nonneg = (value >= 0).all(-1)
        return nonneg & ((value.sum(-1) - 1).abs() < 1e-6)


dependent = _Dependent()
real = _Real()
boolean = _Boolean()
positive = _GreaterThan(0.0)
unit_interval = _Interval(0.0, 1.0)
nonnegative_integer = _IntegerGreaterThan(0)
simplex = _Simplex()
greater_than = _GreaterThan
less_than = _LessThan
interval = _Interval
integer_interval = _IntegerInterval
