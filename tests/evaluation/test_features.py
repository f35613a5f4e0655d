import keras
import numpy as np
import pytest

from keras_ssl import evaluation


def images(num=10, shape=(4, 4, 3), seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(num,) + shape).astype("float32")


def conv_encoder():
    return keras.Sequential(
        [keras.Input((4, 4, 3)), keras.layers.Conv2D(5, 1, name="conv")]
    )


def test_feature_map_is_global_average_pooled():
    encoder = conv_encoder()
    x = images()
    features = evaluation.extract_features(encoder, x, batch_size=3, verbose=0)
    expected = keras.ops.convert_to_numpy(encoder(x)).mean(axis=(1, 2))
    assert features.dtype == np.float32
    assert features.shape == (10, 5)
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-6)


def test_token_sequence_is_mean_pooled():
    encoder = keras.Sequential([keras.Input((6, 3)), keras.layers.Dense(4)])
    x = images(shape=(6, 3))
    features = evaluation.extract_features(encoder, x, verbose=0)
    expected = keras.ops.convert_to_numpy(encoder(x)).mean(axis=1)
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-6)


def test_vectors_pass_through_in_inference_mode():
    encoder = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4),
            keras.layers.BatchNormalization(),
            keras.layers.Dropout(0.9),
        ]
    )
    batch_norm = encoder.layers[1]
    batch_norm.moving_mean.assign(np.arange(4, dtype="float32"))
    batch_norm.moving_variance.assign(np.full(4, 4.0, dtype="float32"))
    x = images(num=7, shape=(3,))
    features = evaluation.extract_features(encoder, x, batch_size=2, verbose=0)
    expected = keras.ops.convert_to_numpy(encoder(x, training=False))
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-5)


def test_data_sets_give_the_same_features_as_arrays():
    tf = pytest.importorskip("tensorflow")
    encoder = conv_encoder()
    x = images()
    labels = np.arange(10)
    expected = evaluation.extract_features(encoder, x, verbose=0)
    only_images = tf.data.Dataset.from_tensor_slices(x).batch(4)
    with_labels = tf.data.Dataset.from_tensor_slices((x, labels)).batch(4)
    for dataset in (only_images, with_labels):
        features = evaluation.extract_features(encoder, dataset, verbose=0)
        np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-6)


def test_py_dataset_input():
    class Batches(keras.utils.PyDataset):
        def __init__(self, x):
            super().__init__()
            self.x = x

        def __len__(self):
            return 3

        def __getitem__(self, index):
            return self.x[4 * index : 4 * index + 4], np.zeros(4)

    encoder = conv_encoder()
    x = images()
    features = evaluation.extract_features(encoder, Batches(x), verbose=0)
    expected = evaluation.extract_features(encoder, x, verbose=0)
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-6)


def test_progress_bar_only_when_verbose(capsys):
    encoder = conv_encoder()
    evaluation.extract_features(encoder, images(), batch_size=5, verbose=0)
    assert capsys.readouterr().out == ""
    evaluation.extract_features(encoder, images(), batch_size=5, verbose=1)
    assert "2/2" in capsys.readouterr().out


def test_empty_input_is_refused():
    with pytest.raises(ValueError, match="empty"):
        evaluation.extract_features(conv_encoder(), images(num=0), verbose=0)


def test_bad_arguments_are_named():
    with pytest.raises((ValueError, TypeError), match="batch_size"):
        evaluation.extract_features(conv_encoder(), images(), batch_size=0)
    with pytest.raises(ValueError, match="verbose"):
        evaluation.extract_features(conv_encoder(), images(), verbose=3)
    five_d = keras.Sequential(
        [keras.Input((2, 2, 2, 1)), keras.layers.Dense(2)]
    )
    volumes = images(shape=(2, 2, 2, 1))
    with pytest.raises(ValueError, match="encoder"):
        evaluation.extract_features(five_d, volumes, verbose=0)
