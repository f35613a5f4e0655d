"""Linear probe: a linear classifier trained on frozen encoder features."""

import math

import keras
import numpy as np

from keras_ssl.evaluation import _data
from keras_ssl.evaluation.features import split_features


def linear_probe(
    encoder,
    train,
    test,
    num_classes=None,
    epochs=100,
    batch_size=256,
    learning_rate=1e-3,
    weight_decay=0.0,
    standardize=True,
    verbose=0,
):
    """Trains a linear classifier on frozen features and reports accuracy.

    Features of both splits are extracted once, in inference mode (BatchNorm
    uses its moving statistics), so the encoder's weights, BatchNorm
    statistics included, stay exactly as they were. A `keras.layers.Dense`
    classifier, initialised at zero, is then trained on the features with
    softmax cross-entropy and Adam under a cosine learning-rate decay.
    Training on features without augmentation is a fast approximation of
    the papers' protocol, which trains through the frozen encoder on
    augmented crops.

    Args:
        encoder: `keras.Model` or None. The frozen encoder; None when `train`
            and `test` already hold features `(n, d)`.
        train: `(x, y)` tuple: images (or features when `encoder` is None)
            and integer class ids `(n,)`. With an encoder, also a batched
            data set yielding `(images, labels)`.
        test: labelled split in the same form as `train`.
        num_classes: int or None. Number of classes; inferred as the largest
            class id + 1 when None. Defaults to `None`.
        epochs: int. Passes over the training features. Defaults to `100`.
        batch_size: int. Batch size of feature extraction and of training.
            Defaults to `256`.
        learning_rate: float. Peak Adam learning rate, decayed to 0 with a
            cosine schedule. Defaults to `1e-3`.
        weight_decay: float. Decoupled weight decay of the classifier, >= 0.
            Defaults to `0.0`.
        standardize: bool. Whether to standardise each feature dimension
            with the mean and standard deviation of the training features
            (applied to both splits). Defaults to `True`.
        verbose: `"auto"`, 0, 1 or 2. Verbosity of feature extraction and of
            the classifier's `fit`. Defaults to `0`.

    Returns:
        Dict with python floats `"accuracy"` (top-1 on `test`) and
        `"train_accuracy"` (top-1 on `train`).

    Example:

    ```python
    result = keras_ssl.evaluation.linear_probe(
        model.encoder, (x_train, y_train), (x_test, y_test), num_classes=10
    )
    print(result["accuracy"])
    ```

    Reference:
        Zhang et al., Colorful Image Colorization, 2016 (the linear
        evaluation protocol). https://arxiv.org/abs/1603.08511
    """
    epochs = _data.positive_int("epochs", epochs)
    batch_size = _data.positive_int("batch_size", batch_size)
    learning_rate = _data.positive_float("learning_rate", learning_rate)
    weight_decay = _check_weight_decay(weight_decay)
    train_features, train_labels = split_features(
        encoder, train, "train", batch_size, verbose
    )
    test_features, test_labels = split_features(
        encoder, test, "test", batch_size, verbose
    )
    if train_features.shape[1] != test_features.shape[1]:
        raise ValueError(
            "Train and test features must have the same dimension. Received "
            f"{train_features.shape} and {test_features.shape}."
        )
    num_classes = _data.resolve_num_classes(
        num_classes, [("train[1]", train_labels), ("test[1]", test_labels)]
    )
    if standardize:
        train_features, test_features = _standardize(
            train_features, test_features
        )
    classifier = _build_classifier(train_features.shape[1], num_classes)
    total_steps = epochs * math.ceil(len(train_features) / batch_size)
    classifier.compile(
        optimizer=_build_optimizer(learning_rate, weight_decay, total_steps),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    classifier.fit(
        train_features,
        train_labels,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        verbose=verbose,
    )
    return {
        "accuracy": _accuracy(
            classifier, test_features, test_labels, batch_size
        ),
        "train_accuracy": _accuracy(
            classifier, train_features, train_labels, batch_size
        ),
    }


def _check_weight_decay(weight_decay):
    weight_decay = _data.as_python_number(weight_decay)
    if (
        isinstance(weight_decay, bool)
        or not isinstance(weight_decay, (int, float))
        or not math.isfinite(weight_decay)
        or weight_decay < 0
    ):
        raise ValueError(
            "`weight_decay` must be a finite number >= 0. Received: "
            f"weight_decay={weight_decay!r}."
        )
    return float(weight_decay)


def _standardize(train_features, test_features):
    mean = train_features.mean(axis=0)
    std = train_features.std(axis=0)
    # A constant dimension carries no information; dividing it by ~0 would
    # only amplify test-time noise.
    std = np.where(std > 1e-6, std, 1.0)
    return (train_features - mean) / std, (test_features - mean) / std


def _build_classifier(feature_dim, num_classes):
    # float32 whatever the global dtype policy: the probe is tiny and its
    # logits should not lose precision.
    return keras.Sequential(
        [
            keras.Input((feature_dim,)),
            keras.layers.Dense(
                num_classes, kernel_initializer="zeros", dtype="float32"
            ),
        ],
        name="linear_probe",
    )


def _build_optimizer(learning_rate, weight_decay, total_steps):
    schedule = keras.optimizers.schedules.CosineDecay(
        learning_rate, decay_steps=total_steps
    )
    return keras.optimizers.Adam(
        schedule, weight_decay=weight_decay if weight_decay > 0 else None
    )


def _accuracy(classifier, features, labels, batch_size):
    logits = classifier.predict(features, batch_size=batch_size, verbose=0)
    return float(np.mean(np.argmax(logits, axis=1) == labels))
