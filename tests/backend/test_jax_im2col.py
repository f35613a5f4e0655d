"""jax_im2col: the patch-matrix convolution, its col2im input gradient and
its kernel gradient equal XLA's convolution, XLA's input gradient and the
NumPy kernel gradient, on strides 1 to 3, odd sizes and "valid"
remainders that no tap reaches."""

import keras
import numpy as np
import pytest

from tests.backend.test_jax_kernels import numpy_kernel_gradient

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "jax", reason="JAX kernels"
)

# (rows, cols, kernel, strides, padding)
CASES = [
    (8, 8, 3, (2, 2), "same"),
    (9, 7, 3, (2, 2), "same"),
    (8, 8, 3, (1, 1), "same"),
    (8, 8, 1, (2, 2), "same"),
    (9, 9, 2, (2, 1), "valid"),
    (10, 11, 3, (3, 3), "valid"),  # the last row and columns get no tap
    (4, 4, 3, (1, 1), "same"),
]


@pytest.mark.parametrize("rows,cols,kernel,strides,padding", CASES)
def test_im2col_matches_xla_and_numpy(rows, cols, kernel, strides, padding):
    import jax
    from keras_ssl.backend import jax_im2col, jax_kernels

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, rows, cols, 4)).astype("float32")
    w = rng.normal(size=(kernel, kernel, 4, 5)).astype("float32")
    pads = jax_kernels.keras_padding((rows, cols), (kernel, kernel), strides, padding)

    y, input_vjp = jax.vjp(
        lambda x: keras.ops.conv(x, w, strides=strides, padding=padding), x
    )
    np.testing.assert_allclose(
        jax_im2col.conv(x, w, strides, pads), y, rtol=1e-4, atol=1e-4
    )
    dy = rng.normal(size=y.shape).astype("float32")
    dx = jax_im2col.input_gradient(dy, w, (rows, cols), strides, pads)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, input_vjp(dy)[0], rtol=1e-4, atol=1e-4)
    dw = jax_im2col.kernel_gradient(x, dy, w.shape, strides, pads)
    reference = numpy_kernel_gradient(
        x.astype("float64"), dy.astype("float64"), kernel, strides, pads
    )
    np.testing.assert_allclose(dw, reference, rtol=1e-4, atol=1e-4)
