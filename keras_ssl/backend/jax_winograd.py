"""Winograd F(2x2, 3x3) convolution pieces for `jax_kernels` (CPU, float32).

A stride-1 3x3 convolution computed on 4x4 input tiles (stride 2) takes 16
products per 2x2 output tile where the direct form takes 36: per tile
position k, the (tiles, C) x (C, O) matmul of the transformed input V[k]
and kernel U[k] (Lavin & Gray, 2016). The transforms are additions only,
so the matmuls dominate once a chunk of tiles fits the cache. On this
project's 2-core CPU, forward plus backward of ResNet-18's 32x32, 16x16
and 8x8 stride-1 layers ran 1.5-1.8x faster than XLA's convolution with
an im2col kernel gradient (`benchmarks/conv_layers.py`, batch 256;
`benchmarks/RESULTS.md`, Winograd section of 2026-12-07).

Index convention: the 16 tile positions are k = 4 * i + j, i the row and j
the column of the 4x4 tile, in every transformed array.
"""

import jax
import jax.numpy as jnp
import numpy as np

# The kernel transform G (4x3): U = G w G^T per input/output channel pair.
_G = np.array(
    [[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]],
    np.float32,
)
# Smaller layers gain nothing: their matmuls are too small to win back the
# transforms (ResNet-18's 4x4x512 layers were 1.5x slower than XLA's).
_MIN_OUTPUT_PIXELS = 64
_MIN_CHANNELS = 16


def applies(x_shape, w_shape, strides, pads, dtype):
    """Whether a convolution gains from the Winograd path.

    Args:
        x_shape: (N, H, W, C) of the input.
        w_shape: (kh, kw, C, O) of the kernel.
        strides: (sh, sw).
        pads: ((top, bottom), (left, right)).
        dtype: the input's dtype (only float32: in bfloat16 the transforms
            would cost precision the direct form keeps).
    """
    rows, cols = output_size(x_shape, pads)
    return (
        tuple(strides) == (1, 1)
        and tuple(w_shape[:2]) == (3, 3)
        and jnp.dtype(dtype) == jnp.float32
        and min(w_shape[2:]) >= _MIN_CHANNELS
        and rows * cols >= _MIN_OUTPUT_PIXELS
    )


def output_size(x_shape, pads):
    """(rows, cols) of a stride-1 3x3 convolution's output."""
    return (x_shape[1] + sum(pads[0]) - 2, x_shape[2] + sum(pads[1]) - 2)


def flipped(w):
    """The kernel whose convolution is the input gradient's (stride 1)."""
    return jnp.transpose(w[::-1, ::-1], (0, 1, 3, 2))


def gradient_pads(pads):
    """The pads of the input gradient's convolution (stride 1, 3x3)."""
    return tuple((2 - top, 2 - bottom) for top, bottom in pads)


def conv3x3(x, u, pads):
    """The stride-1 3x3 convolution of `x` (N, H, W, C) by the kernel whose
    `transformed_kernel` is `u` (16, C, O)."""
    rows, cols = output_size(x.shape, pads)
    tiles = _tile_counts(rows, cols)
    products = jnp.einsum("kpc,kco->kpo", _transformed_input(x, pads, tiles), u)
    y = _output_tiles(products.reshape(4, 4, x.shape[0], *tiles, u.shape[-1]))
    return y[:, :rows, :cols]


def kernel_products(x, dy, pads):
    """sum over tiles of V[k]^T dM[k], (16, C, O) float32, for one chunk.

    dM is the output gradient carried back through the output transform;
    `kernel_gradient` turns the (summed) products into the kernel gradient.
    """
    tiles = _tile_counts(*dy.shape[1:3])
    grads = _output_tile_gradients(dy, tiles)
    return jnp.einsum(
        "kpc,kpo->kco",
        _transformed_input(x, pads, tiles),
        grads,
        preferred_element_type=jnp.float32,
    )


def kernel_gradient(products):
    """The (3, 3, C, O) kernel gradient from the summed `kernel_products`."""
    products = products.reshape(4, 4, *products.shape[1:])
    return jnp.einsum("ai,abco,bj->ijco", _G, products, _G)


def _tile_counts(rows, cols):
    return (-(-rows // 2), -(-cols // 2))


def _transformed_input(x, pads, tiles):
    """B^T d B of every 4x4 tile d, as (16, N * tiles, C)."""
    (top, _), (left, _) = pads
    bottom = 2 * tiles[0] + 2 - x.shape[1] - top
    right = 2 * tiles[1] + 2 - x.shape[2] - left
    padded = jnp.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    columns = _input_transform(padded, 1, tiles[0])
    parts = [part for c in columns for part in _input_transform(c, 2, tiles[1])]
    return jnp.stack(parts).reshape(16, -1, x.shape[-1])


def _input_transform(a, axis, count):
    """B^T along `axis`: the four rows of every tile, combined."""
    r = [jax.lax.slice_in_dim(a, s, s + 2 * count - 1, 2, axis) for s in range(4)]
    return [r[0] - r[2], r[1] + r[2], r[2] - r[1], r[1] - r[3]]


def transformed_kernel(w):
    """G w G^T of a (3, 3, C, O) kernel, as (16, C, O): computed once per
    pass, outside the loop over batch chunks."""
    return jnp.einsum("ai,ijco,bj->abco", _G, w, _G).reshape(16, *w.shape[2:])


def _output_transform(m):
    """A^T along the first list: four tile rows to two output rows."""
    return [m[0] + m[1] + m[2], m[1] - m[2] - m[3]]


def _output_tiles(m):
    """A^T m A of every tile of products m (4, 4, N, Th, Tw, O), as
    (N, 2 Th, 2 Tw, O)."""
    rows = _output_transform([m[i] for i in range(4)])
    y = [_output_transform([r[j] for j in range(4)]) for r in rows]
    # y[a][b] holds output pixel (2t + a, 2s + b) of tile (t, s).
    y = jnp.stack([jnp.stack(y_a, axis=-2) for y_a in y], axis=2)
    n, th, _, tw, _, o = y.shape
    return y.reshape(n, 2 * th, 2 * tw, o)


def _output_tile_gradients(dy, tiles):
    """A dy A^T of every 2x2 output-gradient tile, as (16, N * tiles, O)."""
    extra = ((0, 0), (0, 2 * tiles[0] - dy.shape[1]), (0, 2 * tiles[1] - dy.shape[2]))
    dy = jnp.pad(dy, (*extra, (0, 0)))
    d = [[dy[:, a::2, b::2] for b in range(2)] for a in range(2)]
    by_column = [_output_adjoint(d[0][b], d[1][b]) for b in range(2)]
    parts = [
        g for i in range(4) for g in _output_adjoint(by_column[0][i], by_column[1][i])
    ]
    return jnp.stack(parts).reshape(16, -1, dy.shape[-1])


def _output_adjoint(d0, d1):
    """A along one axis: two output rows back to four tile rows."""
    return [d0, d0 + d1, d0 - d1, -d1]
