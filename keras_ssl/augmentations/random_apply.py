"""Applies a wrapped augmentation to each image with a given probability."""

import keras
from keras.random import SeedGenerator

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.augmentations._utils import BaseImagePreprocessingLayer
from keras_ssl.augmentations._utils import batch_size
from keras_ssl.augmentations._utils import validate_probability


@keras_ssl_export
class RandomApply(BaseImagePreprocessingLayer):
    """Applies `layer` to each image independently with probability `rate`.

    The SSL papers apply colour jitter to a view with probability 0.8,
    Gaussian blur with 0.5, solarization with 0.2 and so on. This layer draws
    one Bernoulli(`rate`) decision per image and keeps, per image, either the
    output of `layer` or the untouched input. The wrapped layer is run on the
    whole batch (vectorised per-image selection), so the cost is that of
    `layer` whatever `rate` is, except for `rate=0` (layer skipped) and
    `rate=1` (layer output returned as is).

    `layer` must map a batch of images to a batch of the same shape; any
    Keras layer does, including `keras.layers.Pipeline` and Keras's own
    preprocessing layers. At inference (`training=False`) the input is
    returned unchanged. Keras 3 has no equivalent layer
    (`keras.layers.RandAugment` and `keras.layers.AugMix` pick among fixed
    policies).

    Args:
        layer: `keras.layers.Layer`. The augmentation to apply.
        rate: float. Probability, in [0, 1], that an image is augmented.
            Defaults to `0.5`.
        seed: int or `None`. Seed of the per-image decisions (the wrapped
            layer keeps its own seed). Defaults to `None`.
        data_format: str or `None`. `"channels_last"` or `"channels_first"`.
            Defaults to `keras.config.image_data_format()`.

    Example:

    ```python
    jitter = keras_ssl.augmentations.ColorJitter(0.4, 0.4, 0.4, 0.1, seed=1)
    maybe_jitter = keras_ssl.augmentations.RandomApply(jitter, rate=0.8, seed=2)
    images = np.random.uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    outputs = maybe_jitter(images, training=True)
    ```
    """

    _USE_BASE_FACTOR = False

    def __init__(self, layer, rate=0.5, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if not isinstance(layer, keras.layers.Layer):
            raise TypeError(
                "`layer` must be a keras.layers.Layer instance. "
                f"Received: layer={layer!r} of type {type(layer).__name__}"
            )
        self.layer = layer
        self.rate = validate_probability(rate, "rate")
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True

    def build(self, input_shape):
        # Augmentation layers hold no weights; they build on their first
        # call. Building a keras.layers.Pipeline explicitly only warns.
        self.built = True

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        if seed is None:
            seed = self._get_seed_generator(self.backend._backend)
        draws = self.backend.random.uniform(
            (batch_size(self.backend, images),), 0.0, 1.0, seed=seed
        )
        return {"apply": draws < self.rate}

    def transform_images(self, images, transformation, training=True):
        images = self.backend.cast(images, self.compute_dtype)
        if not training or transformation is None or self.rate == 0.0:
            return images
        augmented = self.backend.cast(
            self.layer(images, training=True), self.compute_dtype
        )
        if self.rate == 1.0:
            return augmented
        apply = self.backend.numpy.reshape(
            transformation["apply"], (-1, 1, 1, 1)
        )
        return self.backend.numpy.where(apply, augmented, images)

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def transform_segmentation_masks(
        self, segmentation_masks, transformation, training=True
    ):
        raise TypeError(
            "RandomApply transforms images only, not segmentation masks."
        )

    def transform_bounding_boxes(
        self, bounding_boxes, transformation, training=True
    ):
        raise TypeError(
            "RandomApply transforms images only, not bounding boxes."
        )

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "layer": keras.saving.serialize_keras_object(self.layer),
                "rate": self.rate,
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = keras.saving.deserialize_keras_object(config["layer"])
        return cls(**config)
