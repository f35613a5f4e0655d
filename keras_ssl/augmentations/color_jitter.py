"""Per-image colour jitter with torchvision semantics and random op order."""

from keras.random import SeedGenerator

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.augmentations._utils import BaseImagePreprocessingLayer
from keras_ssl.augmentations._utils import batch_size
from keras_ssl.augmentations._utils import channel_axis
from keras_ssl.augmentations._utils import validate_value_range
from keras_ssl.backend import image_ops

# ITU-R 601 luma weights, as in torchvision and keras.ops.image.
_LUMA = (0.2989, 0.587, 0.114)
_OPS = ("brightness", "contrast", "saturation", "hue")
# Phase of the red, green and blue channels in the HSV-to-RGB formula.
_HUE_OFFSETS = (5.0, 3.0, 1.0)


def _validate_strength(value, name, upper=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"`{name}` must be a non-negative float. "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    if value < 0 or (upper is not None and value > upper):
        bound = f"in [0, {upper}]" if upper is not None else ">= 0"
        raise ValueError(f"`{name}` must be {bound}. Received: {name}={value}")
    return float(value)


@keras_ssl_export
class ColorJitter(BaseImagePreprocessingLayer):
    """Randomly changes brightness, contrast, saturation and hue per image.

    The strengths follow `torchvision.transforms.ColorJitter`, the colour
    augmentation of SimCLR, MoCo v2 and BYOL: for each image a brightness,
    contrast and saturation factor is drawn uniformly from
    `[max(0, 1 - s), 1 + s]` for strength `s`, and a hue shift uniformly from
    `[-hue, hue]` (in turns of the colour wheel). Brightness scales the image,
    contrast blends it with the mean of its grey image, saturation blends it
    with its grey image, hue rotates the HSV hue. The result is clipped to
    `value_range` after every operation.

    With `random_order=True` (the default, as in torchvision and BYOL) each
    image gets its own order of the operations. Brightness, contrast and
    saturation are all blends, computed for the whole batch and kept per
    image; the costlier hue shift runs once, between the blends each image
    draws before it and those after (eager PyTorch, 256 images of 32x32:
    48 -> 38 ms against a hue shift at every stage).

    Keras's `keras.layers.RandomColorJitter` is not used because its
    saturation step lets the HSV saturation exceed 1 for factors above 1,
    which sends pixel values far outside `value_range`, and its strengths
    follow different conventions (additive brightness, saturation factors in
    [0, 1]).

    Images with one channel support brightness and contrast only (saturation
    and hue must be 0).

    Args:
        brightness: float. Brightness strength `s`, factor in
            `[max(0, 1 - s), 1 + s]`. Defaults to `0.0` (off).
        contrast: float. Contrast strength. Defaults to `0.0` (off).
        saturation: float. Saturation strength. Defaults to `0.0` (off).
        hue: float. Maximum hue shift, in [0, 0.5]. Defaults to `0.0` (off).
        random_order: bool. Whether each image applies the operations in its
            own random order. Defaults to `True`.
        value_range: tuple of two numbers. Range of the input pixel values,
            kept by the output. Defaults to `(0, 255)`.
        seed: int or `None`. Seed of the layer's random stream. Defaults to
            `None`.
        data_format: str or `None`. `"channels_last"` or `"channels_first"`.
            Defaults to `keras.config.image_data_format()`.

    Example:

    ```python
    jitter = keras_ssl.augmentations.ColorJitter(0.8, 0.8, 0.8, 0.2, seed=0)
    images = np.random.uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    outputs = jitter(images, training=True)  # float32 in [0, 255]
    ```

    Reference:
    - [Chen et al., 2020 (SimCLR)](https://arxiv.org/abs/2002.05709)
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        brightness=0.0,
        contrast=0.0,
        saturation=0.0,
        hue=0.0,
        random_order=True,
        value_range=(0, 255),
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.brightness = _validate_strength(brightness, "brightness")
        self.contrast = _validate_strength(contrast, "contrast")
        self.saturation = _validate_strength(saturation, "saturation")
        self.hue = _validate_strength(hue, "hue", upper=0.5)
        self.random_order = bool(random_order)
        self.value_range = validate_value_range(value_range)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True

    @property
    def _enabled_ops(self):
        return [name for name in _OPS if getattr(self, name) > 0.0]

    def _check_channels(self, images):
        channels = images.shape[channel_axis(self.data_format)]
        if channels not in (1, 3, None):
            raise ValueError(
                "ColorJitter expects images with 1 or 3 channels. "
                f"Received: images.shape={images.shape}"
            )
        if channels == 1 and (self.saturation > 0 or self.hue > 0):
            raise ValueError(
                "ColorJitter on 1-channel images supports brightness and "
                "contrast only; set saturation=0 and hue=0. Received: "
                f"saturation={self.saturation}, hue={self.hue}"
            )

    def get_random_transformation(self, data, training=True, seed=None):
        ops = self._enabled_ops
        if not training or not ops:
            return None
        images = data["images"] if isinstance(data, dict) else data
        n = batch_size(self.backend, images)
        if seed is None:
            seed = self._get_seed_generator(self.backend._backend)
        uniform = self.backend.random.uniform
        draws = uniform((n, len(ops)), 0.0, 1.0, seed=seed)
        factors = {}
        for i, name in enumerate(ops):
            low, high = self._factor_range(name)
            factors[name] = low + (high - low) * draws[:, i]
        transformation = {"factors": factors}
        if self.random_order and len(ops) > 1:
            keys = uniform((n, len(ops)), 0.0, 1.0, seed=seed)
            transformation["order"] = self.backend.numpy.argsort(keys, axis=1)
        return transformation

    def _factor_range(self, name):
        strength = getattr(self, name)
        if name == "hue":
            return -strength, strength
        return max(0.0, 1.0 - strength), 1.0 + strength

    def transform_images(self, images, transformation, training=True):
        images = self.backend.cast(images, self.compute_dtype)
        self._check_channels(images)
        if not training or transformation is None:
            return images
        low, high = self.value_range
        images = (images - low) / (high - low)
        order = transformation.get("order")
        factors = transformation["factors"]
        if order is not None and "hue" in self._enabled_ops:
            images = self._random_order_with_hue(images, factors, order)
        else:
            for stage in range(len(self._enabled_ops)):
                op_index = stage if order is None else order[:, stage]
                images = self._stage(images, factors, op_index)
        # torch promotes a few mixed-dtype steps to float32; the layer's
        # output keeps its compute dtype on every backend.
        return self.backend.cast(images * (high - low) + low, self.compute_dtype)

    def _random_order_with_hue(self, images, factors, order):
        """Each image's own order, with one hue shift for the whole batch.

        The hue shift costs several times a blend. Rather than shifting every
        image at every stage and keeping it where the image drew hue, each
        image runs its blends before its hue position (identity for the
        others), then all images shift hue once, then the blends after it:
        the same result per image, 2 (n - 1) blends and 1 hue shift instead
        of n of each.
        """
        np_ = self.backend.numpy
        hue_index = self._enabled_ops.index("hue")
        hue_position = np_.argmax(
            self.backend.cast(order == hue_index, "int32"), axis=1
        )
        num_blends = len(self._enabled_ops) - 1
        before = [j < hue_position for j in range(num_blends)]
        # Blend j of an image is its j-th operation other than hue.
        blend_ops = [
            np_.where(before[j], order[:, j], order[:, j + 1])
            for j in range(num_blends)
        ]
        after = [np_.logical_not(b) for b in before]
        images = self._masked_blends(images, factors, blend_ops, before)
        shift = self._per_image(factors["hue"], images.dtype)
        images = self._shift_hue(images, shift)
        return self._masked_blends(images, factors, blend_ops, after)

    def _masked_blends(self, images, factors, blend_ops, masks):
        """Blend j (per image) applied where `masks[j]`, in turn."""
        for op_index, mask in zip(blend_ops, masks):
            images = self._blend_stage(images, factors, op_index, mask)
        return images

    def _stage(self, images, factors, op_index):
        """Applies to each image the operation `op_index` (int or per image)."""
        if not isinstance(op_index, int):
            # A random order without hue: every operation is a blend.
            return self._blend_stage(images, factors, op_index)
        # Fixed order: exactly one operation at this stage.
        name = self._enabled_ops[op_index]
        factor = self._per_image(factors[name], images.dtype)
        if name == "hue":
            return self._shift_hue(images, factor)
        grey = self._grey(images) if name != "brightness" else None
        return self._blend(images, factor, self._target(name, grey))

    def _blend_stage(self, images, factors, op_index, active=None):
        """Each image's brightness, contrast or saturation, by `op_index`.

        All three blend the image with a target (black, its mean grey level,
        its grey image): one blend with a per-image target and factor serves
        whichever of them an image draws. Images where `active` is False get
        factor 1, which leaves them exactly as they are.
        """
        np_ = self.backend.numpy
        ops = self._enabled_ops
        op_index = np_.reshape(op_index, (-1, 1, 1, 1))
        # Typed starting values: two Python floats in `where` would give a
        # float32 tensor, which TensorFlow will not mix with bfloat16 images.
        factor = self.backend.cast(1.0, images.dtype)
        target = self.backend.cast(0.0, images.dtype)
        needs_grey = "contrast" in ops or "saturation" in ops
        grey = self._grey(images) if needs_grey else None
        for index, name in enumerate(ops):
            if name == "hue":
                continue
            chosen = op_index == index
            name_factor = self._per_image(factors[name], images.dtype)
            factor = np_.where(chosen, name_factor, factor)
            if name != "brightness":
                target = np_.where(chosen, self._target(name, grey), target)
        if active is not None:
            active = np_.reshape(active, (-1, 1, 1, 1))
            factor = np_.where(active, factor, self.backend.cast(1.0, images.dtype))
        return self._blend(images, factor, target)

    def _blend(self, images, factor, target):
        # images * f + target * (1 - f): the target term is computed on the
        # grey image (one channel) or per image, and f = 1 is the identity.
        result = images * factor + target * (1.0 - factor)
        return image_ops.clip(self.backend, result, 0.0, 1.0)

    def _target(self, name, grey):
        if name == "brightness":
            return 0.0
        if name == "contrast":
            # One mean grey level per image, as torchvision.
            return self.backend.numpy.mean(grey, axis=(1, 2, 3), keepdims=True)
        return grey

    def _per_image(self, values, dtype):
        values = self.backend.cast(values, dtype)
        return self.backend.numpy.reshape(values, (-1, 1, 1, 1))

    def _grey(self, images):
        axis = channel_axis(self.data_format)
        channels = self.backend.core.shape(images)[axis]
        if channels == 1:
            return images
        luma = self.backend.convert_to_tensor(_LUMA, dtype=images.dtype)
        if axis == -1:
            # A matmul over the channels: one pass, where multiply-then-sum
            # takes two (eager torch, 256 x 32 x 32 x 3: 370 vs 900 us).
            return self.backend.numpy.matmul(
                images, self.backend.numpy.reshape(luma, (3, 1))
            )
        luma = self.backend.numpy.reshape(luma, (1, 3, 1, 1))
        return self.backend.numpy.sum(images * luma, axis=axis, keepdims=True)

    def _shift_hue(self, images, shift):
        """Rotates the HSV hue by `shift` turns, keeping saturation and value.

        Written directly on RGB (hue from the max/min channels, then the
        closed-form HSV-to-RGB map) instead of a full RGB-HSV-RGB round trip,
        which is the costliest step of the jitter.
        """
        np_ = self.backend.numpy
        axis = channel_axis(self.data_format)
        red, green, blue = np_.split(images, 3, axis=axis)
        value = np_.max(images, axis=axis, keepdims=True)
        chroma = value - np_.min(images, axis=axis, keepdims=True)
        safe_chroma = np_.where(chroma > 0.0, chroma, 1.0)
        red_max, green_max = value == red, value == green
        numerator = np_.where(
            red_max, green - blue, np_.where(green_max, blue - red, red - green)
        )
        sector = self.backend.cast(
            np_.where(red_max, 0.0, np_.where(green_max, 2.0, 4.0)), images.dtype
        )
        # Hue in sixths of a turn, not yet wrapped.
        hue = numerator / safe_chroma + sector + 6.0 * shift
        # Closed-form HSV to RGB: channel c is value - chroma * ramp(k_c),
        # with k_c the hue plus the channel's phase, wrapped into [0, 6).
        offsets = np_.reshape(
            self.backend.convert_to_tensor(_HUE_OFFSETS, dtype=images.dtype),
            (1, 3, 1, 1) if axis == -3 else (1, 1, 1, 3),
        )
        turn = self.backend.cast(6.0, images.dtype)
        k = np_.mod(hue + offsets, turn)
        ramp = image_ops.clip(self.backend, np_.minimum(k, 4.0 - k), 0.0, 1.0)
        return image_ops.clip(self.backend, value - chroma * ramp, 0.0, 1.0)

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
                "brightness": self.brightness,
                "contrast": self.contrast,
                "saturation": self.saturation,
                "hue": self.hue,
                "random_order": self.random_order,
                "value_range": self.value_range,
                "seed": self.seed,
            }
        )
        return config
