"""Inception-style random resized crop, a different crop for every image."""

import math

from keras.random import SeedGenerator

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.augmentations._utils import BaseImagePreprocessingLayer
from keras_ssl.augmentations._utils import batch_size
from keras_ssl.augmentations._utils import spatial_axes

# Candidate boxes drawn per image before falling back to a centre crop, as in
# the Inception / torchvision sampler.
_MAX_ATTEMPTS = 10
_INTERPOLATIONS = ("bilinear", "nearest")


def _validate_range(value, name, low_bound, high_bound):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(
            f"`{name}` must be a pair (min, max). Received: {name}={value!r}"
        )
    low, high = float(value[0]), float(value[1])
    if not (low_bound < low <= high <= high_bound):
        raise ValueError(
            f"`{name}` must satisfy {low_bound} < min <= max <= {high_bound}. "
            f"Received: {name}={value!r}"
        )
    return (low, high)


def _validate_size(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"`{name}` must be a positive integer. Received: {name}={value!r}"
        )
    return value


@keras_ssl_export
class RandomResizedCrop(BaseImagePreprocessingLayer):
    """Crops a random box from every image and resizes it to a fixed size.

    For each image independently, a box is sampled whose area is a fraction
    `scale` of the image area and whose aspect ratio (width / height) is
    log-uniform in `ratio`; the box is placed uniformly at random inside the
    image and resized to `(height, width)`. Up to 10 candidate boxes are drawn
    per image and the first that fits is used; if none fits, the largest
    centred box with an aspect ratio clamped to `ratio` is used. This is the
    Inception-style crop of Szegedy et al. used by SimCLR, MoCo and BYOL.

    Boxes have sub-pixel coordinates; the resize samples pixel centres with
    separable bilinear (or nearest) interpolation written as two batched
    matrix products, so every image gets its own box on every backend, inside
    a jitted JAX function, a `tf.function`, torch eager and a `tf.data`
    pipeline. With `scale=(1, 1)` and `ratio=(1, 1)` on a square image of the
    output size the layer is exactly the identity.

    At inference (`training=False`) the layer takes the largest centred box
    with the aspect ratio of the output and resizes it to `(height, width)`,
    i.e. a plain resize when input and output have the same aspect ratio.

    Pixel values may be of any range and dtype; the output is in the layer's
    compute dtype (float32 by default) and, as interpolation only averages
    neighbouring pixels, stays within the input's range.

    Args:
        height: int. Height of the output images.
        width: int. Width of the output images.
        scale: tuple of two floats. Range of the crop area as a fraction of
            the image area, each in (0, 1]. Defaults to `(0.08, 1.0)`.
        ratio: tuple of two floats. Range of the crop aspect ratio
            (width / height), sampled log-uniformly. Defaults to
            `(3 / 4, 4 / 3)`.
        interpolation: str. `"bilinear"` or `"nearest"`. Defaults to
            `"bilinear"`.
        antialias: bool. Whether to widen the bilinear filter when a box is
            shrunk (a triangle filter as in PIL and `tf.image.resize`), which
            avoids aliasing for boxes larger than the output. Defaults to
            `False`, like `keras.layers.Resizing`.
        seed: int or `None`. Seed of the layer's random stream. Defaults to
            `None`.
        data_format: str or `None`. `"channels_last"` or `"channels_first"`.
            Defaults to `keras.config.image_data_format()`.

    Example:

    ```python
    images = np.random.uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    crop = keras_ssl.augmentations.RandomResizedCrop(32, 32, seed=0)
    views = crop(images, training=True)  # (8, 32, 32, 3), one box per image
    ```

    Reference:
    - [Szegedy et al., 2014](https://arxiv.org/abs/1409.4842)
    - [Chen et al., 2020 (SimCLR)](https://arxiv.org/abs/2002.05709)
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        height,
        width,
        scale=(0.08, 1.0),
        ratio=(3.0 / 4.0, 4.0 / 3.0),
        interpolation="bilinear",
        antialias=False,
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.height = _validate_size(height, "height")
        self.width = _validate_size(width, "width")
        self.scale = _validate_range(scale, "scale", 0.0, 1.0)
        self.ratio = _validate_range(ratio, "ratio", 0.0, math.inf)
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(
                f"`interpolation` must be one of {_INTERPOLATIONS}. "
                f"Received: interpolation={interpolation!r}"
            )
        self.interpolation = interpolation
        self.antialias = bool(antialias)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.height_axis, self.width_axis = spatial_axes(self.data_format)
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True

    def get_random_transformation(self, data, training=True, seed=None):
        images = data["images"] if isinstance(data, dict) else data
        shape = self.backend.core.shape(images)
        in_h = self.backend.cast(shape[self.height_axis], "float32")
        in_w = self.backend.cast(shape[self.width_axis], "float32")
        n = batch_size(self.backend, images)
        if training:
            if seed is None:
                seed = self._get_seed_generator(self.backend._backend)
            boxes = self._random_boxes(n, in_h, in_w, seed)
        else:
            boxes = self._center_boxes(n, in_h, in_w)
        return {"boxes": boxes}

    def _random_boxes(self, n, in_h, in_w, seed):
        np_ = self.backend.numpy
        uniform = self.backend.random.uniform
        area = in_h * in_w * uniform(
            (n, _MAX_ATTEMPTS), self.scale[0], self.scale[1], seed=seed
        )
        log_ratio = uniform(
            (n, _MAX_ATTEMPTS),
            math.log(self.ratio[0]),
            math.log(self.ratio[1]),
            seed=seed,
        )
        aspect = np_.exp(log_ratio)
        crop_w = np_.sqrt(area * aspect)
        crop_h = np_.sqrt(area / aspect)
        fits = np_.logical_and(crop_w <= in_w, crop_h <= in_h)
        # One-hot of the first candidate that fits (all zero if none does).
        fits_int = self.backend.cast(fits, "int32")
        first = np_.logical_and(fits, np_.cumsum(fits_int, axis=1) == 1)
        first = self.backend.cast(first, "float32")
        found = np_.sum(first, axis=1) > 0.5
        fallback_h, fallback_w = self._fallback_size(in_h, in_w)
        crop_h = np_.where(found, np_.sum(crop_h * first, axis=1), fallback_h)
        crop_w = np_.where(found, np_.sum(crop_w * first, axis=1), fallback_w)
        position = uniform((n, 2), 0.0, 1.0, seed=seed)
        # The fallback box is centred, as in torchvision.
        position = np_.where(found[:, None], position, 0.5)
        top = position[:, 0] * (in_h - crop_h)
        left = position[:, 1] * (in_w - crop_w)
        return np_.stack([top, left, crop_h, crop_w], axis=1)

    def _fallback_size(self, in_h, in_w):
        np_ = self.backend.numpy
        in_ratio = in_w / in_h
        too_tall = in_ratio < self.ratio[0]
        too_wide = in_ratio > self.ratio[1]
        crop_h = np_.where(too_tall, in_w / self.ratio[0], in_h)
        crop_w = np_.where(too_wide, in_h * self.ratio[1], in_w)
        return crop_h, crop_w

    def _center_boxes(self, n, in_h, in_w):
        np_ = self.backend.numpy
        target = self.width / self.height
        wider = in_w / in_h > target
        crop_h = np_.where(wider, in_h, in_w / target)
        crop_w = np_.where(wider, in_h * target, in_w)
        box = np_.stack(
            [(in_h - crop_h) / 2.0, (in_w - crop_w) / 2.0, crop_h, crop_w]
        )
        return np_.zeros((n, 1), dtype="float32") + box[None, :]

    def transform_images(self, images, transformation, training=True):
        images = self.backend.cast(images, self.compute_dtype)
        if transformation is None:
            transformation = self.get_random_transformation(
                images, training=training
            )
        return self._crop_and_resize(
            images, transformation["boxes"], self.interpolation
        )

    def _crop_and_resize(self, images, boxes, interpolation):
        shape = self.backend.core.shape(images)
        rows = self._resampling_matrix(
            boxes[:, 0], boxes[:, 2], shape[self.height_axis], self.height,
            interpolation,
        )
        cols = self._resampling_matrix(
            boxes[:, 1], boxes[:, 3], shape[self.width_axis], self.width,
            interpolation,
        )
        rows = self.backend.cast(rows, images.dtype)
        cols = self.backend.cast(cols, images.dtype)
        einsum = self.backend.numpy.einsum
        if self.data_format == "channels_first":
            images = einsum("nyh,nchw->ncyw", rows, images)
            return einsum("nxw,ncyw->ncyx", cols, images)
        images = einsum("nyh,nhwc->nywc", rows, images)
        return einsum("nxw,nywc->nyxc", cols, images)

    def _resampling_matrix(self, start, length, in_size, out_size, method):
        """Weights `(n, out_size, in_size)` resampling one axis of each box.

        Output pixel `o` samples the input at the centre of its footprint,
        `start + (o + 0.5) * length / out_size - 0.5`, in pixel-index units,
        clamped to the first and last pixel centres of the box.
        """
        np_ = self.backend.numpy
        step = length / out_size
        out_pos = np_.arange(out_size, dtype="float32")
        source = start[:, None] + (out_pos[None, :] + 0.5) * step[:, None]
        # Stay on the centres of the pixels inside the box, so an integer
        # box gives exactly "crop, then resize" (edge pixels clamped).
        first = start[:, None]
        last = first + np_.maximum(length[:, None] - 1.0, 0.0)
        source = np_.minimum(np_.maximum(source - 0.5, first), last)
        in_pos = np_.arange(in_size, dtype="float32")
        if method == "nearest":
            in_max = self.backend.cast(in_size, "float32") - 1.0
            index = np_.clip(np_.floor(source + 0.5), 0.0, in_max)
            return self.backend.cast(
                np_.equal(index[:, :, None], in_pos[None, None, :]), "float32"
            )
        support = np_.ones_like(step)
        if self.antialias:
            support = np_.maximum(step, 1.0)
        distance = np_.abs(source[:, :, None] - in_pos[None, None, :])
        weights = np_.maximum(1.0 - distance / support[:, None, None], 0.0)
        # Normalising folds the weight of samples that fall half a pixel
        # outside the image onto the edge pixel (edge clamping).
        return weights / (np_.sum(weights, axis=-1, keepdims=True) + 1e-12)

    def transform_labels(self, labels, transformation, training=True):
        return labels

    def transform_segmentation_masks(
        self, segmentation_masks, transformation, training=True
    ):
        return self._crop_and_resize(
            segmentation_masks, transformation["boxes"], "nearest"
        )

    def transform_bounding_boxes(
        self, bounding_boxes, transformation, training=True
    ):
        raise TypeError(
            "RandomResizedCrop does not transform bounding boxes; it is an "
            "image augmentation for self-supervised learning."
        )

    def compute_output_shape(self, input_shape):
        output_shape = list(input_shape)
        output_shape[self.height_axis] = self.height
        output_shape[self.width_axis] = self.width
        return tuple(output_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "height": self.height,
                "width": self.width,
                "scale": self.scale,
                "ratio": self.ratio,
                "interpolation": self.interpolation,
                "antialias": self.antialias,
                "seed": self.seed,
            }
        )
        return config
