"""Loading a tensorflow-datasets image data set into numpy arrays."""

import numpy as np

from keras_ssl.datasets.resize import resize_uint8
from keras_ssl.datasets.resize import standardize_image_size

_BATCH = 1024


def load_tfds(name, split="train", image_size=None, data_dir=None, download=True):
    """Loads an image data set of tensorflow-datasets into uint8 arrays.

    The data set must have an `"image"` feature; its `"label"` feature, when
    present, becomes the labels. The whole split is read into memory, so this
    suits small and medium data sets (CIFAR, STL-10, Imagenette at low
    resolution ...).

    Args:
        name: str. A tensorflow-datasets name, with an optional config and
            version (`"cifar10"`, `"imagenette/160px"`).
        split: str. A tensorflow-datasets split, slicing allowed
            (`"train[:10%]"`). Defaults to `"train"`.
        image_size: int, `(height, width)` or None. Size every image is
            resized to (antialiased bilinear). `None` keeps the stored size,
            which must then be the same for every image. Defaults to `None`.
        data_dir: str or None. Where tensorflow-datasets stores its data;
            `None` uses its default (`~/tensorflow_datasets`). Defaults to
            `None`.
        download: bool. Whether tensorflow-datasets may download and prepare
            the data set when it is not in `data_dir`. Defaults to `True`.

    Returns:
        A tuple `(images, labels)`: `images` is a uint8 array of shape
        `(N, height, width, channels)` (channels as stored: 1 for MNIST, 3 for
        CIFAR); `labels` an int32 array of shape `(N,)`, or `None` when the data
        set has no `"label"` feature.

    Example:

    ```python
    images, labels = keras_ssl.datasets.load_tfds("cifar10", split="test")
    ```
    """
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"`name` must be a non-empty tensorflow-datasets name, got name={name!r}."
        )
    image_size = standardize_image_size(image_size)
    import tensorflow as tf
    import tensorflow_datasets as tfds

    try:
        dataset = tfds.load(name, split=split, data_dir=data_dir, download=download)
    except tfds.core.registered.DatasetNotFoundError:
        raise ValueError(
            f"Unknown data set name={name!r}: it is neither 'shapes', an existing "
            "folder, nor a tensorflow-datasets name (see `tfds.list_builders()`)."
        ) from None
    spec = dataset.element_spec
    if not isinstance(spec, dict) or "image" not in spec:
        keys = sorted(spec) if isinstance(spec, dict) else spec
        raise ValueError(
            f"The tensorflow-datasets data set name={name!r} has no 'image' "
            f"feature (features: {keys}); load_tfds reads image data sets only."
        )
    has_labels = "label" in spec

    def to_pair(example):
        image = example["image"]
        if image_size is not None:
            image = resize_uint8(image, image_size)
        label = example["label"] if has_labels else tf.zeros((), "int64")
        return tf.cast(image, "uint8"), tf.cast(label, "int32")

    dataset = dataset.map(to_pair, num_parallel_calls=tf.data.AUTOTUNE)
    return _to_numpy(dataset, name, has_labels)


def _to_numpy(dataset, name, has_labels):
    import tensorflow as tf

    images, labels = [], []
    try:
        for image_batch, label_batch in dataset.batch(_BATCH).as_numpy_iterator():
            images.append(image_batch)
            labels.append(label_batch)
    except tf.errors.InvalidArgumentError:
        raise ValueError(
            f"The images of name={name!r} have different sizes; pass `image_size` "
            "to resize them to one size, got image_size=None."
        ) from None
    if not images:
        raise ValueError(f"The requested split of name={name!r} is empty.")
    images = np.concatenate(images)
    labels = np.concatenate(labels) if has_labels else None
    return images, labels
