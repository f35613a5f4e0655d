"""Membership tests for the ten shape classes of the embedded `shapes` set.

Every function takes local coordinates `u, v` (float arrays of one shape,
the object centred at the origin, roughly within the unit disk) and returns a
boolean array that is True inside the shape. Sizes are chosen so that every
shape covers a similar area (about 2 square units): the fraction of
foreground pixels then says little about the class.
"""

import numpy as np


def disk(u, v):
    return u * u + v * v <= 0.8**2


def square(u, v):
    return np.maximum(np.abs(u), np.abs(v)) <= 0.71


def triangle(u, v):
    # Equilateral: inside the three half-planes whose normals are 120
    # degrees apart, at inradius 0.62 (circumradius 1.24).
    inside = np.ones(u.shape, dtype=bool)
    for angle in (np.pi / 2, np.pi / 2 + 2 * np.pi / 3, np.pi / 2 + 4 * np.pi / 3):
        inside &= u * np.cos(angle) + v * np.sin(angle) <= 0.62
    return inside


def cross(u, v):
    au, av = np.abs(u), np.abs(v)
    return ((au <= 0.3) & (av <= 1.0)) | ((av <= 0.3) & (au <= 1.0))


def ring(u, v):
    r2 = u * u + v * v
    return (r2 <= 0.98**2) & (r2 >= 0.6**2)


def star(u, v):
    # Five-pointed star: fold the angle into one half-spike, then test which
    # side of the edge from the outer tip to the inner corner the point is on.
    outer, inner = 1.2, 0.56
    half = np.pi / 5
    angle = np.arctan2(v, u)
    folded = np.abs(np.mod(angle + half, 2 * half) - half)
    radius = np.sqrt(u * u + v * v)
    qx, qy = radius * np.cos(folded), radius * np.sin(folded)
    bx, by = inner * np.cos(half), inner * np.sin(half)
    # cross((B - A), (Q - A)) with A = (outer, 0); the origin gives > 0.
    return (bx - outer) * qy - by * (qx - outer) >= 0


def crescent(u, v):
    outer = u * u + v * v <= 1.1**2
    bite = (u - 0.6) ** 2 + v * v <= 0.85**2
    return outer & ~bite


def l_shape(u, v):
    upright = (u >= -0.75) & (u <= -0.15) & (v >= -1.0) & (v <= 1.0)
    foot = (u >= -0.75) & (u <= 0.85) & (v >= 0.4) & (v <= 1.0)
    return upright | foot


def stripes(u, v):
    inside = np.zeros(u.shape, dtype=bool)
    for offset in (-0.72, 0.0, 0.72):
        inside |= np.abs(v - offset) <= 0.2
    return inside & (np.abs(u) <= 0.9)


def heart(u, v):
    # Implicit heart curve (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0, shifted so its
    # centre of mass sits near the origin.
    x = u / 0.75
    y = -v / 0.75 + 0.15
    return (x * x + y * y - 1.0) ** 3 - x * x * y**3 <= 0


SHAPE_FUNCTIONS = (
    disk,
    square,
    triangle,
    cross,
    ring,
    star,
    crescent,
    l_shape,
    stripes,
    heart,
)
