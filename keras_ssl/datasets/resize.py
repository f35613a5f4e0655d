"""Image-size checks and uint8 resizing shared by the loaders."""

import numpy as np


def standardize_image_size(image_size, allow_none=True):
    """Returns `image_size` as a `(height, width)` tuple of ints, or None."""
    if image_size is None and allow_none:
        return None
    if isinstance(image_size, (int, np.integer)) and not isinstance(image_size, bool):
        image_size = (image_size, image_size)
    valid = (
        isinstance(image_size, (tuple, list))
        and len(image_size) == 2
        and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0
            for s in image_size
        )
    )
    if not valid:
        expected = "a positive int or a (height, width) pair of positive ints"
        if allow_none:
            expected += ", or None"
        raise ValueError(f"`image_size` must be {expected}, got image_size={image_size!r}.")
    return (int(image_size[0]), int(image_size[1]))


def resize_uint8(images, image_size):
    """Resizes a uint8 NHWC or HWC array (or tensor) with antialiased bilinear.

    Returns a uint8 tensor-like of the same rank; images already at
    `image_size` are returned unchanged so no rounding error is added.
    """
    import tensorflow as tf

    if tuple(images.shape[-3:-1]) == tuple(image_size):
        return images
    resized = tf.image.resize(tf.cast(images, "float32"), image_size, antialias=True)
    return tf.cast(tf.clip_by_value(tf.round(resized), 0.0, 255.0), "uint8")
