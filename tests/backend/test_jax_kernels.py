"""jax_kernels: the routed Conv2D computes what XLA's convolution does, and
its im2col kernel gradient equals a NumPy sum over output positions."""

import keras
import numpy as np
import pytest

from tests.backend.test_fast_kernels import assert_gradients_close
from tests.backend.test_fast_kernels import conv_bn_model
from tests.backend.test_fast_kernels import images
from tests.backend.test_fast_kernels import twin_models

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "jax", reason="JAX kernels"
)

# (input size, kernel, strides, padding): symmetric and asymmetric "same"
# pads, odd sizes, 1x1 with stride, "valid" with unequal strides.
CASES = [
    (8, 3, (1, 1), "same"),
    (8, 3, (2, 2), "same"),
    (7, 3, (2, 2), "same"),
    (8, 1, (2, 2), "same"),
    (9, 2, (2, 1), "valid"),
    (6, 3, (1, 1), "valid"),
]


def numpy_kernel_gradient(x, dy, kernel_size, strides, pads):
    """dL/dw[i, j, c, o] = sum over n, a, b of x_pad[n, s*a + i, s*b + j, c]
    * dy[n, a, b, o], one tap at a time."""
    padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    rows, cols = dy.shape[1:3]
    grad = np.zeros((kernel_size, kernel_size, x.shape[-1], dy.shape[-1]))
    for i in range(kernel_size):
        for j in range(kernel_size):
            tap = padded[:, i :: strides[0], j :: strides[1]][:, :rows, :cols]
            grad[i, j] = np.einsum("nabc,nabo->co", tap, dy)
    return grad


@pytest.mark.parametrize("size,kernel,strides,padding", CASES)
def test_conv2d_matches_xla_and_numpy(size, kernel, strides, padding):
    import jax
    from keras_ssl.backend import jax_kernels

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, size, size, 4)).astype("float32")
    w = rng.normal(size=(kernel, kernel, 4, 5)).astype("float32")
    pads = jax_kernels.keras_padding((size, size), (kernel, kernel), strides, padding)

    def keras_conv(x, w):
        return keras.ops.conv(x, w, strides=strides, padding=padding)

    def routed_conv(x, w):
        return jax_kernels.conv2d(x, w, strides, pads)

    y = routed_conv(x, w)
    np.testing.assert_allclose(y, keras_conv(x, w), rtol=1e-5, atol=1e-5)
    dy = rng.normal(size=y.shape).astype("float32")

    def gradients(conv):
        return jax.vjp(conv, x, w)[1](dy)

    (dx, dw), (dx_want, dw_want) = gradients(routed_conv), gradients(keras_conv)
    np.testing.assert_allclose(dx, dx_want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dw, dw_want, rtol=1e-4, atol=1e-4)
    reference = numpy_kernel_gradient(
        x.astype("float64"), dy.astype("float64"), kernel, strides, pads
    )
    np.testing.assert_allclose(dw, reference, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "batch, target, expected",
    [(128, 28, 32), (256, 28, 32), (128, 3, 4), (100, 7, 5), (97, 10, 10),
     (7, 3, 3), (128, 200, 128), (256, 227, 128)],
)
def test_chunk_size_is_the_nearest_divisor_of_the_batch(batch, target, expected):
    from keras_ssl.backend import jax_kernels

    # A prime batch (97) or no divisor within 2x (7 for 3) keeps the target;
    # a target below the batch never gives the whole batch (256 for 227).
    assert jax_kernels._chunk_size(batch, target) == expected


