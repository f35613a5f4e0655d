import numpy as np
import pytest

from keras_ssl.datasets import load_tfds

tfds = pytest.importorskip("tensorflow_datasets")


def test_mock_cifar10_to_numpy():
    with tfds.testing.mock_data(num_examples=12):
        images, labels = load_tfds("cifar10", split="train")
    assert images.shape == (12, 32, 32, 3)
    assert images.dtype == np.uint8
    assert labels.shape == (12,)
    assert labels.dtype == np.int32
    assert labels.min() >= 0 and labels.max() < 10


def test_mock_resize():
    with tfds.testing.mock_data(num_examples=5):
        images, labels = load_tfds("mnist", split="test", image_size=(16, 20))
    assert images.shape == (5, 16, 20, 1)
    assert images.dtype == np.uint8
    assert labels.shape == (5,)


def test_unknown_name():
    with pytest.raises(ValueError, match="no_such_dataset_xyz"):
        load_tfds("no_such_dataset_xyz", split="train")


def test_bad_name_type():
    with pytest.raises(ValueError, match="name"):
        load_tfds("", split="train")
