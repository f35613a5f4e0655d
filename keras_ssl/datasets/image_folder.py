"""Loading a folder of image files into numpy arrays."""

import os

import numpy as np

from keras_ssl.datasets.resize import resize_uint8
from keras_ssl.datasets.resize import standardize_image_size

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
_LABEL_MODES = (True, False, None, "inferred")


def load_image_folder(path, image_size=(32, 32), labels="inferred"):
    """Loads every image of a folder into a uint8 array.

    A labelled folder holds one subfolder per class, named after the class
    (`path/cat/001.png`, `path/dog/xyz.jpg` ...); classes are indexed in
    sorted name order and image files directly under `path` are ignored. An
    unlabelled folder is read recursively. PNG, JPEG, BMP and GIF (first
    frame) files are decoded to RGB; other files are skipped.

    Args:
        path: str or path-like. The folder to read.
        image_size: int, `(height, width)` or None. Size every image is
            resized to (antialiased bilinear). `None` keeps the stored size,
            which must then be the same for every image. Defaults to
            `(32, 32)`.
        labels: bool, None or `"inferred"`. `True` reads class subfolders and
            fails when there are none; `False` or `None` reads every image as
            unlabelled; `"inferred"` reads class subfolders when `path` has
            subfolders and unlabelled images otherwise. Defaults to
            `"inferred"`.

    Returns:
        A tuple `(images, labels, class_names)`: `images` is a uint8 array of
        shape `(N, height, width, 3)`, in sorted file order; `labels` an int32
        array of shape `(N,)` and `class_names` a list of str, or both `None`
        when the folder is read unlabelled.

    Example:

    ```python
    images, labels, class_names = keras_ssl.datasets.load_image_folder(
        "flowers/train", image_size=(64, 64))
    ```
    """
    path = _check_folder(path)
    image_size = standardize_image_size(image_size)
    if not any(labels is mode for mode in _LABEL_MODES):
        raise ValueError(
            "`labels` must be True, False, None or 'inferred', "
            f"got labels={labels!r}."
        )
    class_names = _class_folders(path)
    if labels is True and not class_names:
        raise ValueError(
            f"`labels=True` needs one subfolder per class in path={path!r}, but it "
            "has no subfolders. Pass labels=False to read a flat folder unlabelled."
        )
    if labels is True or (labels == "inferred" and class_names):
        files, label_list = [], []
        for index, name in enumerate(class_names):
            class_files = _image_files(os.path.join(path, name))
            files.extend(class_files)
            label_list.extend([index] * len(class_files))
        label_array = np.asarray(label_list, dtype="int32")
    else:
        files, label_array, class_names = _image_files(path), None, None
    if not files:
        raise ValueError(
            f"No image files ({', '.join(IMAGE_EXTENSIONS)}) found in path={path!r}."
        )
    return _decode_all(files, image_size), label_array, class_names


def _check_folder(path):
    try:
        path = os.fspath(path)
    except TypeError:
        raise TypeError(
            f"`path` must be a str or path-like folder, got path={path!r}."
        ) from None
    if not os.path.exists(path):
        raise ValueError(f"`path` does not exist: path={path!r}.")
    if not os.path.isdir(path):
        raise ValueError(f"`path` must be a folder, got the file path={path!r}.")
    return path


def _class_folders(path):
    return sorted(
        entry.name
        for entry in os.scandir(path)
        if entry.is_dir() and not entry.name.startswith(".")
    )


def _image_files(folder):
    found = []
    for root, dirs, names in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(
            os.path.join(root, name)
            for name in sorted(names)
            if name.lower().endswith(IMAGE_EXTENSIONS) and not name.startswith(".")
        )
    return found


def _decode_all(files, image_size):
    images = [_decode(file, image_size) for file in files]
    if image_size is None:
        sizes = sorted({image.shape[:2] for image in images})
        if len(sizes) > 1:
            raise ValueError(
                f"Images have different sizes {sizes[:5]}; pass `image_size` to "
                "resize them to one size, got image_size=None."
            )
    return np.stack(images)


def _decode(file, image_size):
    import tensorflow as tf

    try:
        image = tf.io.decode_image(
            tf.io.read_file(file), channels=3, expand_animations=False
        )
    except (tf.errors.InvalidArgumentError, tf.errors.UnknownError) as error:
        raise ValueError(f"Cannot decode the image file {file!r}: {error.message}") from None
    if image_size is not None:
        image = resize_uint8(image, image_size)
    return np.asarray(image, dtype="uint8")
