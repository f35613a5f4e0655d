"""Small helpers shared by the keras_ssl augmentation layers.

The layers run on `self.backend` (a Keras `DynamicBackend`) rather than
`keras.ops`, because inside a `tf.data` pipeline Keras switches that backend
to TensorFlow whatever `KERAS_BACKEND` says. Helpers here therefore take the
backend module as their first argument.
"""

# Keras's preprocessing layers import their base class from keras.src too; it
# is not exported under a public name in Keras 3.
from keras.src.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (  # noqa: E501
    BaseImagePreprocessingLayer,
)

__all__ = [
    "BaseImagePreprocessingLayer",
    "batch_size",
    "channel_axis",
    "seed_offset",
    "spatial_axes",
    "validate_probability",
    "validate_value_range",
]


def batch_size(backend, images):
    """Number of images in a rank-4 batch, 1 for a single rank-3 image."""
    shape = backend.core.shape(images)
    if len(shape) == 4:
        return shape[0]
    if len(shape) == 3:
        return 1
    raise ValueError(
        "Expected images of rank 3 (one image) or 4 (a batch). "
        f"Received: images.shape={shape}"
    )


def spatial_axes(data_format):
    """(height_axis, width_axis) counted from the end of the shape."""
    if data_format == "channels_first":
        return -2, -1
    return -3, -2


def channel_axis(data_format):
    return -3 if data_format == "channels_first" else -1


def validate_probability(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"`{name}` must be a float in [0, 1]. "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    if not 0.0 <= value <= 1.0:
        raise ValueError(
            f"`{name}` must be a float in [0, 1]. Received: {name}={value}"
        )
    return float(value)


def validate_value_range(value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(
            "`value_range` must be a pair (low, high), e.g. (0, 255). "
            f"Received: value_range={value_range!r}"
        )
    low, high = value_range
    if not low < high:
        raise ValueError(
            "`value_range` must satisfy low < high. "
            f"Received: value_range={value_range!r}"
        )
    return (low, high)


def seed_offset(seed, offset):
    """Derives a distinct integer seed per layer from one user seed.

    Layers built from the same seed draw identical random streams; a preset
    that gave every layer the same seed would, for instance, flip exactly the
    images it turns grey. `None` stays `None` (each layer picks its own seed).
    """
    if seed is None:
        return None
    return (int(seed) * 1_000_003 + offset) % (2**31 - 1)
