import keras
import numpy as np
import pytest

from keras_ssl import evaluation
from tests.evaluation.numpy_references import clustered_data
from tests.evaluation.numpy_references import knn_reference


def random_split(num, dim, num_classes, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(num, dim)).astype("float32")
    return x, rng.integers(0, num_classes, num)


@pytest.mark.parametrize(
    "num_train, num_test, dim, num_classes, k, temperature, batch_size",
    [
        (50, 20, 8, 3, 5, 0.1, 7),
        (120, 33, 16, 5, 1, 0.5, 256),
        (64, 10, 4, 4, 64, 0.07, 3),
        (30, 12, 5, 2, 10, 1.0, 5),
        (80, 25, 6, 6, 20, 0.01, 11),
    ],
)
def test_knn_predict_matches_brute_force(
    num_train, num_test, dim, num_classes, k, temperature, batch_size
):
    x_train, y_train = random_split(num_train, dim, num_classes, seed=1)
    x_test, _ = random_split(num_test, dim, num_classes, seed=2)
    predictions = evaluation.knn_predict(
        None,
        (x_train, y_train),
        x_test,
        k=k,
        temperature=temperature,
        num_classes=num_classes,
        batch_size=batch_size,
    )
    expected = knn_reference(
        x_train, y_train, x_test, k, temperature, num_classes
    )
    assert predictions.dtype == np.int64
    np.testing.assert_array_equal(predictions, expected)


def test_knn_accuracy_is_mean_of_correct_predictions():
    (x_train, y_train) = random_split(60, 8, 4, seed=3)
    (x_test, y_test) = random_split(40, 8, 4, seed=4)
    accuracy = evaluation.knn_accuracy(
        None, (x_train, y_train), (x_test, y_test), k=7, temperature=0.2
    )
    expected = knn_reference(x_train, y_train, x_test, 7, 0.2, 4)
    assert isinstance(accuracy, float)
    assert accuracy == pytest.approx(np.mean(expected == y_test))


def test_separable_clusters_give_perfect_accuracy():
    train, test = clustered_data(200, 100, 16, 5, spread=0.05)
    assert evaluation.knn_accuracy(None, train, test, k=20) == 1.0


def test_random_labels_give_about_chance():
    x_train, y_train = random_split(2000, 16, 4, seed=5)
    x_test, y_test = random_split(1000, 16, 4, seed=6)
    accuracy = evaluation.knn_accuracy(
        None, (x_train, y_train), (x_test, y_test), k=50
    )
    assert 0.18 < accuracy < 0.32


def test_labels_of_shape_n_by_1_are_accepted():
    train, test = clustered_data(40, 20, 4, 2, spread=0.05)
    column = (train[0], train[1][:, None])
    assert evaluation.knn_accuracy(None, column, test, k=3) == 1.0


def test_encoder_path_equals_feature_path():
    rng = np.random.default_rng(7)
    encoder = keras.Sequential(
        [keras.Input((4, 4, 3)), keras.layers.Flatten(), keras.layers.Dense(6)]
    )
    x_train = rng.normal(size=(30, 4, 4, 3)).astype("float32")
    x_test = rng.normal(size=(10, 4, 4, 3)).astype("float32")
    y_train, y_test = rng.integers(0, 3, 30), rng.integers(0, 3, 10)
    with_encoder = evaluation.knn_predict(
        encoder, (x_train, y_train), x_test, k=5, batch_size=8, verbose=0
    )
    features = evaluation.extract_features(encoder, x_train, verbose=0)
    test_features = evaluation.extract_features(encoder, x_test, verbose=0)
    expected = knn_reference(features, y_train, test_features, 5, 0.1, 3)
    np.testing.assert_array_equal(with_encoder, expected)
    accuracy = evaluation.knn_accuracy(
        encoder, (x_train, y_train), (x_test, y_test), k=5, verbose=0
    )
    assert accuracy == pytest.approx(np.mean(expected == y_test))


def test_labelled_tf_dataset_split():
    tf = pytest.importorskip("tensorflow")
    train, test = clustered_data(40, 20, 4, 2, spread=0.05)
    encoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4)])
    train_ds = tf.data.Dataset.from_tensor_slices(train).batch(16)
    test_ds = tf.data.Dataset.from_tensor_slices(test).batch(16)
    from_ds = evaluation.knn_accuracy(
        encoder, train_ds, test_ds, k=3, verbose=0
    )
    from_arrays = evaluation.knn_accuracy(encoder, train, test, k=3, verbose=0)
    assert from_ds == from_arrays


def test_raw_pixel_knn_flattens_images():
    rng = np.random.default_rng(8)
    x_train = rng.uniform(0, 255, size=(40, 4, 4, 3)).astype("uint8")
    x_test = rng.uniform(0, 255, size=(15, 4, 4, 3)).astype("uint8")
    y_train, y_test = rng.integers(0, 3, 40), rng.integers(0, 3, 15)
    accuracy = evaluation.raw_pixel_knn_accuracy(
        (x_train, y_train), (x_test, y_test), k=5
    )
    expected = knn_reference(
        x_train.reshape(40, -1), y_train, x_test.reshape(15, -1), 5, 0.1, 3
    )
    assert accuracy == pytest.approx(np.mean(expected == y_test))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"k": 0}, "k"),
        ({"k": 41}, "k"),
        ({"k": 2.5}, "k"),
        ({"k": True}, "k"),
        ({"temperature": 0.0}, "temperature"),
        ({"temperature": -1.0}, "temperature"),
        ({"temperature": float("nan")}, "temperature"),
        ({"temperature": float("inf")}, "temperature"),
        ({"batch_size": 0}, "batch_size"),
        ({"num_classes": 1}, "num_classes"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    train, test = clustered_data(40, 10, 4, 2, spread=0.1)
    with pytest.raises((ValueError, TypeError), match=match):
        evaluation.knn_accuracy(None, train, test, **{"k": 3, **kwargs})


def test_bad_labels_and_features_are_refused():
    (x_train, y_train), (x_test, y_test) = clustered_data(20, 10, 4, 2, 0.1)
    with pytest.raises(ValueError, match="one label per sample"):
        evaluation.knn_accuracy(None, (x_train, y_train[:-1]), (x_test, y_test))
    one_hot = np.eye(2)[y_train]
    with pytest.raises(ValueError, match="not one-hot"):
        evaluation.knn_accuracy(None, (x_train, one_hot), (x_test, y_test))
    with pytest.raises(ValueError, match="non-negative integer"):
        evaluation.knn_accuracy(None, (x_train, y_train - 1), (x_test, y_test))
    with pytest.raises(ValueError, match="same dimension"):
        evaluation.knn_accuracy(
            None, (x_train, y_train), (x_test[:, :3], y_test)
        )
    with pytest.raises(ValueError, match="shape \\(n, d\\)"):
        evaluation.knn_accuracy(
            None, (x_train[:, :, None], y_train), (x_test, y_test)
        )
    nan_features = x_train.copy()
    nan_features[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        evaluation.knn_accuracy(None, (nan_features, y_train), (x_test, y_test))
    with pytest.raises(TypeError, match="train"):
        evaluation.knn_accuracy(None, x_train, (x_test, y_test))
