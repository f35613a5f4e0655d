"""SyncBatchNormalization on one device, and swapping BatchNorm layers.

Its statistics over several replicas are checked through every method in
tests/distributed/test_distributed.py.
"""

import numpy as np
import keras
import pytest

from keras_ssl import layers
from keras_ssl import methods
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder
from keras_ssl.testing import weights_of

X = np.random.default_rng(0).normal(2.0, 3.0, size=(6, 5, 4)).astype("float32")


def test_one_device_equals_batch_normalization_in_training_and_inference():
    plain = keras.layers.BatchNormalization(momentum=0.5)
    synced = layers.SyncBatchNormalization(momentum=0.5)
    for training in (True, True, False):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(synced(X, training=training)),
            keras.ops.convert_to_numpy(plain(X, training=training)),
        )
    for a, b in zip(weights_of(synced), weights_of(plain)):
        np.testing.assert_array_equal(a, b)


def test_round_trips_through_its_config():
    layer = layers.SyncBatchNormalization(momentum=0.9, epsilon=1e-3, center=False)
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(layer)
    )
    assert type(restored) is layers.SyncBatchNormalization
    assert restored.get_config() == layer.get_config()


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def _norm_types(model):
    return [
        type(layer)
        for layer in model._flatten_layers()
        if isinstance(layer, keras.layers.BatchNormalization)
    ]


def test_synchronize_batch_norm_swaps_nested_layers_and_keeps_weights():
    inner = tiny_encoder()
    inputs = keras.Input((8, 8, 3))
    outer = keras.Model(inputs, keras.layers.BatchNormalization()(inner(inputs)))
    outer(np.ones((4, 8, 8, 3), "float32"), training=True)  # moves statistics
    synced = layers.synchronize_batch_norm(outer)
    assert _norm_types(synced) == [layers.SyncBatchNormalization] * 3
    images = np.random.default_rng(1).uniform(0, 255, (4, 8, 8, 3)).astype("float32")
    expected = keras.ops.convert_to_numpy(outer(images))
    np.testing.assert_allclose(_numpy(synced(images)), expected, atol=1e-6)
    plain = layers.synchronize_batch_norm(synced, synchronized=False)
    assert _norm_types(plain) == [keras.layers.BatchNormalization] * 3
    np.testing.assert_allclose(_numpy(plain(images)), expected, atol=1e-6)


def test_synchronize_batch_norm_refuses_subclassed_models():
    class Subclassed(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(TypeError, match="functional or Sequential"):
        layers.synchronize_batch_norm(Subclassed())


def test_ssl_model_option_synchronizes_encoder_and_target_and_saves(tmp_path):
    model = methods.BYOL(
        tiny_encoder(),
        augmenter=tiny_augmenter(),
        projection_hidden_dim=16,
        projection_dim=8,
        sync_batch_norm=True,
    )
    for part in (model.encoder, model.target_encoder, model.projection_head):
        assert set(_norm_types(part)) == {layers.SyncBatchNormalization}
    model.compile(optimizer="sgd")
    images = np.random.default_rng(0).uniform(0, 255, (8, 8, 8, 3))
    model.fit(images, batch_size=8, verbose=0)
    path = str(tmp_path / "byol.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.sync_batch_norm is True
    assert set(_norm_types(loaded.encoder)) == {layers.SyncBatchNormalization}
    for a, b in zip(weights_of(loaded), weights_of(model)):
        np.testing.assert_array_equal(a, b)
