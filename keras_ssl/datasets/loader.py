"""`load`: one entry point for every data source of keras_ssl."""

import os

import numpy as np

from keras_ssl.datasets.image_folder import load_image_folder
from keras_ssl.datasets.resize import resize_uint8
from keras_ssl.datasets.resize import standardize_image_size
from keras_ssl.datasets.shapes import load_shapes
from keras_ssl.datasets.tfds_loader import load_tfds

DEFAULT_DATASET = "shapes"


def load(name_or_path=DEFAULT_DATASET, split="train", image_size=None):
    """Loads images and labels from a named data set or a folder.

    `name_or_path` is resolved in this order:

    1. `"shapes"`: the embedded data set of `load_shapes` (no download);
    2. an existing folder: read with `load_image_folder`. When it holds a
       subfolder named `split` (`path/train/...`, `path/test/...`), that
       subfolder is read; otherwise the folder itself. Labels come from class
       subfolders when there are any, else they are `None`;
    3. anything else: a tensorflow-datasets name, read with `load_tfds`.

    Args:
        name_or_path: str or path-like. `"shapes"`, a folder, or a
            tensorflow-datasets name. Defaults to `"shapes"`.
        split: str. The split to read (`"train"`, `"test"`, or any
            tensorflow-datasets split). Defaults to `"train"`.
        image_size: int, `(height, width)` or None. Size the images are
            resized to. `None` keeps the native size (32x32 for `"shapes"`);
            folder images then must all have one size. Defaults to `None`.

    Returns:
        A tuple `(images, labels)`: a uint8 array of shape
        `(N, height, width, channels)` and an int32 array of shape `(N,)`, or
        `None` for unlabelled data.

    Example:

    ```python
    x_train, y_train = keras_ssl.datasets.load()  # the embedded "shapes" set
    x_test, y_test = keras_ssl.datasets.load("shapes", split="test")
    x_cifar, y_cifar = keras_ssl.datasets.load("cifar10", split="train")
    ```
    """
    image_size = standardize_image_size(image_size)
    if name_or_path == DEFAULT_DATASET:
        images, labels = load_shapes(split)
        if image_size is not None:
            images = resize_uint8(images, image_size)
        return _numpy_uint8(images), labels
    if isinstance(name_or_path, os.PathLike) or (
        isinstance(name_or_path, str) and os.path.isdir(name_or_path)
    ):
        return _load_folder(os.fspath(name_or_path), split, image_size)
    if not isinstance(name_or_path, str):
        raise TypeError(
            "`name_or_path` must be 'shapes', a folder path or a tensorflow-datasets "
            f"name, got name_or_path={name_or_path!r}."
        )
    return load_tfds(name_or_path, split=split, image_size=image_size)


def _load_folder(path, split, image_size):
    split_folder = os.path.join(path, split) if isinstance(split, str) else None
    if split_folder and os.path.isdir(split_folder):
        path = split_folder
    images, labels, _ = load_image_folder(path, image_size=image_size, labels="inferred")
    return images, labels


def _numpy_uint8(images):
    return np.asarray(images, dtype="uint8")