# 7 images, 3 per chunk: two chunks and a remainder of one (no divisor of 7
# is within 2x of 3); 6 images, 2 per chunk: three chunks, no remainder.
@pytest.mark.parametrize("batch, per_chunk", [(7, 3), (6, 2)])
@pytest.mark.parametrize("strides", [(1, 1), (2, 2)])
def test_batch_chunks(monkeypatch, strides, batch, per_chunk):
    import jax
    from keras_ssl.backend import jax_kernels

    rng = np.random.default_rng(2)
    # 16 input channels: below that the im2col passes are not used.
    x = rng.normal(size=(batch, 8, 8, 16)).astype("float32")
    w = rng.normal(size=(3, 3, 16, 6)).astype("float32")
    pads = jax_kernels.keras_padding((8, 8), (3, 3), strides, "same")
    rows = 8 // strides[0]
    patch_bytes = rows * rows * 16 * 9 * x.itemsize
    monkeypatch.setattr(jax_kernels, "_PATCH_CHUNK_BYTES", per_chunk * patch_bytes)
    monkeypatch.setattr(jax_kernels, "_CHUNK_BYTES", per_chunk * patch_bytes)
    chunks, rest = jax_kernels._split_batch((x,), patch_bytes, per_chunk * patch_bytes)
    assert chunks[0].shape[:2] == (batch // per_chunk, per_chunk)
    assert (rest is None) == (batch % per_chunk == 0)
    dy = rng.normal(size=(batch, rows, rows, 6)).astype("float32")

    # The im2col path itself: at stride 1 `conv2d` would take the Winograd one.
    def output_and_gradients(x, w):
        y, vjp = jax.vjp(
            lambda x, w: jax_kernels._conv2d_custom(x, w, strides, pads), x, w
        )
        return (y, *vjp(dy))

    def xla_output_and_gradients(x, w):
        y, vjp = jax.vjp(
            lambda x, w: keras.ops.conv(x, w, strides=strides, padding="same"), x, w
        )
        return (y, *vjp(dy))

    y, dx, dw = jax.jit(output_and_gradients)(x, w)
    want_y, want_dx, _ = xla_output_and_gradients(x, w)
    assert y.shape == want_y.shape
    np.testing.assert_allclose(y, want_y, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-4, atol=1e-4)
    reference = numpy_kernel_gradient(
        x.astype("float64"), dy.astype("float64"), 3, strides, pads
    )
    np.testing.assert_allclose(dw, reference, rtol=1e-4, atol=1e-4)


def test_bfloat16_kernel_gradient_keeps_the_kernel_dtype():
    import jax
    import jax.numpy as jnp
    from keras_ssl.backend import jax_kernels

    rng = np.random.default_rng(1)
    x = jnp.asarray(rng.normal(size=(2, 6, 6, 3)), jnp.bfloat16)
    w = jnp.asarray(rng.normal(size=(3, 3, 3, 4)), jnp.bfloat16)
    pads = ((1, 1), (1, 1))
    dw = jax.grad(lambda w: jax_kernels.conv2d(x, w, (1, 1), pads).sum())(w)
    assert dw.dtype == jnp.bfloat16
    want = jax.grad(
        lambda w: keras.ops.conv(x, w, padding="same").astype("float32").sum()
    )(w)
    np.testing.assert_allclose(
        np.asarray(dw, "float32"), np.asarray(want, "float32"), rtol=2e-2, atol=0.1
    )


def stateless_output_and_gradients(model, x, training):
    import jax

    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def loss(trainable):
        y, _ = model.stateless_call(trainable, non_trainable, x, training=training)
        return (y * y).sum(), y

    # Compiled: op by op, the routed model's gradients take half a minute.
    (_, y), grads = jax.jit(jax.value_and_grad(loss, has_aux=True))(trainable)
    return np.asarray(y), [np.asarray(g) for g in grads]


def test_only_plain_channels_last_convolutions_are_routed():
    import jax
    from keras_ssl.backend import route_fast_kernels

    if jax.default_backend() != "cpu":
        pytest.skip("routes on the CPU only")

    plain, routed = twin_models()
    # c1 (stride 2, "same") and c3 ("valid"); c2 has groups and dilation.
    assert route_fast_kernels(routed) == 2
    assert "convolution_op" not in vars(routed.get_layer("c2"))
    assert route_fast_kernels(routed) == 0
    y_plain, g_plain = stateless_output_and_gradients(plain, images(), True)
    y_routed, g_routed = stateless_output_and_gradients(routed, images(), True)
    np.testing.assert_allclose(y_routed, y_plain, rtol=1e-5, atol=1e-5)
    assert_gradients_close(g_routed, g_plain)
    np.testing.assert_allclose(
        routed(images(), training=False), plain(images(), training=False),
        rtol=1e-5, atol=1e-5,
    )
    assert route_fast_kernels(conv_bn_model("channels_first")) == 0

    class OwnOp(keras.layers.Conv2D):
        def convolution_op(self, inputs, kernel):
            return super().convolution_op(inputs, kernel)

    assert route_fast_kernels(OwnOp(2, 3)) == 0
    assert route_fast_kernels(keras.layers.Conv2D(2, 7)) == 0
