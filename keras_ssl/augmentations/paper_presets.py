"""View makers of the SimCLR, MoCo v2 and BYOL papers.

Every preset returns a `MultiView` of `keras.layers.Pipeline`s. Inputs are
images with pixel values in `value_range`, `(0, 255)` by default (float, or
uint8 which is cast to float32); outputs are float32 in the same range.
"""

import keras

from keras_ssl.augmentations._utils import seed_offset
from keras_ssl.augmentations._utils import validate_value_range
from keras_ssl.augmentations.color_jitter import ColorJitter
from keras_ssl.augmentations.gaussian_blur import GaussianBlur
from keras_ssl.augmentations.gaussian_blur import kernel_size_for
from keras_ssl.augmentations.multi_view import MultiView
from keras_ssl.augmentations.random_apply import RandomApply
from keras_ssl.augmentations.random_resized_crop import RandomResizedCrop
from keras_ssl.augmentations.solarize import Solarize

# Images up to this side are treated like CIFAR: the papers' CIFAR setups
# drop Gaussian blur, which destroys most of a 32-pixel image.
SMALL_IMAGE_SIZE = 64
_BLUR_SIGMA = (0.1, 2.0)


def _validate_common(image_size, channels, value_range):
    if (
        isinstance(image_size, bool)
        or not isinstance(image_size, int)
        or image_size < 1
    ):
        raise ValueError(
            "`image_size` must be a positive integer. "
            f"Received: image_size={image_size!r}"
        )
    if channels not in (1, 3):
        raise ValueError(
            f"`channels` must be 1 or 3. Received: channels={channels!r}"
        )
    return validate_value_range(value_range)


def _resolve_blur(blur, image_size):
    if blur is None:
        return image_size > SMALL_IMAGE_SIZE
    return bool(blur)


class _ViewBuilder:
    """Assembles one view's layers, giving each layer its own seed."""

    def __init__(self, image_size, channels, value_range, seed, seed_base):
        self.image_size = image_size
        self.channels = channels
        self.value_range = value_range
        self.seed = seed
        self.layers = []
        self._next_seed = seed_base

    def _seed(self):
        self._next_seed += 1
        return seed_offset(self.seed, self._next_seed)

    def crop(self, scale):
        size = self.image_size
        self.layers.append(
            RandomResizedCrop(size, size, scale=scale, seed=self._seed())
        )

    def flip(self):
        self.layers.append(
            keras.layers.RandomFlip("horizontal", seed=self._seed())
        )

    def color(self, brightness, contrast, saturation, hue, rate, grey_rate):
        if self.channels == 1:
            # A grey image has no saturation or hue to jitter nor to remove.
            saturation, hue, grey_rate = 0.0, 0.0, 0.0
        jitter = ColorJitter(
            brightness,
            contrast,
            saturation,
            hue,
            value_range=self.value_range,
            seed=self._seed(),
        )
        self._maybe(jitter, rate)
        if grey_rate > 0:
            # keras.layers.RandomGrayscale leaves its seed out of get_config,
            # so a reloaded preset would draw other decisions; RandomApply
            # holds the seeded per-image decision instead.
            grey = keras.layers.RandomGrayscale(1.0, seed=self._seed())
            self.layers.append(RandomApply(grey, grey_rate, seed=self._seed()))

    def blur(self, rate):
        blur = GaussianBlur(
            kernel_size_for(self.image_size), _BLUR_SIGMA, seed=self._seed()
        )
        self._maybe(blur, rate)

    def solarize(self, rate):
        self._maybe(Solarize(0.5, value_range=self.value_range), rate)

    def _maybe(self, layer, rate):
        if rate >= 1.0:
            self.layers.append(layer)
        elif rate > 0.0:
            self.layers.append(RandomApply(layer, rate, seed=self._seed()))

    def build(self, name):
        return keras.layers.Pipeline(self.layers, name=name)


