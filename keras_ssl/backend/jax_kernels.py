"""A JAX Conv2D that is faster than XLA's own on the CPU, per layer.

Stride-1 3x3 layers with at least 16 channels and an output of at least
8x8 run as Winograd F(2x2, 3x3) convolutions (`jax_winograd`): forward
pass, input gradient and kernel gradient each take 16 products per 2x2
output tile instead of 36, over cache-sized batch chunks. On ResNet-18 at
batch 256 this cut the forward plus backward time of its 32x32, 16x16 and
8x8 stride-1 layers by 31%, 45% and 37% against the im2col path below
(`benchmarks/RESULTS.md`, Winograd section of 2026-12-07).

The other routed 3x3 (and 2x2) layers run as im2col matmuls
(`jax_im2col`): patch matrix times kernel forward, col2im of the patch
gradients for the input gradient, patch matrix times output gradient for
the kernel gradient (XLA's own can take 10x the forward pass on the CPU:
ResNet-18, batch 256, 32x32x64 -> 64, forward 0.48 s, kernel gradient
5.0 s), each over batch chunks whose patch matrices fit the cache. On
ResNet-18's stride-2 3x3 layers, forward plus backward, this is 10-27%
faster than XLA's forward and input gradient (RESULTS.md, 2026-12-07,
fourth session). 1x1 layers, layers of fewer than 16 input channels (a
3-channel stem) and dtypes other than float32 keep XLA's forward pass and
input gradient, run whole, with the im2col kernel gradient.

`route_layers` swaps the *instance's* `convolution_op`, so the layers keep
their class, config and weights. Only plain channels-last Conv2D layers with
kernels up to 3x3, no dilation and no groups are routed, and only on the
CPU (XLA's GPU convolutions are cuDNN's).
"""

import types

import jax
import jax.numpy as jnp

from keras_ssl.backend import jax_im2col
from keras_ssl.backend import jax_winograd
from keras_ssl.backend.layer_routing import is_plain_channels_last_conv2d

_MAX_KERNEL = 3
_DIMENSIONS = ("NHWC", "HWIO", "NHWC")
# Bytes of one chunk's patch matrix in the kernel gradient.
_CHUNK_BYTES = 16 * 2**20
# Bytes of one chunk's patch matrix in the forward pass and input gradient.
_PATCH_CHUNK_BYTES = 2 * 2**20
# Fewest input channels for the im2col forward pass and input gradient.
_MIN_IM2COL_CHANNELS = 16
# Bytes of one chunk's input in the Winograd passes (forward and input
# gradient; kernel gradient), the fastest on ResNet-18's layers.
_WINOGRAD_CHUNK_BYTES = 2 * 2**20
_WINOGRAD_KERNEL_CHUNK_BYTES = 2**20


def route_layers(model):
    """Routes the plain Conv2D layers of `model` to `conv2d` (CPU only).

    Args:
        model: keras.Layer. Searched recursively.

    Returns:
        int: the number of layers routed by this call.
    """
    if jax.default_backend() != "cpu":
        return 0
    routed = 0
    for layer in model._flatten_layers(include_self=True, recursive=True):
        if "convolution_op" not in vars(layer) and _routable(layer):
            layer.convolution_op = types.MethodType(_convolution_op, layer)
            routed += 1
    return routed


def _routable(layer):
    return (
        is_plain_channels_last_conv2d(layer)
        and layer.groups == 1
        and tuple(layer.dilation_rate) == (1, 1)
        and max(layer.kernel_size) <= _MAX_KERNEL
    )


def _convolution_op(layer, inputs, kernel):
    inputs = jnp.asarray(inputs)
    pads = keras_padding(
        inputs.shape[1:3], kernel.shape[:2], layer.strides, layer.padding
    )
    return conv2d(inputs, jnp.asarray(kernel), tuple(layer.strides), pads)


