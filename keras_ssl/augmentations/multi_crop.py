"""Shared builder of multi-crop view makers (DINO, SwAV, MSN presets)."""

from keras_ssl.augmentations.multi_view import MultiView
from keras_ssl.augmentations.paper_presets import _ViewBuilder
from keras_ssl.augmentations.paper_presets import _resolve_blur
from keras_ssl.augmentations.paper_presets import _validate_common
from keras_ssl.utils.validation import check_non_negative_int
from keras_ssl.utils.validation import check_positive_int

# The papers' 96-pixel local crops of 224-pixel images.
_LOCAL_TO_GLOBAL = 96 / 224


def default_local_crop_size(image_size):
    """Local crop side for global crops of `image_size` (96 at 224)."""
    return max(1, round(image_size * _LOCAL_TO_GLOBAL))


class CropSpec:
    """One view of a multi-crop preset: kind, size, crop area, blur, solarize."""

    def __init__(self, kind, size, scale, blur_rate, solarize_rate=0.0):
        self.kind = kind
        self.size = size
        self.scale = scale
        self.blur_rate = blur_rate
        self.solarize_rate = solarize_rate


def build_multi_crop(
    specs, jitter, blur, image_size, channels, value_range, seed, prefix
):
    """A `MultiView` of one pipeline per `CropSpec`.

    Every view: random resized crop, horizontal flip, colour jitter
    `jitter = (brightness, contrast, saturation, hue)` with probability 0.8,
    grayscale with probability 0.2, Gaussian blur (when `blur` allows it;
    `None` blurs images larger than 64 pixels) and solarization at the
    spec's rates. View i draws its seeds from `seed` offset by `100 * i`.
    """
    value_range = _validate_common(image_size, channels, value_range)
    for spec in specs:
        check_positive_int(f"{spec.kind}_crop_size", spec.size)
    use_blur = _resolve_blur(blur, image_size)
    views = []
    for index, spec in enumerate(specs):
        view = _ViewBuilder(spec.size, channels, value_range, seed, 100 * index)
        view.crop(spec.scale)
        view.flip()
        view.color(*jitter, rate=0.8, grey_rate=0.2)
        if use_blur:
            view.blur(rate=spec.blur_rate)
        view.solarize(rate=spec.solarize_rate)
        views.append(view.build(f"{prefix}_{spec.kind}_view_{index + 1}"))
    return MultiView(views)


def large_and_small_crops(
    kinds,
    counts,
    sizes,
    scales,
    jitter_strength,
    blur,
    channels,
    value_range,
    seed,
    prefix,
):
    """The SwAV / MSN shape: 2 large crops, then `counts[1]` small ones.

    `kinds`, `sizes` and `scales` give the (large, small) kind names, sides
    (a small side of `None` is `default_local_crop_size(sizes[0])`) and crop
    areas; `counts[0]` names the small-crop count argument for its error
    message. Every view: blur with probability 0.5 (where `blur` allows),
    no solarization, SimCLR colour jitter of strength `jitter_strength`.
    """
    count_name, num_small = counts
    check_non_negative_int(count_name, num_small)
    image_size, small_size = sizes
    if small_size is None:
        small_size = default_local_crop_size(image_size)
    s = float(jitter_strength)
    specs = [CropSpec(kinds[0], image_size, scales[0], 0.5)] * 2 + [
        CropSpec(kinds[1], small_size, scales[1], 0.5)
    ] * num_small
    return build_multi_crop(
        specs,
        (0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s),
        blur,
        image_size,
        channels,
        value_range,
        seed,
        prefix,
    )
