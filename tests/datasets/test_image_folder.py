import os

import numpy as np
import pytest

from keras_ssl.datasets import load_image_folder


def _write_png(path, image):
    import tensorflow as tf

    os.makedirs(os.path.dirname(path), exist_ok=True)
    tf.io.write_file(path, tf.io.encode_png(image))


def _solid(value, size=(8, 8)):
    return np.full(size + (3,), value, dtype="uint8")


@pytest.fixture
def labelled_folder(tmp_path):
    # Two classes, sorted as ["cats", "dogs"]; file order is sorted too.
    _write_png(str(tmp_path / "dogs" / "a.png"), _solid(200))
    _write_png(str(tmp_path / "cats" / "b.png"), _solid(10))
    _write_png(str(tmp_path / "cats" / "a.png"), _solid(20))
    _write_png(str(tmp_path / "cats" / "nested" / "c.png"), _solid(30))
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    return tmp_path


def test_labelled_folder(labelled_folder):
    images, labels, class_names = load_image_folder(labelled_folder, image_size=None)
    assert class_names == ["cats", "dogs"]
    assert images.dtype == np.uint8
    assert images.shape == (4, 8, 8, 3)
    assert labels.dtype == np.int32
    np.testing.assert_array_equal(labels, [0, 0, 0, 1])
    np.testing.assert_array_equal(images[:, 0, 0, 0], [20, 10, 30, 200])


def test_labels_true_matches_inferred(labelled_folder):
    images, labels, class_names = load_image_folder(labelled_folder, labels=True)
    assert images.shape == (4, 32, 32, 3)
    np.testing.assert_array_equal(labels, [0, 0, 0, 1])
    assert class_names == ["cats", "dogs"]


def test_resize_keeps_solid_colours(labelled_folder):
    images, _, _ = load_image_folder(labelled_folder, image_size=(16, 12))
    assert images.shape == (4, 16, 12, 3)
    np.testing.assert_array_equal(images[:, 5, 5, 0], [20, 10, 30, 200])


def test_unlabelled_flat_folder(tmp_path):
    _write_png(str(tmp_path / "x.png"), _solid(1, (5, 7)))
    _write_png(str(tmp_path / "y.png"), _solid(2, (5, 7)))
    images, labels, class_names = load_image_folder(str(tmp_path), image_size=None)
    assert images.shape == (2, 5, 7, 3)
    assert labels is None and class_names is None


def test_labels_false_reads_subfolders_recursively(labelled_folder):
    images, labels, class_names = load_image_folder(labelled_folder, labels=False)
    assert images.shape == (4, 32, 32, 3)
    assert labels is None and class_names is None


def test_grayscale_png_becomes_rgb(tmp_path):
    _write_png(str(tmp_path / "g.png"), np.full((6, 6, 1), 77, dtype="uint8"))
    images, _, _ = load_image_folder(tmp_path, image_size=None)
    assert images.shape == (1, 6, 6, 3)
    assert (images == 77).all()


def test_missing_path(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_image_folder(tmp_path / "nope")


def test_path_is_a_file(tmp_path):
    file = tmp_path / "a.png"
    _write_png(str(file), _solid(1))
    with pytest.raises(ValueError, match="must be a folder"):
        load_image_folder(file)


def test_empty_folder(tmp_path):
    with pytest.raises(ValueError, match="No image files"):
        load_image_folder(tmp_path)


def test_labels_true_without_subfolders(tmp_path):
    _write_png(str(tmp_path / "a.png"), _solid(1))
    with pytest.raises(ValueError, match="labels=True"):
        load_image_folder(tmp_path, labels=True)


def test_unreadable_image(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"definitely not a png")
    with pytest.raises(ValueError, match="broken.png"):
        load_image_folder(tmp_path)


def test_mixed_sizes_need_image_size(tmp_path):
    _write_png(str(tmp_path / "a.png"), _solid(1, (4, 4)))
    _write_png(str(tmp_path / "b.png"), _solid(1, (5, 5)))
    with pytest.raises(ValueError, match="image_size"):
        load_image_folder(tmp_path, image_size=None)
    images, _, _ = load_image_folder(tmp_path, image_size=3)
    assert images.shape == (2, 3, 3, 3)


@pytest.mark.parametrize("kwargs", [{"labels": "yes"}, {"image_size": (0, 4)}])
def test_bad_arguments(tmp_path, kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        load_image_folder(tmp_path, **kwargs)
