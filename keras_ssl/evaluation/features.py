"""Feature extraction with a frozen encoder, the first step of every probe."""

import keras
import numpy as np

from keras_ssl.evaluation import _data


def extract_features(encoder, images, batch_size=256, verbose="auto"):
    """Runs `encoder` in inference mode over `images` and returns features.

    The encoder runs with `training=False` (BatchNorm uses its moving
    statistics, dropout is off) and its weights are left untouched. Outputs are
    pooled to one vector per image: a feature map of rank 4 is global-average
    pooled over its spatial axes (following `keras.config.image_data_format()`)
    and a token sequence of rank 3 `(n, tokens, d)` is averaged over its
    tokens. Outputs of rank 2 are returned as they are.

    Args:
        encoder: `keras.Model` (or layer, or callable) mapping a batch of
            images to one tensor.
        images: numpy array or backend tensor of images, or a batched
            `tf.data.Dataset`, `keras.utils.PyDataset` or iterable yielding
            `images` or `(images, labels)` batches (labels are ignored).
            Data sets keep their own batching.
        batch_size: int. Images per encoder call for array inputs. Defaults
            to `256`.
        verbose: `"auto"`, 0, 1 or 2. 0 is silent, 1 (and `"auto"`) shows a
            progress bar, 2 a single line at the end. Defaults to `"auto"`.

    Returns:
        float32 numpy array `(n, d)`.

    Example:

    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    features = keras_ssl.evaluation.extract_features(encoder, x_train)
    ```
    """
    features, _ = extract_features_and_labels(
        encoder, images, batch_size=batch_size, verbose=verbose
    )
    return features


def extract_features_and_labels(encoder, images, batch_size=256, verbose=0):
    """Like `extract_features`, also returning the labels the data yields.

    Returns:
        `(features, labels)`, labels a numpy array when every batch carried
        labels and None otherwise.
    """
    batch_size = _data.positive_int("batch_size", batch_size)
    verbose = _check_verbose(verbose)
    progbar = None
    if verbose:
        target = _data.num_batches(images, batch_size)
        progbar = keras.utils.Progbar(target, verbose=verbose, unit_name="step")
    feature_batches, label_batches = [], []
    full_size = None
    for step, (image_batch, label_batch) in enumerate(
        _data.iterate_batches(images, batch_size)
    ):
        if len(image_batch) == 0:
            continue
        full_size = full_size or len(image_batch)
        feature_batches.append(_encode_padded(encoder, image_batch, full_size))
        label_batches.append(label_batch)
        if progbar is not None:
            progbar.update(step + 1)
    if progbar is not None and progbar.target is None:
        progbar.update(len(feature_batches), finalize=True)
    if not feature_batches:
        raise ValueError(
            "`images` is empty: there is nothing to extract features from."
        )
    features = np.concatenate(feature_batches, axis=0)
    if any(labels is None for labels in label_batches):
        return features, None
    return features, np.concatenate(label_batches, axis=0)


def _check_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(
            '`verbose` must be "auto", 0, 1 or 2. '
            f"Received: verbose={verbose!r}."
        )
    return verbose


def _encode_padded(encoder, image_batch, full_size):
    # A short last batch is zero-padded to the size of the first batch so that
    # backends compiling per input shape (JAX, TensorFlow) compile once. In
    # inference mode every image is encoded independently of the others, so
    # the padding does not change the real images' features.
    size = len(image_batch)
    if size >= full_size:
        return _encode(encoder, image_batch)
    padding = [(0, full_size - size)] + [(0, 0)] * (image_batch.ndim - 1)
    return _encode(encoder, np.pad(image_batch, padding))[:size]


def _encode(encoder, image_batch):
    if isinstance(encoder, keras.Model):
        # `predict_on_batch` runs the compiled inference step (training=False)
        # and never writes back to the encoder's variables.
        outputs = encoder.predict_on_batch(image_batch)
    elif isinstance(encoder, keras.layers.Layer):
        outputs = encoder(image_batch, training=False)
    elif callable(encoder):
        outputs = encoder(image_batch)
    else:
        raise TypeError(
            "`encoder` must be a keras.Model, a keras layer or a callable. "
            f"Received an object of type {type(encoder).__name__}."
        )
    return pool_to_vectors(outputs)


def pool_to_vectors(outputs):
    """Pools encoder outputs to float32 numpy vectors `(n, d)`."""
    if isinstance(outputs, (dict, list, tuple)):
        raise TypeError(
            "`encoder` must return a single tensor of features. Received "
            f"outputs of type {type(outputs).__name__}; wrap the encoder in a "
            "keras.Model that selects the features to evaluate."
        )
    outputs = _data.to_numpy(outputs).astype("float32")
    if outputs.ndim == 2:
        return outputs
    if outputs.ndim == 3:
        return outputs.mean(axis=1)
    if outputs.ndim == 4:
        channels_first = keras.config.image_data_format() == "channels_first"
        return outputs.mean(axis=(2, 3) if channels_first else (1, 2))
    raise ValueError(
        "`encoder` must output features (n, d), tokens (n, t, d) or a feature "
        f"map (n, h, w, c). Received an output of shape {outputs.shape}."
    )


def split_features(encoder, data, name, batch_size, verbose, need_labels=True):
    """Returns checked `(features, labels)` of one evaluation split.

    `data` is an `(x, y)` tuple, where `x` is images (or features when
    `encoder` is None), or, with an encoder, a data set yielding
    `(images, labels)` batches. Without `need_labels`, `data` may also be
    plain `x`, and labels come back as None.
    """
    if _data.is_labelled_pair(data):
        x, labels = data
    elif need_labels and encoder is None:
        raise TypeError(
            f"`{name}` must be an `(x, y)` tuple of features and labels when "
            f"no encoder is given. Received an object of type "
            f"{type(data).__name__}."
        )
    else:
        x, labels = data, None
    if encoder is None:
        features = _data.check_features(f"{name}[0]", x)
    else:
        features, yielded = extract_features_and_labels(
            encoder, x, batch_size=batch_size, verbose=verbose
        )
        labels = yielded if labels is None else labels
        features = _data.check_features(f"features of {name}", features)
    if labels is None:
        if need_labels:
            raise ValueError(
                f"`{name}` has no labels: pass an `(x, y)` tuple or a data "
                "set yielding `(images, labels)` batches."
            )
        return features, None
    return features, _data.check_labels(f"{name}[1]", labels, len(features))
