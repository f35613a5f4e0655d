"""jax_winograd: the Winograd F(2x2, 3x3) path of the routed JAX Conv2D
computes XLA's convolution, its input gradient, and the NumPy kernel
gradient, on even, odd and non-square sizes, in one chunk or several."""

import keras
import numpy as np
import pytest

from tests.backend.test_jax_kernels import numpy_kernel_gradient

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "jax", reason="JAX kernels"
)

# (rows, cols, padding): even and odd, square and not, "same" and "valid".
SHAPES = [(8, 8, "same"), (9, 11, "same"), (10, 12, "valid"), (11, 10, "valid")]


def conv_and_gradients(x, w, dy, conv):
    import jax

    y, vjp = jax.vjp(conv, x, w)
    return (y, *vjp(dy))


def check_against_keras_and_numpy(x, w, pads, padding, routed):
    rng = np.random.default_rng(3)
    want_y = keras.ops.conv(x, w, padding=padding)
    dy = rng.normal(size=want_y.shape).astype("float32")
    y, dx, dw = conv_and_gradients(x, w, dy, routed)
    _, want_dx, _ = conv_and_gradients(
        x, w, dy, lambda x, w: keras.ops.conv(x, w, padding=padding)
    )
    np.testing.assert_allclose(y, want_y, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-4, atol=1e-4)
    reference = numpy_kernel_gradient(
        x.astype("float64"), dy.astype("float64"), 3, (1, 1), pads
    )
    np.testing.assert_allclose(dw, reference, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("rows,cols,padding", SHAPES)
def test_winograd_matches_xla_and_numpy(rows, cols, padding):
    from keras_ssl.backend import jax_kernels, jax_winograd

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, rows, cols, 16)).astype("float32")
    w = rng.normal(size=(3, 3, 16, 17)).astype("float32")
    pads = jax_kernels.keras_padding((rows, cols), (3, 3), (1, 1), padding)
    assert jax_winograd.applies(x.shape, w.shape, (1, 1), pads, x.dtype)
    check_against_keras_and_numpy(
        x, w, pads, padding, lambda x, w: jax_kernels.conv2d(x, w, (1, 1), pads)
    )


def test_winograd_chunks_with_a_remainder(monkeypatch):
    import jax
    from keras_ssl.backend import jax_kernels

    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 9, 8, 16)).astype("float32")
    w = rng.normal(size=(3, 3, 16, 16)).astype("float32")
    pads = jax_kernels.keras_padding((9, 8), (3, 3), (1, 1), "same")
    # Three images per chunk in every pass (no divisor of 7 is within 2x of
    # 3): two chunks and one image left.
    three_images = 3 * x[0].nbytes
    monkeypatch.setattr(jax_kernels, "_WINOGRAD_CHUNK_BYTES", three_images)
    monkeypatch.setattr(jax_kernels, "_WINOGRAD_KERNEL_CHUNK_BYTES", three_images)
    check_against_keras_and_numpy(
        x, w, pads, "same", jax.jit(lambda x, w: jax_kernels.conv2d(x, w, (1, 1), pads))
    )


@pytest.mark.parametrize(
    "x_shape,w_shape,strides,dtype",
    [
        ((2, 8, 8, 16), (3, 3, 16, 16), (2, 2), "float32"),  # strided
        ((2, 8, 8, 16), (1, 1, 16, 16), (1, 1), "float32"),  # 1x1
        ((2, 8, 8, 3), (3, 3, 3, 16), (1, 1), "float32"),  # few channels
        ((2, 4, 4, 16), (3, 3, 16, 16), (1, 1), "float32"),  # small output
        ((2, 8, 8, 16), (3, 3, 16, 16), (1, 1), "bfloat16"),
    ],
)
def test_winograd_is_kept_off_where_it_does_not_gain(x_shape, w_shape, strides, dtype):
    from keras_ssl.backend import jax_winograd

    pads = ((1, 1), (1, 1))
    assert not jax_winograd.applies(x_shape, w_shape, strides, pads, dtype)
