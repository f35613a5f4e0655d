import os

import numpy as np
import pytest

import keras_ssl.datasets as datasets

tfds = pytest.importorskip("tensorflow_datasets")


def _write_png(path, value):
    import tensorflow as tf

    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = np.full((6, 6, 3), value, dtype="uint8")
    tf.io.write_file(path, tf.io.encode_png(image))


def test_public_api():
    for name in ("load", "load_shapes", "load_image_folder", "load_tfds"):
        assert callable(getattr(datasets, name))
    assert len(datasets.SHAPES_CLASS_NAMES) == 10


def test_default_is_shapes():
    images, labels = datasets.load(split="test")
    expected_images, expected_labels = datasets.load_shapes("test")
    np.testing.assert_array_equal(images, expected_images)
    np.testing.assert_array_equal(labels, expected_labels)


def test_shapes_resized():
    images, labels = datasets.load("shapes", split="test", image_size=16)
    assert images.shape == (1000, 16, 16, 3)
    assert images.dtype == np.uint8
    assert labels.shape == (1000,)


def test_folder_with_split_subfolders(tmp_path):
    _write_png(str(tmp_path / "train" / "a" / "0.png"), 1)
    _write_png(str(tmp_path / "train" / "b" / "0.png"), 2)
    _write_png(str(tmp_path / "test" / "a" / "0.png"), 3)
    images, labels = datasets.load(str(tmp_path), split="test")
    assert images.shape == (1, 6, 6, 3) and images[0, 0, 0, 0] == 3
    np.testing.assert_array_equal(labels, [0])
    images, labels = datasets.load(tmp_path, split="train", image_size=(4, 4))
    assert images.shape == (2, 4, 4, 3)
    np.testing.assert_array_equal(labels, [0, 1])


def test_flat_folder_is_unlabelled(tmp_path):
    _write_png(str(tmp_path / "0.png"), 1)
    images, labels = datasets.load(str(tmp_path))
    assert images.shape == (1, 6, 6, 3)
    assert labels is None


def test_tfds_name():
    with tfds.testing.mock_data(num_examples=4):
        images, labels = datasets.load("cifar10", split="test")
    assert images.shape == (4, 32, 32, 3)
    assert labels.shape == (4,)


def test_unknown_name():
    with pytest.raises(ValueError, match="no_such_dataset_xyz"):
        datasets.load("no_such_dataset_xyz")


def test_bad_type():
    with pytest.raises(TypeError, match="name_or_path"):
        datasets.load(42)
