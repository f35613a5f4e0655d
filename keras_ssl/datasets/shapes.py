"""The embedded `shapes` data set: ten shape classes drawn in-process."""

import numpy as np

from keras_ssl.datasets import shape_geometry

SHAPES_CLASS_NAMES = [fn.__name__ for fn in shape_geometry.SHAPE_FUNCTIONS]
SHAPES_IMAGE_SIZE = 32
SHAPES_SPLIT_SIZES = {"train": 5000, "test": 1000}
# Each split draws from its own random stream so train and test never share
# an image, whatever `num_examples` asks for.
_SPLIT_STREAMS = {"train": 0, "test": 1}
_SUPERSAMPLE = 2  # sub-pixels per axis, for anti-aliased edges
_CHUNK = 1000  # images drawn at once, to bound memory
_MIN_GAP = 0.25  # foreground/background intensity gap, so the shape shows
_NOISE = 0.04
_SCALE_RANGE = (6.0, 11.0)
_SATURATION_RANGE = (0.3, 0.6)  # colour offset from grey of `color=True`


def load_shapes(split="train", num_examples=None, seed=0, color=False):
    """Loads the embedded `shapes` data set, generated on the fly.

    Ten classes of upright flat shapes (see `SHAPES_CLASS_NAMES`) drawn at
    random position, scale and aspect ratio, with a random grey level on a
    random grey background (at least 0.25 of the range apart) plus pixel
    noise. Grey levels are drawn independently of the class, so the class is
    a shape cue and not a brightness cue: raw pixels are a poor kNN feature
    (about 30% with k=200, chance 10%) while a convolutional encoder learns
    the shapes (a supervised SmallCNN: about 90%). Nothing is downloaded; the
    same `split`, `num_examples` and `seed` give the same bytes.

    The images are grey (three equal channels) on purpose: with a random
    colour per image, two views of one image share a colour that colour
    jitter does not remove, and contrastive methods solve their
    instance-discrimination task by colour instead of shape (SimCLR reached
    kNN 14% after 10 epochs on such colours, 47% on grey levels). Rotations
    are left out for the same reason: no augmentation of the paper
    pipelines undoes them.

    `color=True` gives each shape a random hue (drawn independently of the
    class, as the grey levels) on the grey background, with the same labels
    as `color=False`: for methods that need colours to predict
    (Colorization), not for the contrastive methods above.

    Args:
        split: str. `"train"` (5000 images by default) or `"test"` (1000
            images by default). Defaults to `"train"`.
        num_examples: int or None. Number of images to draw; `None` uses the
            split's default size. Classes are balanced to within one image.
            Defaults to `None`.
        seed: int. Seed of the generator. Defaults to `0`.
        color: bool. Coloured shapes instead of grey ones. Defaults to
            `False`.

    Returns:
        A tuple `(images, labels)`: `images` is a uint8 array of shape
        `(num_examples, 32, 32, 3)` and `labels` an int32 array of shape
        `(num_examples,)` with values in `[0, 10)`, indexing
        `SHAPES_CLASS_NAMES`.

    Example:

    ```python
    images, labels = keras_ssl.datasets.load_shapes("train")
    print(images.shape, keras_ssl.datasets.SHAPES_CLASS_NAMES[labels[0]])
    ```
    """
    if split not in SHAPES_SPLIT_SIZES:
        raise ValueError(
            f"`split` must be one of {sorted(SHAPES_SPLIT_SIZES)}, got split={split!r}."
        )
    if num_examples is None:
        num_examples = SHAPES_SPLIT_SIZES[split]
    if isinstance(num_examples, bool) or not isinstance(num_examples, (int, np.integer)):
        raise TypeError(
            f"`num_examples` must be an int or None, got num_examples={num_examples!r}."
        )
    if num_examples < 0:
        raise ValueError(
            f"`num_examples` must be >= 0, got num_examples={num_examples}."
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative int, got seed={seed!r}.")
    rng = np.random.default_rng([int(seed), _SPLIT_STREAMS[split]])
    num_classes = len(SHAPES_CLASS_NAMES)
    labels = rng.permutation(np.arange(num_examples) % num_classes).astype("int32")
    images = np.empty((num_examples, SHAPES_IMAGE_SIZE, SHAPES_IMAGE_SIZE, 3), "uint8")
    for start in range(0, num_examples, _CHUNK):
        stop = min(start + _CHUNK, num_examples)
        images[start:stop] = _draw_images(labels[start:stop], rng, bool(color))
    return images, labels


def _draw_images(labels, rng, color=False):
    mask = _draw_masks(labels, rng)[..., None]
    foreground, background = _draw_grey_levels(len(labels), rng)
    foreground = foreground[:, None]
    if color:
        foreground = _tint(foreground, rng)
    image = mask * foreground[:, None, None, :]
    image += (1.0 - mask) * background[:, None, None, None]
    image += rng.normal(0.0, _NOISE, size=mask.shape)
    image = np.broadcast_to(image, image.shape[:3] + (3,))
    return np.round(np.clip(image, 0.0, 1.0) * 255.0).astype("uint8")


def _tint(grey, rng):
    """RGB colours of random hue whose channel mean is `grey` (n, 1) -> (n, 3)."""
    hue = rng.uniform(0.0, 6.0, size=(len(grey), 1))
    # The fully saturated colour of each hue: R, G, B ramps 120 degrees apart.
    offsets = np.array([0.0, 4.0, 2.0])
    pure = np.clip(np.abs((hue + offsets) % 6.0 - 3.0) - 1.0, 0.0, 1.0)
    saturation = rng.uniform(*_SATURATION_RANGE, size=(len(grey), 1))
    return np.clip(grey + saturation * (pure - pure.mean(1, keepdims=True)), 0.0, 1.0)


def _draw_masks(labels, rng):
    """Anti-aliased shape masks in [0, 1], shape (n, 32, 32)."""
    n = len(labels)
    size = SHAPES_IMAGE_SIZE
    scale = rng.uniform(*_SCALE_RANGE, size=n)  # pixels per local unit
    stretch = np.exp(rng.uniform(-0.2, 0.2, size=n))  # mild aspect-ratio change
    # Keep the centre far enough from the border that the shape stays mostly
    # visible.
    slack = np.maximum(size / 2 - scale * 1.05, 0.0)
    centre = size / 2 + rng.uniform(-1.0, 1.0, size=(n, 2)) * slack[:, None]

    sub = size * _SUPERSAMPLE
    grid = (np.arange(sub) + 0.5) / _SUPERSAMPLE
    dx = grid[None, None, :] - centre[:, 0, None, None]
    dy = grid[None, :, None] - centre[:, 1, None, None]
    dx, dy = np.broadcast_arrays(dx, dy)
    u = dx / (scale * stretch)[:, None, None]
    v = dy * (stretch / scale)[:, None, None]
    fine = np.zeros((n, sub, sub), dtype=bool)
    for label, shape_fn in enumerate(shape_geometry.SHAPE_FUNCTIONS):
        rows = labels == label
        if rows.any():
            fine[rows] = shape_fn(u[rows], v[rows])
    fine = fine.reshape(n, size, _SUPERSAMPLE, size, _SUPERSAMPLE)
    return fine.mean(axis=(2, 4))


def _draw_grey_levels(n, rng):
    """Foreground and background grey levels in [0, 1], `_MIN_GAP` apart."""
    foreground = rng.uniform(0.0, 1.0, size=n)
    background = rng.uniform(0.0, 1.0, size=n)
    # Redraw pairs that are too close; both levels are redrawn so their joint
    # law stays symmetric and class independent.
    close = np.abs(foreground - background) < _MIN_GAP
    while close.any():
        count = int(close.sum())
        foreground[close] = rng.uniform(0.0, 1.0, size=count)
        background[close] = rng.uniform(0.0, 1.0, size=count)
        close = np.abs(foreground - background) < _MIN_GAP
    return foreground, background
