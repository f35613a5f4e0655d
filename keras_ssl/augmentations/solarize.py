"""Solarization with a fixed threshold, as in BYOL."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.augmentations._utils import BaseImagePreprocessingLayer
from keras_ssl.augmentations._utils import validate_probability
from keras_ssl.augmentations._utils import validate_value_range


@keras_ssl_export
class Solarize(BaseImagePreprocessingLayer):
    """Inverts every pixel at or above a threshold.

    A pixel `x` in `value_range = (low, high)` becomes `low + high - x` when
    `x >= low + threshold * (high - low)` and is kept otherwise; BYOL uses
    `threshold=0.5`. Every image is solarized when `training=True`; wrap the
    layer in `RandomApply` to solarize with a probability. At inference the
    input is returned unchanged.

    Keras's `keras.layers.Solarization` is not used because it draws a random
    threshold per image and cannot express a fixed one.

    Args:
        threshold: float. Threshold as a fraction of `value_range`, in
            [0, 1]. Defaults to `0.5`.
        value_range: tuple of two numbers. Range of the input pixel values.
            Defaults to `(0, 255)`.
        data_format: str or `None`. `"channels_last"` or `"channels_first"`.
            Defaults to `keras.config.image_data_format()`.

    Example:

    ```python
    solarize = keras_ssl.augmentations.RandomApply(
        keras_ssl.augmentations.Solarize(0.5), rate=0.2, seed=0
    )
    images = np.random.uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    outputs = solarize(images, training=True)
    ```

    Reference:
    - [Grill et al., 2020 (BYOL)](https://arxiv.org/abs/2006.07733)
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self, threshold=0.5, value_range=(0, 255), data_format=None, **kwargs
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.threshold = validate_probability(threshold, "threshold")
        self.value_range = validate_value_range(value_range)

    def transform_images(self, images, transformation, training=True):
        images = self.backend.cast(images, self.compute_dtype)
        if not training:
            return images
        low, high = self.value_range
        cutoff = low + self.threshold * (high - low)
        return self.backend.numpy.where(
            images >= cutoff, (low + high) - images, images
        )

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def transform_segmentation_masks(
        self, segmentation_masks, transformation, training=True
    ):
        return segmentation_masks

    def transform_bounding_boxes(
        self, bounding_boxes, transformation, training=True
    ):
        return bounding_boxes

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {"threshold": self.threshold, "value_range": self.value_range}
        )
        return config
