"""Convolutions as matmuls over patch matrices (im2col), for the JAX CPU.

A (N, H', W', kh*kw*C) matrix of input patches times the (kh*kw*C, O)
kernel gives the forward pass; the output gradient times the kernel's
transpose gives the patch gradients, which `col2im` adds back onto the
input grid (the input gradient); the patches' transpose times the output
gradient gives the kernel gradient. `jax_kernels` maps these over batch
chunks small enough for the patch matrices to stay in the cache.
"""

import jax.numpy as jnp


def patches(x, kernel_size, strides, pads):
    """The (N, H', W', kh*kw*C) patches of `x`, tap-major (row, column,
    channel), the order of a (kh, kw, C, O) kernel reshaped to 2-D."""
    kh, kw = kernel_size
    padded = jnp.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    rows, cols = output_size(x.shape[1:3], kernel_size, strides, pads)
    sh, sw = strides
    taps = [
        padded[:, i : i + (rows - 1) * sh + 1 : sh, j : j + (cols - 1) * sw + 1 : sw]
        for i in range(kh)
        for j in range(kw)
    ]
    return jnp.concatenate(taps, axis=-1)


def output_size(sizes, kernel_size, strides, pads):
    """(H', W') of a convolution of an input of `sizes` (H, W)."""
    return tuple(
        (size + sum(pad) - k) // stride + 1
        for size, k, stride, pad in zip(sizes, kernel_size, strides, pads)
    )


def conv(x, w, strides, pads):
    """The NHWC x HWIO convolution as one patch-matrix matmul."""
    p = patches(x, w.shape[:2], strides, pads)
    return jnp.dot(p, w.reshape(-1, w.shape[-1]))


def input_gradient(dy, w, sizes, strides, pads):
    """dL/dx of `conv` for an input of `sizes` (H, W), from dL/dy.

    The patch gradients dy @ w^T are added back onto the padded input one
    stride phase at a time: tap (a, b) lands on the rows of phase a mod s
    with offset a // s, so each phase is a sum of shifted (padded) taps,
    and interleaving the phases gives the padded grid without a scatter.
    """
    kh, kw, channels, outputs = w.shape
    n, rows, cols = dy.shape[:3]
    taps = jnp.dot(dy, w.reshape(-1, outputs).T).reshape(n, rows, cols, kh, kw, channels)
    sh, sw = strides
    grid = jnp.stack(
        [
            jnp.stack([_phase(taps, (i, j), strides) for j in range(sw)], axis=3)
            for i in range(sh)
        ],
        axis=2,
    )
    # (N, rows', sh, cols', sw, C): phase (i, j) of grid cell (r, c) is
    # padded pixel (sh * r + i, sw * c + j).
    padded = grid.reshape(n, sh * grid.shape[1], sw * grid.shape[3], channels)
    return _crop(padded, sizes, pads)


def _phase(taps, phase, strides):
    """The sum of the patch-gradient taps (N, H', W', kh, kw, C) that land
    on stride phase `phase` of the padded input, each shifted by its offset
    (tap index // stride) on a grid (H' + reach, W' + reach)."""
    n, rows, cols, kh, kw, channels = taps.shape
    sh, sw = strides
    reach_h, reach_w = (kh - 1) // sh, (kw - 1) // sw
    # Zeros, not 0: a phase no tap reaches (a 1x1 kernel at stride 2).
    total = jnp.zeros((n, rows + reach_h, cols + reach_w, channels), taps.dtype)
    for a in range(phase[0], kh, sh):
        for b in range(phase[1], kw, sw):
            shift = ((0, 0), (a // sh, reach_h - a // sh))
            shift += ((b // sw, reach_w - b // sw), (0, 0))
            total = total + jnp.pad(taps[:, :, :, a, b], shift)
    return total


def _crop(padded, sizes, pads):
    """The (H, W) input window of the padded grid; rows and columns that no
    tap reached (a "valid" remainder) are zeros."""
    (top, _), (left, _) = pads
    height, width = sizes
    short_h = max(0, top + height - padded.shape[1])
    short_w = max(0, left + width - padded.shape[2])
    if short_h or short_w:
        padded = jnp.pad(padded, ((0, 0), (0, short_h), (0, short_w), (0, 0)))
    return padded[:, top : top + height, left : left + width]


def kernel_gradient(x, dy, kernel_shape, strides, pads):
    """dL/dw of `conv`: patches(x)^T @ dy, accumulated in float32."""
    kh, kw, _, outputs = kernel_shape
    p = patches(x, (kh, kw), strides, pads).reshape(-1, kernel_shape[2] * kh * kw)
    grad = jnp.dot(
        p.T, dy.reshape(-1, outputs), preferred_element_type=jnp.float32
    )
    return grad.reshape(kernel_shape)
