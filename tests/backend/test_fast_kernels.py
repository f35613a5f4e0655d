"""route_fast_kernels: the routed layers compute what Keras's own ops do."""

import keras
import numpy as np
import pytest

from keras_ssl import methods
from keras_ssl.backend import route_fast_kernels
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder

TORCH = keras.config.backend() == "torch"
needs_torch = pytest.mark.skipif(not TORCH, reason="PyTorch kernels")


def conv_bn_model(data_format="channels_last"):
    """Every padding case: asymmetric "same" (stride 2, even size), symmetric
    "same" with dilation and groups, "valid"; BatchNorm on 4-D and 2-D rows."""
    axis = -1 if data_format == "channels_last" else 1
    shape = (8, 8, 3) if data_format == "channels_last" else (3, 8, 8)
    inputs = keras.Input(shape)
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same",
                            data_format=data_format, name="c1")(inputs)
    x = keras.layers.BatchNormalization(axis=axis, momentum=0.9, name="b1")(x)
    x = keras.layers.Conv2D(8, 3, padding="same", groups=2, dilation_rate=2,
                            use_bias=False, data_format=data_format, name="c2")(x)
    x = keras.layers.BatchNormalization(axis=axis, center=False, name="b2")(x)
    x = keras.layers.Conv2D(4, 2, strides=(2, 1), data_format=data_format,
                            name="c3")(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(6, name="d")(x)
    outputs = keras.layers.BatchNormalization(scale=False, name="b3")(x)
    return keras.Model(inputs, outputs)


def twin_models(data_format="channels_last"):
    keras.utils.set_random_seed(3)
    plain = conv_bn_model(data_format)
    routed = conv_bn_model(data_format)
    routed.set_weights(plain.get_weights())
    return plain, routed


def images(data_format="channels_last"):
    x = np.random.default_rng(0).normal(size=(5, 8, 8, 3)).astype("float32")
    return x if data_format == "channels_last" else x.transpose(0, 3, 1, 2)


def output_and_gradients(model, x, training):
    import torch

    y = model(keras.ops.convert_to_tensor(x), training=training)
    grads = torch.autograd.grad(
        (y * y).sum(), [v.value for v in model.trainable_variables]
    )
    return keras.ops.convert_to_numpy(y), [g.numpy() for g in grads]


def assert_gradients_close(got, want):
    """Through BatchNorm a gradient is a difference of nearly equal sums (a
    bias before it gets exactly zero, up to rounding): the plain and routed
    float32 gradients are each up to ~1e-4 of the largest gradient away from
    a float64 computation, so they are compared on that scale."""
    scale = max(np.abs(g).max() for g in want)
    for g_got, g_want in zip(got, want):
        np.testing.assert_allclose(g_got, g_want, rtol=1e-4, atol=2e-4 * scale)


@needs_torch
@pytest.mark.parametrize("training", [True, False])
def test_routed_layers_match_keras(training):
    plain, routed = twin_models()
    assert route_fast_kernels(routed) == 6  # 3 Conv2D + 3 BatchNormalization
    y_plain, g_plain = output_and_gradients(plain, images(), training)
    y_routed, g_routed = output_and_gradients(routed, images(), training)
    np.testing.assert_allclose(y_routed, y_plain, rtol=1e-5, atol=1e-5)
    assert_gradients_close(g_routed, g_plain)
    # Moving statistics: updated in training, untouched in inference.
    for got, want in zip(routed.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


@needs_torch
def test_channels_first_and_subclassed_layers_keep_their_own_ops():
    _, routed = twin_models("channels_first")
    # The three BatchNorms (channels-first needs no transpose), no Conv2D.
    assert route_fast_kernels(routed) == 3
    assert "convolution_op" not in vars(routed.get_layer("c1"))
    plain = twin_models("channels_first")[0]
    for training in (True, False):
        y_plain, _ = output_and_gradients(plain, images("channels_first"), training)
        y_routed, _ = output_and_gradients(routed, images("channels_first"), training)
        np.testing.assert_allclose(y_routed, y_plain, rtol=1e-5, atol=1e-5)

    class OwnCall(keras.layers.BatchNormalization):
        def call(self, inputs, training=None, mask=None):
            return super().call(inputs, training=training, mask=mask)

    assert route_fast_kernels(OwnCall()) == 0


@needs_torch
def test_routing_is_idempotent_and_keeps_the_config(tmp_path):
    plain, routed = twin_models()
    config = routed.get_config()
    route_fast_kernels(routed)
    assert route_fast_kernels(routed) == 0
    assert routed.get_config() == config
    path = tmp_path / "routed.keras"
    routed.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.get_layer("b1")) is keras.layers.BatchNormalization
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(images(), training=False)),
        keras.ops.convert_to_numpy(plain(images(), training=False)),
        rtol=1e-5, atol=1e-5,
    )


@needs_torch
def test_masked_batch_norm_falls_back_to_keras():
    keras.utils.set_random_seed(1)
    plain = keras.layers.BatchNormalization()
    routed = keras.layers.BatchNormalization()
    route_fast_kernels(routed)
    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 0, 0, 1], [1, 0, 1, 1, 1]], bool)
    got = routed(x, training=True, mask=mask)
    want = plain(x, training=True, mask=mask)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(got), keras.ops.convert_to_numpy(want), atol=1e-6
    )


def _jax_on_cpu():
    if keras.config.backend() != "jax":
        return False
    import jax

    return jax.default_backend() == "cpu"


def test_ssl_model_routes_its_layers_on_torch_and_jax_only():
    keras.utils.set_random_seed(0)
    model = methods.SimCLR(
        encoder=tiny_encoder(), augmenter=tiny_augmenter(),
        projection_hidden_dim=16, projection_dim=8,
    )
    model.compile(optimizer="sgd")
    x = np.random.default_rng(0).uniform(size=(8, 8, 8, 3)).astype("float32")
    model.fit(x, epochs=1, batch_size=8, verbose=0)
    routed = [
        layer for layer in model._flatten_layers(recursive=True)
        if {"call", "convolution_op"} & set(vars(layer))
    ]
    assert bool(routed) == (TORCH or _jax_on_cpu())
    assert route_fast_kernels(model) == 0
