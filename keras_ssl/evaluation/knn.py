"""Weighted k-nearest-neighbour classification of frozen features.

Each test feature votes over its `k` most cosine-similar training features;
neighbour `i` adds `exp(sim_i / temperature)` to the score of its class and the
class with the largest score wins. This is the monitor of InstDisc that most
self-supervised papers report next to the linear probe.
"""

import numpy as np
from keras import ops

from keras_ssl.evaluation import _data
from keras_ssl.evaluation.features import split_features


def knn_predict(
    encoder,
    train,
    test,
    k=200,
    temperature=0.1,
    num_classes=None,
    batch_size=256,
    verbose="auto",
):
    """Predicts test classes by weighted kNN voting over training features.

    Features are L2-normalised, so similarity is the cosine similarity. Test
    samples are processed `batch_size` at a time, keeping memory at
    `batch_size * n_train` similarities. Ties between class scores go to the
    smallest class id.

    Args:
        encoder: `keras.Model` or None. The frozen encoder whose features are
            classified; None when `train` and `test` already hold features.
        train: `(x, y)` tuple: images (or features `(n, d)` when `encoder`
            is None) and integer class ids `(n,)`. With an encoder, also a
            batched data set yielding `(images, labels)`.
        test: images or features like `train`'s `x`, or an `(x, y)` tuple
            whose labels are ignored, or a data set of images.
        k: int. Number of neighbours, between 1 and the number of training
            samples. Defaults to `200`.
        temperature: float. Softmax temperature of the vote weights, > 0.
            Defaults to `0.1`.
        num_classes: int or None. Number of classes; inferred as the largest
            training class id + 1 when None. Defaults to `None`.
        batch_size: int. Images per encoder call and test samples per
            similarity chunk. Defaults to `256`.
        verbose: `"auto"`, 0, 1 or 2. Progress bars of feature extraction.
            Defaults to `"auto"`.

    Returns:
        int64 numpy array `(n_test,)` of predicted class ids.

    Example:

    ```python
    predictions = keras_ssl.evaluation.knn_predict(
        model.encoder, (x_train, y_train), x_test, k=20
    )
    ```

    Reference:
        Wu et al., Unsupervised Feature Learning via Non-Parametric Instance
        Discrimination, 2018. https://arxiv.org/abs/1805.01978
    """
    k, temperature, batch_size = _check_knn_args(k, temperature, batch_size)
    train_features, train_labels = split_features(
        encoder, train, "train", batch_size, verbose
    )
    test_features, _ = split_features(
        encoder, test, "test", batch_size, verbose, need_labels=False
    )
    _check_feature_dims(train_features, test_features)
    _check_k_fits(k, len(train_features))
    num_classes = _data.resolve_num_classes(
        num_classes, [("train[1]", train_labels)]
    )
    return weighted_knn_vote(
        train_features,
        train_labels,
        test_features,
        k=k,
        temperature=temperature,
        num_classes=num_classes,
        chunk_size=batch_size,
    )


def knn_accuracy(
    encoder,
    train,
    test,
    k=200,
    temperature=0.1,
    num_classes=None,
    batch_size=256,
    verbose="auto",
):
    """Top-1 accuracy of weighted kNN classification of frozen features.

    See `knn_predict` for the voting rule.

    Args:
        encoder: `keras.Model` or None. The frozen encoder whose features are
            classified; None when `train` and `test` already hold features.
        train: `(x, y)` tuple: images (or features `(n, d)` when `encoder`
            is None) and integer class ids `(n,)`. With an encoder, also a
            batched data set yielding `(images, labels)`.
        test: labelled split in the same form as `train`.
        k: int. Number of neighbours, between 1 and the number of training
            samples. Defaults to `200`.
        temperature: float. Softmax temperature of the vote weights, > 0.
            Defaults to `0.1`.
        num_classes: int or None. Number of classes; inferred as the largest
            class id + 1 when None. Defaults to `None`.
        batch_size: int. Images per encoder call and test samples per
            similarity chunk. Defaults to `256`.
        verbose: `"auto"`, 0, 1 or 2. Progress bars of feature extraction.
            Defaults to `"auto"`.

    Returns:
        Python float in [0, 1].

    Example:

    ```python
    accuracy = keras_ssl.evaluation.knn_accuracy(
        model.encoder, (x_train, y_train), (x_test, y_test)
    )
    ```

    Reference:
        Wu et al., Unsupervised Feature Learning via Non-Parametric Instance
        Discrimination, 2018. https://arxiv.org/abs/1805.01978
    """
    k, temperature, batch_size = _check_knn_args(k, temperature, batch_size)
    train_features, train_labels = split_features(
        encoder, train, "train", batch_size, verbose
    )
    test_features, test_labels = split_features(
        encoder, test, "test", batch_size, verbose
    )
    _check_feature_dims(train_features, test_features)
    _check_k_fits(k, len(train_features))
    num_classes = _data.resolve_num_classes(
        num_classes, [("train[1]", train_labels), ("test[1]", test_labels)]
    )
    predictions = weighted_knn_vote(
        train_features,
        train_labels,
        test_features,
        k=k,
        temperature=temperature,
        num_classes=num_classes,
        chunk_size=batch_size,
    )
    return float(np.mean(predictions == test_labels))


