import keras
import numpy as np
import pytest

from keras_ssl.augmentations import ColorJitter
from keras_ssl.augmentations import RandomApply
from keras_ssl.augmentations import Solarize


def _run(layer, images, training=True):
    return keras.ops.convert_to_numpy(layer(images, training=training))


def test_rate_zero_is_identity(images):
    layer = RandomApply(ColorJitter(0.8, 0.8, 0.8, 0.2), rate=0.0)
    np.testing.assert_array_equal(_run(layer, images), images)


def test_rate_one_equals_the_layer(images):
    wrapped = RandomApply(ColorJitter(0.4, 0.4, 0.4, 0.1, seed=5), rate=1.0)
    alone = ColorJitter(0.4, 0.4, 0.4, 0.1, seed=5)
    np.testing.assert_allclose(_run(wrapped, images), _run(alone, images))


def test_applies_per_image_with_probability_rate():
    many = np.random.default_rng(0).uniform(0, 120, (400, 4, 4, 3))
    many = many.astype("float32") + 130.0  # every pixel gets inverted
    outputs = _run(RandomApply(Solarize(), rate=0.3, seed=0), many)
    applied = np.all(outputs != many, axis=(1, 2, 3))
    kept = np.all(outputs == many, axis=(1, 2, 3))
    assert np.all(applied | kept)
    assert 0.22 < applied.mean() < 0.38


def test_same_seed_same_decisions(images):
    a = _run(RandomApply(Solarize(), rate=0.5, seed=1), images)
    b = _run(RandomApply(Solarize(), rate=0.5, seed=1), images)
    np.testing.assert_array_equal(a, b)


def test_inference_is_identity(images):
    layer = RandomApply(Solarize(), rate=1.0)
    np.testing.assert_array_equal(_run(layer, images, training=False), images)


def test_wraps_keras_layers_and_pipelines(images):
    pipeline = keras.layers.Pipeline(
        [keras.layers.RandomGrayscale(1.0), keras.layers.RandomFlip(seed=0)]
    )
    outputs = _run(RandomApply(pipeline, rate=1.0), images)
    np.testing.assert_allclose(outputs[..., 0], outputs[..., 1], atol=1e-4)


def test_get_config_round_trip(images):
    layer = RandomApply(ColorJitter(0.4, 0.4, 0.4, 0.1, seed=2), 0.8, seed=3)
    config = layer.get_config()
    assert config["rate"] == 0.8 and config["seed"] == 3
    revived = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(layer)
    )
    assert isinstance(revived, RandomApply)
    assert isinstance(revived.layer, ColorJitter)
    assert revived.layer.get_config() == layer.layer.get_config()
    np.testing.assert_allclose(_run(revived, images), _run(layer, images))


def test_invalid_arguments():
    with pytest.raises(ValueError, match="rate"):
        RandomApply(Solarize(), rate=1.5)
    with pytest.raises(TypeError, match="rate"):
        RandomApply(Solarize(), rate="0.5")
    with pytest.raises(TypeError, match="layer"):
        RandomApply(lambda x: x, rate=0.5)


def test_compiled(images, compiled_call):
    layer = RandomApply(ColorJitter(0.4, 0.4, 0.4, 0.1, seed=0), 0.5, seed=1)
    outputs = compiled_call(layer, images)
    changed = np.any(outputs != images, axis=(1, 2, 3))
    assert 0 < changed.sum() < 8


def test_tf_data(images, tf_data_call):
    layer = RandomApply(ColorJitter(0.4, 0.4, 0.4, 0.1, seed=0), 0.5, seed=1)
    batches = tf_data_call(layer, images, 4)
    assert [batch.shape for batch in batches] == [(4, 32, 32, 3)] * 2
