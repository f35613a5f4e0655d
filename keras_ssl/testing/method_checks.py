"""Tiny models, views and weights for fast, deterministic method tests."""

import numpy as np
import keras

from keras_ssl import augmentations
from keras_ssl import encoders


def tiny_encoder(image_shape=(8, 8, 3)):
    """A two-stage SmallCNN (8-d features) that builds and runs in a second."""
    return encoders.SmallCNN(image_shape=image_shape, widths=(4, 8), strides=(2, 2))


def tiny_augmenter(seed=1):
    """Two views by random horizontal flips: cheap, seeded, in-graph."""
    return augmentations.MultiView(
        keras.layers.RandomFlip("horizontal", seed=seed), num_views=2
    )


def weights_of(layer):
    """Copies of `layer`'s weights as numpy arrays, in `layer.weights` order."""
    return [np.array(keras.ops.convert_to_numpy(v)) for v in layer.weights]


def deterministic_weights(model, seed=0):
    """Sets every randomly initialised variable from a NumPy generator.

    Keras initialisers draw different numbers on each backend; constant
    variables (biases, BatchNorm statistics, counters) are already equal.
    Random ones are redrawn here with NumPy at a scale that depends on the
    shape only (1 / sqrt(fan-in)), so that the three backends compute from
    identical weights.
    """
    rng = np.random.default_rng(seed)
    for variable in model.variables:
        value = keras.ops.convert_to_numpy(variable)
        if value.size < 2 or np.all(value == value.flat[0]):
            continue
        if not np.issubdtype(value.dtype, np.floating):
            continue
        fan_in = int(np.prod(value.shape[:-1])) if value.ndim > 1 else 100
        scale = 1.0 / np.sqrt(fan_in)
        variable.assign(rng.normal(0.0, scale, value.shape).astype(value.dtype))