def simclr_augmentation(
    image_size=32,
    num_views=2,
    crop_scale=(0.08, 1.0),
    jitter_strength=1.0,
    blur=None,
    channels=3,
    value_range=(0, 255),
    seed=None,
):
    """Builds the SimCLR view maker: `num_views` views of one pipeline.

    Each view: random resized crop (area `crop_scale`, aspect ratio
    [3/4, 4/3]) to `image_size`, horizontal flip with probability 0.5,
    colour jitter of strength `s = jitter_strength` (brightness, contrast,
    saturation `0.8 s`, hue `0.2 s`, in random order) with probability 0.8,
    grayscale with probability 0.2, and Gaussian blur (kernel 10% of
    `image_size`, sigma in [0.1, 2.0]) with probability 0.5. Blur is on by
    default only for images larger than 64 pixels, as in the paper's CIFAR-10
    setup. With `channels=1` the colour jitter keeps brightness and contrast
    only and grayscale is dropped.

    Inputs are images in `value_range` (float, or uint8 cast to float32);
    outputs are float32 in the same range.

    Args:
        image_size: int. Side of the square output views. Defaults to `32`.
        num_views: int. Number of views. Defaults to `2`.
        crop_scale: tuple of two floats. Crop area range. Defaults to
            `(0.08, 1.0)`.
        jitter_strength: float. Colour distortion strength `s`. Defaults to
            `1.0` (the paper uses 0.5 for CIFAR-10).
        blur: bool or `None`. Whether to blur; `None` blurs images larger
            than 64 pixels. Defaults to `None`.
        channels: int. 3 (RGB) or 1 (grayscale images). Defaults to `3`.
        value_range: tuple of two numbers. Pixel value range of inputs and
            outputs. Defaults to `(0, 255)`.
        seed: int or `None`. Seed from which every layer's seed is derived.
            Defaults to `None`.

    Returns:
        A `MultiView` returning a tuple of `num_views` views.

    Example:

    ```python
    augmenter = keras_ssl.augmentations.simclr_augmentation(32, seed=0)
    images = np.random.randint(0, 256, (8, 32, 32, 3), dtype="uint8")
    view_a, view_b = augmenter(images)  # float32 in [0, 255]
    ```

    Reference:
    - [Chen et al., 2020](https://arxiv.org/abs/2002.05709)
    """
    value_range = _validate_common(image_size, channels, value_range)
    s = float(jitter_strength)
    view = _ViewBuilder(image_size, channels, value_range, seed, 0)
    view.crop(crop_scale)
    view.flip()
    view.color(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s, rate=0.8, grey_rate=0.2)
    if _resolve_blur(blur, image_size):
        view.blur(rate=0.5)
    return MultiView(view.build("simclr_view"), num_views=num_views)


def moco_v2_augmentation(
    image_size=32,
    num_views=2,
    crop_scale=(0.2, 1.0),
    blur=None,
    channels=3,
    value_range=(0, 255),
    seed=None,
):
    """Builds the MoCo v2 view maker: `num_views` views of one pipeline.

    Each view: random resized crop (area `crop_scale`) to `image_size`,
    horizontal flip, colour jitter (brightness, contrast, saturation 0.4,
    hue 0.1) with probability 0.8, grayscale with probability 0.2, and
    Gaussian blur (sigma in [0.1, 2.0], kernel 10% of `image_size`) with
    probability 0.5. Blur is on by default only for images larger than 64
    pixels, as in CIFAR setups. With `channels=1` the colour jitter keeps
    brightness and contrast only and grayscale is dropped.

    Inputs are images in `value_range` (float, or uint8 cast to float32);
    outputs are float32 in the same range.

    Args:
        image_size: int. Side of the square output views. Defaults to `32`.
        num_views: int. Number of views (query and key). Defaults to `2`.
        crop_scale: tuple of two floats. Crop area range. Defaults to
            `(0.2, 1.0)`.
        blur: bool or `None`. Whether to blur; `None` blurs images larger
            than 64 pixels. Defaults to `None`.
        channels: int. 3 (RGB) or 1 (grayscale images). Defaults to `3`.
        value_range: tuple of two numbers. Pixel value range of inputs and
            outputs. Defaults to `(0, 255)`.
        seed: int or `None`. Seed from which every layer's seed is derived.
            Defaults to `None`.

    Returns:
        A `MultiView` returning a tuple of `num_views` views.

    Example:

    ```python
    augmenter = keras_ssl.augmentations.moco_v2_augmentation(96, seed=0)
    images = np.random.uniform(0, 255, (8, 96, 96, 3)).astype("float32")
    query, key = augmenter(images)
    ```

    Reference:
    - [Chen et al., 2020](https://arxiv.org/abs/2003.04297)
    """
    value_range = _validate_common(image_size, channels, value_range)
    view = _ViewBuilder(image_size, channels, value_range, seed, 0)
    view.crop(crop_scale)
    # The paper flips last; flipping first gives the same distribution of
    # views (each step acts on one image, pixel-wise or on global
    # statistics) and avoids a TensorFlow XLA fusion that recomputes the
    # random-order jitter for the flip (two views of 256 images: about
    # 1050 ms instead of 10 ms).
    view.flip()
    view.color(0.4, 0.4, 0.4, 0.1, rate=0.8, grey_rate=0.2)
    if _resolve_blur(blur, image_size):
        view.blur(rate=0.5)
    return MultiView(view.build("moco_v2_view"), num_views=num_views)


