"""Private input handling shared by the evaluation functions.

Evaluation accepts images the way `model.predict` does (numpy arrays, backend
tensors, batched `tf.data.Dataset`s, `keras.utils.PyDataset`s or any iterable
of batches) plus labelled splits given as an `(x, y)` tuple. This module turns
all of them into numpy batches and checks labels, so that the public functions
stay short.
"""

import math

import keras
import numpy as np

from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int


def to_numpy(x):
    """Converts numpy arrays, backend tensors and array-likes to numpy."""
    if isinstance(x, np.ndarray):
        return x
    if keras.ops.is_tensor(x):
        return keras.ops.convert_to_numpy(x)
    return np.asarray(x)


def as_python_number(value):
    """Turns numpy scalars into python scalars for the argument checks."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def positive_int(name, value):
    return check_positive_int(name, as_python_number(value))


def positive_float(name, value):
    return check_positive_float(name, as_python_number(value))


def is_labelled_pair(data):
    """True for an `(x, y)` tuple or list, the form of a labelled split."""
    return isinstance(data, (tuple, list)) and len(data) == 2


def _is_array_like(data):
    return (
        isinstance(data, np.ndarray)
        or keras.ops.is_tensor(data)
        or (hasattr(data, "shape") and hasattr(data, "__array__"))
    )


def _is_tf_dataset(data):
    # Duck-typed so that this package never imports tensorflow.
    return hasattr(data, "as_numpy_iterator") and hasattr(data, "element_spec")


def _split_batch(batch):
    """Returns `(images, labels_or_None)` from one batch of a data set."""
    if isinstance(batch, dict):
        raise TypeError(
            "Evaluation data sets must yield `images` or `(images, labels)` "
            f"batches, not dicts. Received a batch with keys {list(batch)}."
        )
    if isinstance(batch, (tuple, list)):
        if len(batch) == 1:
            return batch[0], None
        return batch[0], batch[1]
    return batch, None


def _dataset_num_batches(data):
    cardinality = int(data.cardinality())
    if cardinality == -1:  # tf.data.INFINITE_CARDINALITY
        raise ValueError(
            "The data set is infinite (for example `.repeat()` without a "
            "count); evaluation needs a finite data set."
        )
    return cardinality if cardinality >= 0 else None


def num_batches(data, batch_size):
    """Number of batches `iterate_batches` will yield, or None if unknown."""
    if _is_array_like(data) or isinstance(data, (tuple, list)):
        return math.ceil(len(data) / batch_size)
    if isinstance(data, keras.utils.PyDataset):
        return data.num_batches
    if _is_tf_dataset(data):
        return _dataset_num_batches(data)
    return len(data) if hasattr(data, "__len__") else None


def iterate_batches(data, batch_size):
    """Yields `(images, labels_or_None)` numpy batches from `data`.

    Arrays are cut into batches of `batch_size`; data sets are used with the
    batching they already have.
    """
    if _is_array_like(data) or isinstance(data, (tuple, list)):
        array = to_numpy(data)
        for start in range(0, len(array), batch_size):
            yield array[start : start + batch_size], None
        return
    if isinstance(data, keras.utils.PyDataset):
        if data.num_batches is None:
            raise ValueError(
                "The PyDataset has no `num_batches` (it is infinite); "
                "evaluation needs a finite data set."
            )
        batches = (data[index] for index in range(data.num_batches))
    elif _is_tf_dataset(data):
        _dataset_num_batches(data)
        batches = data.as_numpy_iterator()
    elif hasattr(data, "__iter__"):
        batches = iter(data)
    else:
        raise TypeError(
            "Expected images as a numpy array, a backend tensor, a batched "
            "tf.data.Dataset, a keras.utils.PyDataset or an iterable of "
            f"batches. Received an object of type {type(data).__name__}."
        )
    for batch in batches:
        images, labels = _split_batch(batch)
        yield to_numpy(images), None if labels is None else to_numpy(labels)


def check_labels(name, labels, num_samples):
    """Returns `labels` as a 1-D int64 array of class ids, or raises.

    Accepts shape `(n,)` or `(n, 1)` of non-negative integer values; one-hot
    labels are refused rather than guessed at.
    """
    labels = to_numpy(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            f"`{name}` must hold integer class ids of shape (n,) or (n, 1) "
            f"(not one-hot). Received: {name}.shape={labels.shape}."
        )
    if len(labels) != num_samples:
        raise ValueError(
            f"`{name}` must have one label per sample: expected {num_samples} "
            f"labels, received {name}.shape={labels.shape}."
        )
    if not np.issubdtype(labels.dtype, np.number) or np.issubdtype(
        labels.dtype, np.complexfloating
    ):
        raise ValueError(
            f"`{name}` must hold integer class ids. Received dtype "
            f"{labels.dtype}."
        )
    if labels.size and (
        not np.all(np.isfinite(labels))
        or np.any(labels != np.round(labels))
        or labels.min() < 0
    ):
        raise ValueError(
            f"`{name}` must hold non-negative integer class ids. Received "
            f"values such as {labels[:5].tolist()}."
        )
    return labels.astype("int64")


def resolve_num_classes(num_classes, label_sets):
    """Returns `num_classes`, inferred from labels when None, or raises.

    Args:
        num_classes: int or None.
        label_sets: list of `(name, labels)` with checked int64 labels.
    """
    largest = max(int(labels.max()) for _, labels in label_sets if labels.size)
    if num_classes is None:
        return largest + 1
    num_classes = positive_int("num_classes", num_classes)
    for name, labels in label_sets:
        if labels.size and labels.max() >= num_classes:
            raise ValueError(
                f"`{name}` holds class id {int(labels.max())} but "
                f"num_classes={num_classes}: class ids must be in "
                f"[0, num_classes)."
            )
    return num_classes


def check_features(name, features):
    """Returns `features` as a finite float32 (n, d) array, or raises."""
    features = to_numpy(features)
    if features.ndim != 2:
        raise ValueError(
            f"`{name}` must be features of shape (n, d) when no encoder is "
            f"given. Received: {name}.shape={features.shape}."
        )
    if len(features) == 0:
        raise ValueError(f"`{name}` is empty: it has shape {features.shape}.")
    features = features.astype("float32")
    if not np.all(np.isfinite(features)):
        raise ValueError(
            f"`{name}` contains NaN or infinite values; the encoder may have "
            "diverged."
        )
    return features
