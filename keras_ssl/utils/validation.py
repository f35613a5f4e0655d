"""Argument checks shared by losses, layers and methods."""

import math


def check_positive_float(name, value):
    """Returns `value` as a float, or raises if it is not finite and > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"`{name}` must be a positive float. Received: {name}={value!r} "
            f"of type {type(value).__name__}."
        )
    if math.isnan(value) or math.isinf(value) or value <= 0:
        raise ValueError(
            f"`{name}` must be a finite number > 0. Received: {name}={value}."
        )
    return float(value)


def check_positive_int(name, value):
    """Returns `value` as an int, or raises if it is not an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"`{name}` must be a positive integer. Received: {name}={value!r}."
        )
    if value < 1:
        raise ValueError(
            f"`{name}` must be >= 1. Received: {name}={value}."
        )
    return int(value)


def check_unit_interval(name, value, closed_right=True):
    """Returns `value` as a float in [0, 1] (or [0, 1)), or raises."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"`{name}` must be a float in [0, 1]. Received: {name}={value!r}."
        )
    upper_ok = value <= 1 if closed_right else value < 1
    if math.isnan(value) or value < 0 or not upper_ok:
        bound = "1]" if closed_right else "1)"
        raise ValueError(
            f"`{name}` must be in [0, {bound}. Received: {name}={value}."
        )
    return float(value)


def check_same_batch(name_a, a, name_b, b):
    """Raises if two tensors have known, different leading dimensions."""
    size_a, size_b = a.shape[0], b.shape[0]
    if size_a is not None and size_b is not None and size_a != size_b:
        raise ValueError(
            f"`{name_a}` and `{name_b}` must have the same batch size. "
            f"Received: {name_a}.shape={tuple(a.shape)}, "
            f"{name_b}.shape={tuple(b.shape)}."
        )


def check_rank(name, x, rank):
    """Raises if `x` does not have `rank` dimensions."""
    if len(x.shape) != rank:
        raise ValueError(
            f"`{name}` must have rank {rank}. Received: {name}.shape="
            f"{tuple(x.shape)}."
        )


def check_non_negative_float(name, value):
    """Returns `value` as a float, or raises if it is not finite and >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"`{name}` must be a float >= 0. Received: {name}={value!r}."
        )
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise ValueError(
            f"`{name}` must be a finite number >= 0. Received: {name}={value}."
        )
    return float(value)


def check_non_negative_int(name, value):
    """Returns `value` as an int, or raises if it is not an int >= 0."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"`{name}` must be an integer >= 0. Received: {name}={value!r}."
        )
    if value < 0:
        raise ValueError(f"`{name}` must be >= 0. Received: {name}={value}.")
    return int(value)
