import keras
import numpy as np
import pytest

from keras_ssl import evaluation
from tests.evaluation.numpy_references import clustered_data


def colour_images(num, seed):
    """Class = dominant colour channel; everything else is noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, num)
    x = rng.uniform(0, 0.5, size=(num, 8, 8, 3))
    x[np.arange(num), :, :, labels] += 0.5
    return x.astype("float32"), labels


def encoder_with_batch_norm():
    encoder = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(8, 3, padding="same"),
            keras.layers.BatchNormalization(),
            keras.layers.ReLU(),
        ]
    )
    # Non-trivial moving statistics: a BatchNorm run in training mode would
    # change them (and its output), which the test must catch.
    batch_norm = encoder.layers[1]
    batch_norm.moving_mean.assign(np.full(8, 0.1, "float32"))
    batch_norm.moving_variance.assign(np.full(8, 2.0, "float32"))
    return encoder


def test_encoder_is_unchanged_and_probe_beats_chance():
    encoder = encoder_with_batch_norm()
    before = [np.array(keras.ops.convert_to_numpy(w)) for w in encoder.weights]
    result = evaluation.linear_probe(
        encoder,
        colour_images(150, seed=0),
        colour_images(60, seed=1),
        num_classes=3,
        epochs=10,
        batch_size=64,
        learning_rate=3e-2,
    )
    after = [keras.ops.convert_to_numpy(w) for w in encoder.weights]
    assert len(before) == 6  # kernel, bias, gamma, beta, moving mean/var
    for old, new in zip(before, after):
        assert np.array_equal(old, new)
    assert set(result) == {"accuracy", "train_accuracy"}
    assert isinstance(result["accuracy"], float)
    assert result["accuracy"] > 0.9
    assert result["train_accuracy"] > 0.9


def test_precomputed_features_without_encoder():
    train, test = clustered_data(120, 60, 8, 4, spread=0.1)
    result = evaluation.linear_probe(
        None, train, test, epochs=10, batch_size=64, learning_rate=3e-2
    )
    assert result["accuracy"] == 1.0


def test_without_standardization_and_with_weight_decay():
    train, test = clustered_data(120, 60, 8, 4, spread=0.1, seed=2)
    result = evaluation.linear_probe(
        None,
        train,
        test,
        num_classes=4,
        epochs=10,
        batch_size=64,
        learning_rate=3e-2,
        weight_decay=1e-4,
        standardize=False,
    )
    assert result["accuracy"] > 0.9


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": -1}, "batch_size"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"weight_decay": -1.0}, "weight_decay"),
        ({"num_classes": 2}, "num_classes"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    train, test = clustered_data(20, 10, 4, 3, spread=0.1)
    with pytest.raises((ValueError, TypeError), match=match):
        evaluation.linear_probe(None, train, test, **kwargs)
