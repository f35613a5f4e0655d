"""Momentum targets: frozen weights, but BatchNorm with batch statistics."""

import keras
import numpy as np

from keras_ssl import encoders
from keras_ssl.methods import BYOL
from keras_ssl.methods import MoCoV2
from keras_ssl.methods.momentum_target import momentum_copy
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder


def _images(n=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 255, (n, 8, 8, 3)).astype("float32")


def test_copy_has_equal_frozen_weights_in_the_same_order():
    online = encoders.SmallCNN(image_shape=(8, 8, 3), widths=(4, 8), strides=(2, 2))
    target = momentum_copy(online, "target")
    assert target.trainable_weights == []
    assert len(target.weights) == len(online.weights)
    for o, t in zip(online.weights, target.weights):
        assert o.path.split("/")[-1] == t.path.split("/")[-1]
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(o), keras.ops.convert_to_numpy(t))


def test_copy_normalises_with_batch_statistics_when_training():
    # Moving statistics start at mean 0 / variance 1: a target in inference
    # mode would not normalise its inputs at all.
    online = encoders.SmallCNN(image_shape=(8, 8, 3), widths=(4, 8), strides=(2, 2))
    target = momentum_copy(online, "target")
    x = _images()
    training = keras.ops.convert_to_numpy(target(x, training=True))
    online_training = keras.ops.convert_to_numpy(online(x, training=True))
    inference = keras.ops.convert_to_numpy(target(x, training=False))
    np.testing.assert_allclose(training, online_training, rtol=1e-5, atol=1e-5)
    assert not np.allclose(training, inference, atol=1e-2)


def _moving_means(layer):
    return [
        keras.ops.convert_to_numpy(v)
        for v in layer.weights
        if v.path.endswith("moving_mean")
    ]


def test_fit_updates_target_moving_statistics_and_not_target_by_gradient():
    for cls, kwargs in ((BYOL, {}), (MoCoV2, {"queue_size": 32})):
        model = cls(
            tiny_encoder(),
            augmenter=tiny_augmenter(),
            projection_hidden_dim=16,
            projection_dim=8,
            **kwargs,
        )
        model.compile(optimizer=keras.optimizers.SGD(0.1))
        before = _moving_means(model.target_encoder)
        trainable = {id(v) for v in model.trainable_variables}
        assert not {id(v) for v in model.target_encoder.weights} & trainable
        model.fit(_images(), batch_size=8, epochs=1, verbose=0)
        after = _moving_means(model.target_encoder)
        assert before and all(
            not np.allclose(b, a) for b, a in zip(before, after)
        ), cls.__name__