def keras_padding(sizes, kernel, strides, padding):
    """Keras's (TensorFlow's) padding as ((top, bottom), (left, right)).

    Args:
        sizes: (H, W) of the input.
        kernel: (kh, kw).
        strides: (sh, sw).
        padding: "same" (the odd pixel of padding goes at the bottom and
            right) or "valid".
    """
    if padding == "valid":
        return ((0, 0), (0, 0))
    pads = []
    for size, k, stride in zip(sizes, kernel, strides):
        out = -(-size // stride)
        total = max(0, (out - 1) * stride + k - size)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _xla_conv(x, w, strides, pads):
    return jax.lax.conv_general_dilated(
        x, w, strides, pads, dimension_numbers=_DIMENSIONS
    )


def conv2d(x, w, strides, pads):
    """NHWC x HWIO convolution, as `lax.conv_general_dilated` computes it.

    Stride-1 3x3 layers large enough to gain run as Winograd F(2x2, 3x3)
    convolutions (`jax_winograd`), forward and backward; the others as
    im2col matmuls (`jax_im2col`), or XLA's convolution with an im2col
    kernel gradient where `_keeps_xla`.

    Args:
        x: (N, H, W, C) inputs.
        w: (kh, kw, C, O) kernel.
        strides: (sh, sw).
        pads: ((top, bottom), (left, right)) zero padding.

    Returns:
        The (N, H', W', O) outputs.
    """
    if jax_winograd.applies(x.shape, w.shape, strides, pads, x.dtype):
        return _winograd_custom(x, w, pads)
    return _conv2d_custom(x, w, strides, pads)


def _split_batch(arrays, image_bytes, chunk_bytes):
    """Splits equal-length batches into chunks of about `chunk_bytes`, of a
    size that divides the batch where one is near (`_chunk_size`).

    Returns:
        (chunks, rest): the arrays' leading images as (count, size, ...)
        stacks and the images left over (`None` when there are none), or
        `(None, None)` when one chunk would hold the whole batch.
    """
    batch = arrays[0].shape[0]
    size = _chunk_size(batch, max(1, chunk_bytes // image_bytes))
    count = batch // size
    if count <= 1:
        return None, None
    cut = count * size
    chunks = tuple(a[:cut].reshape(count, size, *a.shape[1:]) for a in arrays)
    rest = tuple(a[cut:] for a in arrays) if cut < batch else None
    return chunks, rest


def _chunk_size(batch, target):
    """The divisor of `batch` nearest to `target` images (by ratio), so that
    no remainder needs a pass and a concatenation of its own; `target`
    itself when no divisor is within a factor of 2 (a prime batch).

    A target below the batch never gives the whole batch: one whole-batch
    pass was 1.7-2x slower than two chunks on the SmallCNN's kernel
    gradients at batch 256 (`benchmarks/RESULTS.md`, 2026-12-08).
    """
    if target >= batch:
        return batch

    def ratio(d):
        return max(d / target, target / d)

    size = min((d for d in range(1, batch) if batch % d == 0), key=ratio)
    return size if ratio(size) <= 2 else target


def _map_chunks(fn, x, image_bytes, chunk_bytes):
    """`fn` of `x`, mapped over batch chunks of about `chunk_bytes`."""
    chunks, rest = _split_batch((x,), image_bytes, chunk_bytes)
    if chunks is None:
        return fn(x)
    y = jax.lax.map(lambda part: fn(part[0]), chunks)
    y = y.reshape(-1, *y.shape[2:])
    if rest is not None:
        y = jnp.concatenate([y, fn(rest[0])])
    return y


def _sum_chunks(fn, arrays, image_bytes, chunk_bytes):
    """The sum of `fn` over batch chunks (of all `arrays`) of about
    `chunk_bytes`; `fn` returns one float32 array per chunk."""
    chunks, rest = _split_batch(arrays, image_bytes, chunk_bytes)
    if chunks is None:
        return fn(*arrays)
    shape = jax.eval_shape(fn, *(c[0] for c in chunks)).shape

    def add_chunk(total, parts):
        return total + fn(*parts), None

    total = jax.lax.scan(add_chunk, jnp.zeros(shape, jnp.float32), chunks)[0]
    if rest is not None:
        total = total + fn(*rest)
    return total


def _keeps_xla(w):
    """True where XLA's forward pass and input gradient stay: 1x1 kernels
    (no patches to gather; im2col was slower on ResNet-18's), kernels whose
    patch matrices are too narrow for a fast matmul (a 3-channel stem: 27
    columns), and dtypes other than the float32 im2col was timed on."""
    return (
        w.shape[0] * w.shape[1] == 1
        or w.shape[2] < _MIN_IM2COL_CHANNELS
        or w.dtype != jnp.float32
    )


def _patch_bytes(image_shape, w, strides, pads):
    """Bytes of one image's (H', W', kh*kw*C) patch matrix."""
    rows, cols = jax_im2col.output_size(image_shape[:2], w.shape[:2], strides, pads)
    return rows * cols * w.shape[0] * w.shape[1] * w.shape[2] * w.dtype.itemsize


def _im2col_conv(x, w, strides, pads):
    """The forward pass: im2col over chunks of about `_PATCH_CHUNK_BYTES`
    of patches, or XLA's convolution (`_keeps_xla`)."""
    if _keeps_xla(w):
        return _xla_conv(x, w, strides, pads)
    return _map_chunks(
        lambda part: jax_im2col.conv(part, w, strides, pads),
        x,
        _patch_bytes(x.shape[1:], w, strides, pads),
        _PATCH_CHUNK_BYTES,
    )


def _forward(x, w, strides, pads):
    return _im2col_conv(x, w, strides, pads), (x, w)


def _backward(strides, pads, residuals, dy):
    x, w = residuals
    dx = _input_gradient(x, dy, w, strides, pads)
    return dx, _kernel_gradient(x, dy, w, strides, pads)


def _input_gradient(x, dy, w, strides, pads):
    """col2im over chunks of about `_PATCH_CHUNK_BYTES` of patch
    gradients, or XLA's input gradient (`_keeps_xla`)."""
    if _keeps_xla(w):
        _, input_vjp = jax.vjp(lambda v: _xla_conv(v, w, strides, pads), x)
        return input_vjp(dy)[0]
    return _map_chunks(
        lambda part: jax_im2col.input_gradient(part, w, x.shape[1:3], strides, pads),
        dy,
        _patch_bytes(x.shape[1:], w, strides, pads),
        _PATCH_CHUNK_BYTES,
    )


def _kernel_gradient(x, dy, w, strides, pads):
    """The kernel gradient, summed over chunks of the batch.

    A chunk's patch matrix (about `_CHUNK_BYTES`) stays in the cache: on
    ResNet-18's 32x32x64 layers this halves the time of one whole-batch
    im2col (`benchmarks/RESULTS.md`, 2026-12-07).
    """
    grad = _sum_chunks(
        lambda xs, dys: jax_im2col.kernel_gradient(xs, dys, w.shape, strides, pads),
        (x, dy),
        _patch_bytes(x.shape[1:], w, strides, pads),
        _CHUNK_BYTES,
    )
    return grad.astype(w.dtype)


_conv2d_custom = jax.custom_vjp(_im2col_conv, nondiff_argnums=(2, 3))
_conv2d_custom.defvjp(_forward, _backward)


def _winograd_conv(x, w, pads):
    """The Winograd convolution over chunks of about `_WINOGRAD_CHUNK_BYTES`
    of input: small enough for the transformed tiles (4x the input) to stay
    in the cache."""
    u = jax_winograd.transformed_kernel(w)
    return _map_chunks(
        lambda part: jax_winograd.conv3x3(part, u, pads),
        x,
        x[0].size * x.dtype.itemsize,
        _WINOGRAD_CHUNK_BYTES,
    )


def _winograd_forward(x, w, pads):
    return _winograd_conv(x, w, pads), (x, w)


def _winograd_backward(pads, residuals, dy):
    x, w = residuals
    dx = _winograd_conv(dy, jax_winograd.flipped(w), jax_winograd.gradient_pads(pads))
    products = _sum_chunks(
        lambda xs, dys: jax_winograd.kernel_products(xs, dys, pads),
        (x, dy),
        x[0].size * x.dtype.itemsize,
        _WINOGRAD_KERNEL_CHUNK_BYTES,
    )
    return dx, jax_winograd.kernel_gradient(products).astype(w.dtype)


_winograd_custom = jax.custom_vjp(_winograd_conv, nondiff_argnums=(2,))
_winograd_custom.defvjp(_winograd_forward, _winograd_backward)
