"""RandomPatchMask: hide a random fraction of each image's patches (MSN)."""

import math

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.utils.validation import check_positive_int
from keras_ssl.utils.validation import check_unit_interval


@keras_ssl_export
class RandomPatchMask(keras.layers.Layer):
    """Sets a random fraction of each image's square patches to a fill value.

    Each image (b, h, w, c) is cut into a grid of `patch_size` x `patch_size`
    patches (the last row / column may be partial). Of its n patches, each
    image keeps `floor(n * (1 - mask_ratio))` (MSN's count) chosen at random,
    independently per image; every pixel of the other patches is set to
    `fill_value`. This is masking in pixel space, for any encoder: unlike
    MSN's ViT, which drops the masked patch tokens, a convolutional encoder
    still sees (and computes over) the filled patches.

    The layer masks whenever called (it is part of a method's objective, not
    an inference-time transform) and draws from its own seed generator, a
    model variable, so it runs in a compiled step on every backend. Random
    draws differ between backends for the same seed.

    Args:
        patch_size: int. Side of the square patches in pixels. Defaults to
            `16` (ViT-S/16).
        mask_ratio: float in [0, 1). Fraction of patches hidden. Defaults to
            `0.15` (MSN, ViT-S/16).
        fill_value: float. Value of hidden pixels. Defaults to `127.5`, the
            middle of the [0, 255] range of keras_ssl views.
        seed: int or `None`. Defaults to `None`.

    Example:
    ```python
    mask = keras_ssl.layers.RandomPatchMask(patch_size=4, mask_ratio=0.3, seed=0)
    masked = mask(images)  # (b, 32, 32, 3): 19 of 64 patches grey per image
    ```

    Reference:
        Assran et al., Masked Siamese Networks for Label-Efficient Learning,
        2022. https://arxiv.org/abs/2204.07141
    """

    def __init__(
        self, patch_size=16, mask_ratio=0.15, fill_value=127.5, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.patch_size = check_positive_int("patch_size", patch_size)
        self.mask_ratio = check_unit_interval(
            "mask_ratio", mask_ratio, closed_right=False
        )
        if isinstance(fill_value, bool) or not isinstance(fill_value, (int, float)):
            raise TypeError(
                f"`fill_value` must be a number. Received: fill_value={fill_value!r}."
            )
        self.fill_value = float(fill_value)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def num_masked(self, height, width):
        """Patches hidden per image of `height` x `width` pixels."""
        count = math.ceil(height / self.patch_size) * math.ceil(width / self.patch_size)
        return count - math.floor(count * (1.0 - self.mask_ratio))

    def patch_mask(self, batch_size, height, width):
        """Boolean (b, h, w): True on the pixels of hidden patches."""
        rows = math.ceil(height / self.patch_size)
        cols = math.ceil(width / self.patch_size)
        noise = keras.random.uniform((batch_size, rows * cols), seed=self.seed_generator)
        # Each patch's rank in its image's noise: the lowest ones are hidden.
        ranks = ops.argsort(ops.argsort(noise, axis=1), axis=1)
        hidden = ops.reshape(ranks < self.num_masked(height, width), (-1, rows, cols))
        pixels = ops.repeat(ops.repeat(hidden, self.patch_size, axis=1), self.patch_size, axis=2)
        return pixels[:, :height, :width]

    def call(self, images):
        if len(images.shape) != 4:
            raise ValueError(
                "`images` must have shape (batch, height, width, channels). "
                f"Received: images.shape={tuple(images.shape)}."
            )
        if self.mask_ratio == 0.0:
            return images
        height, width = images.shape[1], images.shape[2]
        mask = self.patch_mask(ops.shape(images)[0], height, width)
        fill = ops.cast(self.fill_value, images.dtype)
        return ops.where(ops.expand_dims(mask, -1), fill, images)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "patch_size": self.patch_size,
            "mask_ratio": self.mask_ratio,
            "fill_value": self.fill_value,
            "seed": self.seed,
        }
