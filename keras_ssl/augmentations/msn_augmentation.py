"""The view maker of MSN: 2 random views (target, anchor) and N focal views."""

from keras_ssl.augmentations.multi_crop import large_and_small_crops


def msn_augmentation(
    image_size=32,
    focal_crop_size=None,
    num_focal_crops=10,
    random_crop_scale=(0.3, 1.0),
    focal_crop_scale=(0.05, 0.3),
    jitter_strength=0.5,
    blur=None,
    channels=3,
    value_range=(0, 255),
    seed=None,
):
    """Builds MSN's view maker.

    Returns `2 + num_focal_crops` views: two random crops of `image_size`
    (area `random_crop_scale`; MSN's target view, then its anchor view,
    which the method masks) and `num_focal_crops` focal crops of
    `focal_crop_size` (area `focal_crop_scale`). Every view, as in MSN's
    released code: horizontal flip, colour jitter of strength `s`
    (brightness, contrast, saturation `0.8 s`, hue `0.2 s`) with probability
    0.8, grayscale with probability 0.2, Gaussian blur with probability 0.5
    (on by default only above 64 pixels, as in the other presets). The
    released ViT-S/16 setting: 224-pixel random views, 10 focal views of 96
    pixels (scaled here to `image_size`), jitter strength 0.5.

    Args:
        image_size: int. Side of the random crops. Defaults to `32`.
        focal_crop_size: int or `None`. `None` scales the paper's 96/224.
            Defaults to `None`.
        num_focal_crops: int >= 0. Defaults to `10`.
        random_crop_scale: tuple of two floats. Defaults to `(0.3, 1.0)`.
        focal_crop_scale: tuple of two floats. Defaults to `(0.05, 0.3)`.
        jitter_strength: float. Colour distortion strength `s`. Defaults to
            `0.5`.
        blur: bool or `None`. Defaults to `None` (blur above 64 pixels).
        channels: int. 3 or 1. Defaults to `3`.
        value_range: tuple of two numbers. Defaults to `(0, 255)`.
        seed: int or `None`. Defaults to `None`.

    Returns:
        A `MultiView` returning a tuple of `2 + num_focal_crops` views: the
        target view, the anchor view, then the focal views.

    Example:

    ```python
    augmenter = keras_ssl.augmentations.msn_augmentation(32, num_focal_crops=4)
    target, anchor, *focal = augmenter(images)  # focal: (b, 14, 14, 3)
    ```

    Reference:
    - [Assran et al., 2022](https://arxiv.org/abs/2204.07141)
    """
    return large_and_small_crops(
        ("random", "focal"),
        ("num_focal_crops", num_focal_crops),
        (image_size, focal_crop_size),
        (random_crop_scale, focal_crop_scale),
        jitter_strength,
        blur,
        channels,
        value_range,
        seed,
        "msn",
    )
