"""image_ops.clip matches NumPy's clip on the Keras backend and in tf.data."""

import keras
import numpy as np
import tensorflow as tf

from keras_ssl.augmentations import ColorJitter
from keras_ssl.backend import image_ops

VALUES = np.array([[-1.5, 0.0, 0.25], [0.999, 1.0, 7.0]], "float32")


def test_clip_on_the_keras_backend_matches_numpy():
    layer = ColorJitter(brightness=0.5)
    clipped = image_ops.clip(
        layer.backend, keras.ops.convert_to_tensor(VALUES), 0.0, 1.0
    )
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(clipped), np.clip(VALUES, 0.0, 1.0)
    )


def test_clip_inside_tf_data_uses_tensorflow():
    layer = ColorJitter(brightness=0.5)

    def clip(x):
        layer.backend.set_backend("tensorflow")
        try:
            return image_ops.clip(layer.backend, x, 0.25, 0.5)
        finally:
            layer.backend.reset()

    dataset = tf.data.Dataset.from_tensors(VALUES).map(clip)
    (result,) = list(dataset.as_numpy_iterator())
    np.testing.assert_array_equal(result, np.clip(VALUES, 0.25, 0.5))