def byol_augmentation(
    image_size=32,
    crop_scale=(0.08, 1.0),
    blur=None,
    channels=3,
    value_range=(0, 255),
    seed=None,
):
    """Builds the BYOL view maker: two views from asymmetric pipelines.

    Both views: random resized crop (area `crop_scale`) to `image_size`,
    horizontal flip, colour jitter (brightness 0.4, contrast 0.4, saturation
    0.2, hue 0.1, in random order) with probability 0.8, grayscale with
    probability 0.2. The first view is then always blurred and never
    solarized; the second is blurred with probability 0.1 and solarized
    (threshold 0.5 of the range) with probability 0.2. Blur (kernel 10% of
    `image_size`, sigma in [0.1, 2.0]) is on by default only for images
    larger than 64 pixels, as in CIFAR setups; solarization is kept. With
    `channels=1` the colour jitter keeps brightness and contrast only and
    grayscale is dropped.

    Inputs are images in `value_range` (float, or uint8 cast to float32);
    outputs are float32 in the same range.

    Args:
        image_size: int. Side of the square output views. Defaults to `32`.
        crop_scale: tuple of two floats. Crop area range. Defaults to
            `(0.08, 1.0)`.
        blur: bool or `None`. Whether to blur; `None` blurs images larger
            than 64 pixels. Defaults to `None`.
        channels: int. 3 (RGB) or 1 (grayscale images). Defaults to `3`.
        value_range: tuple of two numbers. Pixel value range of inputs and
            outputs. Defaults to `(0, 255)`.
        seed: int or `None`. Seed from which every layer's seed is derived.
            Defaults to `None`.

    Returns:
        A `MultiView` returning a tuple `(view_1, view_2)`.

    Example:

    ```python
    augmenter = keras_ssl.augmentations.byol_augmentation(32, seed=0)
    images = np.random.uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    view_1, view_2 = augmenter(images)
    ```

    Reference:
    - [Grill et al., 2020](https://arxiv.org/abs/2006.07733)
    """
    value_range = _validate_common(image_size, channels, value_range)
    use_blur = _resolve_blur(blur, image_size)
    views = []
    # (blur, solarize) probabilities of view 1 and view 2.
    rates = ((1.0, 0.0), (0.1, 0.2))
    for index, (blur_rate, solarize_rate) in enumerate(rates):
        view = _ViewBuilder(
            image_size, channels, value_range, seed, 100 * index
        )
        view.crop(crop_scale)
        view.flip()
        view.color(0.4, 0.4, 0.2, 0.1, rate=0.8, grey_rate=0.2)
        if use_blur:
            view.blur(rate=blur_rate)
        view.solarize(rate=solarize_rate)
        views.append(view.build(f"byol_view_{index + 1}"))
    return MultiView(views)
