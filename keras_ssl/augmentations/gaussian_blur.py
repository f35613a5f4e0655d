"""Gaussian blur with a random standard deviation drawn per image."""

from keras.random import SeedGenerator

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.augmentations._utils import BaseImagePreprocessingLayer
from keras_ssl.augmentations._utils import batch_size
from keras_ssl.augmentations._utils import spatial_axes


def _validate_kernel_size(kernel_size):
    if (
        isinstance(kernel_size, bool)
        or not isinstance(kernel_size, int)
        or kernel_size < 1
        or kernel_size % 2 == 0
    ):
        raise ValueError(
            "`kernel_size` must be a positive odd integer. "
            f"Received: kernel_size={kernel_size!r}"
        )
    return kernel_size


def _validate_sigma(sigma):
    if isinstance(sigma, (int, float)) and not isinstance(sigma, bool):
        sigma = (sigma, sigma)
    if not isinstance(sigma, (tuple, list)) or len(sigma) != 2:
        raise ValueError(
            "`sigma` must be a positive float or a pair (min, max). "
            f"Received: sigma={sigma!r}"
        )
    low, high = float(sigma[0]), float(sigma[1])
    if not 0.0 < low <= high:
        raise ValueError(
            f"`sigma` must satisfy 0 < min <= max. Received: sigma={sigma!r}"
        )
    return (low, high)


def kernel_size_for(image_size, fraction=0.1):
    """Odd kernel size closest to `fraction` of `image_size` (at least 3).

    SimCLR blurs with a kernel of 10% of the image side: 23 for 224 pixels.
    """
    size = 2 * int(round((fraction * image_size - 1) / 2)) + 1
    return max(size, 3)


def _slice(tensor, axis, start, stop):
    index = [slice(None)] * 4
    index[axis] = slice(start, stop)
    return tensor[tuple(index)]


@keras_ssl_export
class GaussianBlur(BaseImagePreprocessingLayer):
    """Blurs each image with an isotropic Gaussian of random width.

    For each image a standard deviation is drawn uniformly from `sigma` and
    the image is filtered with a separable `kernel_size` x `kernel_size`
    Gaussian, with reflected borders. Every image is blurred; wrap the layer
    in `RandomApply` to blur with a probability, as the papers do.

    Keras's `keras.layers.RandomGaussianBlur` is not used because it draws
    one (anisotropic) standard deviation for the whole batch and pads with
    zeros, which darkens a frame around every blurred image.

    The blur is a weighted average of neighbouring pixels, so the output
    stays within the input's value range.

    Args:
        kernel_size: int. Odd side length of the kernel. SimCLR uses 10% of
            the image side (see `kernel_size_for`).
        sigma: float or tuple of two floats. Range of the standard deviation
            in pixels. Defaults to `(0.1, 2.0)`.
        seed: int or `None`. Seed of the layer's random stream. Defaults to
            `None`.
        data_format: str or `None`. `"channels_last"` or `"channels_first"`.
            Defaults to `keras.config.image_data_format()`.

    Example:

    ```python
    blur = keras_ssl.augmentations.GaussianBlur(kernel_size=23, seed=0)
    images = np.random.uniform(0, 255, (4, 224, 224, 3)).astype("float32")
    blurred = blur(images, training=True)
    ```

    Reference:
    - [Chen et al., 2020 (SimCLR)](https://arxiv.org/abs/2002.05709)
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        kernel_size,
        sigma=(0.1, 2.0),
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.kernel_size = _validate_kernel_size(kernel_size)
        self.sigma = _validate_sigma(sigma)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        if seed is None:
            seed = self._get_seed_generator(self.backend._backend)
        sigma = self.backend.random.uniform(
            (batch_size(self.backend, images),),
            self.sigma[0],
            self.sigma[1],
            seed=seed,
        )
        return {"sigma": sigma}

    def transform_images(self, images, transformation, training=True):
        images = self.backend.cast(images, self.compute_dtype)
        if not training or transformation is None or self.kernel_size == 1:
            return images
        weights = self._kernels(transformation["sigma"], images.dtype)
        for axis in spatial_axes(self.data_format):
            images = self._filter_axis(images, weights, axis + 4)
        return images

    def _kernels(self, sigma, dtype):
        """Normalised 1-D Gaussian taps, shape `(n, kernel_size)`."""
        np_ = self.backend.numpy
        radius = self.kernel_size // 2
        taps = np_.arange(-radius, radius + 1, dtype="float32")
        sigma = self.backend.cast(sigma, "float32")[:, None]
        weights = np_.exp(-0.5 * np_.square(taps[None, :] / sigma))
        weights = weights / np_.sum(weights, axis=1, keepdims=True)
        return self.backend.cast(weights, dtype)

    def _filter_axis(self, images, weights, axis):
        length = self.backend.core.shape(images)[axis]
        padded = self._reflect_pad(images, axis, length)
        result = None
        for tap in range(self.kernel_size):
            shifted = _slice(padded, axis, tap, tap + length)
            term = self.backend.numpy.reshape(weights[:, tap], (-1, 1, 1, 1))
            term = term * shifted
            result = term if result is None else result + term
        return result

    def _reflect_pad(self, images, axis, length):
        """Mirrors `kernel_size // 2` pixels at both ends (edge not repeated).

        Built from slices and flips rather than a gather, which is several
        times slower on CPU.
        """
        radius = self.kernel_size // 2
        if isinstance(length, int) and radius >= length:
            raise ValueError(
                f"`kernel_size` ({self.kernel_size}) must be smaller than "
                f"twice the image side ({length})."
            )
        np_ = self.backend.numpy
        before = np_.flip(_slice(images, axis, 1, radius + 1), axis=axis)
        after = np_.flip(
            _slice(images, axis, length - radius - 1, length - 1), axis=axis
        )
        return np_.concatenate([before, images, after], axis=axis)

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
            {
                "kernel_size": self.kernel_size,
                "sigma": self.sigma,
                "seed": self.seed,
            }
        )
        return config