def raw_pixel_knn_accuracy(
    train, test, k=200, temperature=0.1, num_classes=None, batch_size=256
):
    """kNN accuracy with flattened raw pixels as features: the baseline.

    Every image is flattened to one vector of its pixel values (as float32,
    without any normalisation) and classified by the same weighted kNN as
    `knn_accuracy`. An encoder is only useful if it beats this number.

    Args:
        train: `(images, labels)` tuple of numpy arrays or tensors.
        test: `(images, labels)` tuple of numpy arrays or tensors.
        k: int. Number of neighbours. Defaults to `200`.
        temperature: float. Vote temperature, > 0. Defaults to `0.1`.
        num_classes: int or None. Inferred from the labels when None.
            Defaults to `None`.
        batch_size: int. Test samples per similarity chunk. Defaults to
            `256`.

    Returns:
        Python float in [0, 1].

    Example:

    ```python
    baseline = keras_ssl.evaluation.raw_pixel_knn_accuracy(
        (x_train, y_train), (x_test, y_test)
    )
    ```
    """
    flat_train = (_flatten_images("train", train), train[1])
    flat_test = (_flatten_images("test", test), test[1])
    return knn_accuracy(
        None,
        flat_train,
        flat_test,
        k=k,
        temperature=temperature,
        num_classes=num_classes,
        batch_size=batch_size,
        verbose=0,
    )


def weighted_knn_vote(
    train_features,
    train_labels,
    test_features,
    k,
    temperature,
    num_classes,
    chunk_size=256,
):
    """Weighted kNN class votes on checked numpy inputs; returns int64 ids.

    Shapes, in einsum letters: `train_features` (n, d), `train_labels` (n,),
    `test_features` (m, d). Computed with `keras.ops` so that the similarity
    matrix lives on the accelerator of the active backend.
    """
    train_unit = ops.convert_to_tensor(_l2_normalize(train_features))
    labels = ops.convert_to_tensor(train_labels.astype("int32"))
    test_unit = _l2_normalize(test_features)
    num_test = len(test_unit)
    chunk_size = min(chunk_size, num_test)
    predictions = []
    for start in range(0, num_test, chunk_size):
        chunk = _pad_rows(test_unit[start : start + chunk_size], chunk_size)
        votes = _chunk_votes(
            ops.convert_to_tensor(chunk),
            train_unit,
            labels,
            k,
            temperature,
            num_classes,
        )
        predictions.append(ops.convert_to_numpy(ops.argmax(votes, axis=1)))
    return np.concatenate(predictions)[:num_test].astype("int64")


def _pad_rows(chunk, rows):
    # Equal chunk shapes let backends that compile per shape (JAX) reuse one
    # compiled computation for the last, shorter chunk.
    missing = rows - len(chunk)
    return np.pad(chunk, ((0, missing), (0, 0))) if missing else chunk


def _chunk_votes(chunk, train_unit, labels, k, temperature, num_classes):
    """Class scores `(m, c)` of one chunk of unit-norm test features."""
    similarity = ops.einsum("md,nd->mn", chunk, train_unit)
    top_similarity, top_index = ops.top_k(similarity, k=k, sorted=False)
    # Subtracting each row's largest similarity scales the row's scores by a
    # positive constant: the argmax is unchanged and exp cannot overflow for
    # small temperatures.
    row_max = ops.max(top_similarity, axis=1, keepdims=True)
    weights = ops.exp((top_similarity - row_max) / temperature)
    neighbour_labels = ops.take(labels, top_index, axis=0)
    # Sum weights per (row, class) with one segment sum instead of a
    # (m, k, c) one-hot tensor, which would be large for many classes.
    rows = ops.shape(chunk)[0]
    row = ops.expand_dims(ops.arange(rows, dtype="int32"), 1)
    segment = row * num_classes + ops.cast(neighbour_labels, "int32")
    segment = ops.reshape(segment, (-1,))
    votes = ops.segment_sum(
        ops.reshape(weights, (-1,)), segment, num_segments=rows * num_classes
    )
    return ops.reshape(votes, (rows, num_classes))


def _l2_normalize(features):
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    return (features / np.maximum(norms, 1e-12)).astype("float32")


def _flatten_images(name, split):
    if not _data.is_labelled_pair(split):
        raise TypeError(
            f"`{name}` must be an `(images, labels)` tuple. Received an "
            f"object of type {type(split).__name__}."
        )
    images = _data.to_numpy(split[0])
    if images.ndim < 2:
        raise ValueError(
            f"`{name}[0]` must be images of rank >= 2. Received shape "
            f"{images.shape}."
        )
    return images.reshape(len(images), -1).astype("float32")


def _check_knn_args(k, temperature, batch_size):
    return (
        _data.positive_int("k", k),
        _data.positive_float("temperature", temperature),
        _data.positive_int("batch_size", batch_size),
    )


def _check_k_fits(k, num_train):
    if k > num_train:
        raise ValueError(
            f"`k` must be at most the number of training samples "
            f"({num_train}). Received: k={k}."
        )


def _check_feature_dims(train_features, test_features):
    if train_features.shape[1] != test_features.shape[1]:
        raise ValueError(
            "Train and test features must have the same dimension. Received "
            f"train features of shape {train_features.shape} and test "
            f"features of shape {test_features.shape}."
        )
