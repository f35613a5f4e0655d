"""The multi-crop view maker of SwAV: 2 global crops and N smaller local crops."""

from keras_ssl.augmentations.multi_crop import large_and_small_crops


def swav_augmentation(
    image_size=32,
    local_crop_size=None,
    num_local_crops=6,
    global_crop_scale=(0.14, 1.0),
    local_crop_scale=(0.05, 0.14),
    jitter_strength=1.0,
    blur=None,
    channels=3,
    value_range=(0, 255),
    seed=None,
):
    """Builds SwAV's multi-crop view maker.

    Returns `2 + num_local_crops` views: two global crops of `image_size`
    (area `global_crop_scale`) and `num_local_crops` local crops of
    `local_crop_size` (area `local_crop_scale`). Every view, as in SwAV's
    released code: horizontal flip, colour jitter of strength `s`
    (brightness, contrast, saturation `0.8 s`, hue `0.2 s`) with probability
    0.8, grayscale with probability 0.2, Gaussian blur with probability 0.5
    (on by default only above 64 pixels, as in the other presets). The
    paper: 2 x 224 + 6 x 96 crops, scales (0.14, 1) and (0.05, 0.14); the
    local crop size here scales 96/224 to `image_size`.

    Args:
        image_size: int. Side of the global crops. Defaults to `32`.
        local_crop_size: int or `None`. `None` scales the paper's 96/224.
            Defaults to `None`.
        num_local_crops: int >= 0. Defaults to `6`.
        global_crop_scale: tuple of two floats. Defaults to `(0.14, 1.0)`.
        local_crop_scale: tuple of two floats. Defaults to `(0.05, 0.14)`.
        jitter_strength: float. Colour distortion strength `s`. Defaults to
            `1.0`.
        blur: bool or `None`. Defaults to `None` (blur above 64 pixels).
        channels: int. 3 or 1. Defaults to `3`.
        value_range: tuple of two numbers. Defaults to `(0, 255)`.
        seed: int or `None`. Defaults to `None`.

    Returns:
        A `MultiView` returning a tuple of `2 + num_local_crops` views, the
        two global ones first.

    Example:

    ```python
    augmenter = keras_ssl.augmentations.swav_augmentation(32, num_local_crops=4)
    views = augmenter(images)  # 2 views (b, 32, 32, 3), 4 views (b, 14, 14, 3)
    ```

    Reference:
    - [Caron et al., 2020](https://arxiv.org/abs/2006.09882)
    """
    return large_and_small_crops(
        ("global", "local"),
        ("num_local_crops", num_local_crops),
        (image_size, local_crop_size),
        (global_crop_scale, local_crop_scale),
        jitter_strength,
        blur,
        channels,
        value_range,
        seed,
        "swav",
    )
