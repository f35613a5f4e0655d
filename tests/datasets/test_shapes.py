import numpy as np
import pytest

from keras_ssl.datasets import SHAPES_CLASS_NAMES
from keras_ssl.datasets import load_shapes
from keras_ssl.datasets import shape_geometry


def test_same_seed_gives_same_bytes():
    images_a, labels_a = load_shapes("test", num_examples=200, seed=3)
    images_b, labels_b = load_shapes("test", num_examples=200, seed=3)
    assert images_a.tobytes() == images_b.tobytes()
    np.testing.assert_array_equal(labels_a, labels_b)


def test_other_seed_or_split_gives_other_images():
    images, _ = load_shapes("test", num_examples=50, seed=0)
    other_seed, _ = load_shapes("test", num_examples=50, seed=1)
    other_split, _ = load_shapes("train", num_examples=50, seed=0)
    assert not np.array_equal(images, other_seed)
    assert not np.array_equal(images, other_split)


def test_default_sizes_dtypes_and_balance():
    images, labels = load_shapes("test")
    assert images.shape == (1000, 32, 32, 3)
    assert images.dtype == np.uint8
    assert labels.shape == (1000,)
    assert labels.dtype == np.int32
    assert len(SHAPES_CLASS_NAMES) == 10
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), [100] * 10)
    # Images use the full range and are not blank.
    assert images.min() < 30 and images.max() > 225
    assert images.reshape(len(images), -1).std(axis=1).min() > 5


def test_default_train_split_size():
    images, labels = load_shapes()
    assert images.shape == (5000, 32, 32, 3)
    np.testing.assert_array_equal(np.bincount(labels), [500] * 10)


def test_uneven_num_examples_is_balanced_within_one():
    _, labels = load_shapes("train", num_examples=37)
    counts = np.bincount(labels, minlength=10)
    assert counts.sum() == 37
    assert counts.max() - counts.min() <= 1
    assert labels.min() >= 0 and labels.max() < 10


def test_zero_examples():
    images, labels = load_shapes("train", num_examples=0)
    assert images.shape == (0, 32, 32, 3)
    assert labels.shape == (0,)


@pytest.mark.parametrize("color", [False, True])
def test_mean_colour_does_not_identify_the_class(color):
    train_images, train_labels = load_shapes("train", num_examples=2000, seed=5, color=color)
    test_images, test_labels = load_shapes("test", num_examples=1000, seed=5, color=color)

    def mean_rgb(images):
        return images.reshape(len(images), -1, 3).mean(axis=1)

    train_rgb, test_rgb = mean_rgb(train_images), mean_rgb(test_images)
    class_means = np.stack([train_rgb[train_labels == c].mean(0) for c in range(10)])
    distances = ((test_rgb[:, None, :] - class_means[None]) ** 2).sum(-1)
    accuracy = (distances.argmin(1) == test_labels).mean()
    # Chance is 0.10; three standard errors over 1000 images is about 0.03.
    assert accuracy < 0.14


def test_shape_areas_are_similar():
    # Foreground area must not give the class away either.
    grid = np.linspace(-1.5, 1.5, 301)
    u, v = np.meshgrid(grid, grid)
    areas = [fn(u, v).mean() * 9.0 for fn in shape_geometry.SHAPE_FUNCTIONS]
    assert min(areas) > 1.7 and max(areas) < 2.3


def test_generation_is_fast_enough_for_small_sets():
    import time

    start = time.perf_counter()
    load_shapes("train", num_examples=500)
    assert time.perf_counter() - start < 5.0


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"split": "validation"}, ValueError),
        ({"num_examples": -1}, ValueError),
        ({"num_examples": 2.5}, TypeError),
        ({"seed": -1}, ValueError),
    ],
)
def test_bad_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        load_shapes(**kwargs)


def test_raw_pixels_are_a_poor_but_better_than_chance_knn_feature():
    from keras_ssl.evaluation import raw_pixel_knn_accuracy

    train = load_shapes("train", num_examples=2000)
    test = load_shapes("test", num_examples=500)
    accuracy = raw_pixel_knn_accuracy(train, test, k=200)
    # Grey levels, position and scale vary independently of the class:
    # neighbours in pixel space mostly share those, not the shape.
    assert 0.12 < accuracy < 0.40


def test_color_tints_the_shape_and_keeps_labels_and_background():
    grey, labels = load_shapes("test", num_examples=200, seed=2)
    color, color_labels = load_shapes("test", num_examples=200, seed=2, color=True)
    np.testing.assert_array_equal(labels, color_labels)
    assert np.array_equal(grey[..., 0], grey[..., 1])
    spread = color.astype(int).max(-1) - color.astype(int).min(-1)
    # Background pixels stay grey (equal channels); every shape is tinted
    # (less where a level near black or white clips the tint).
    assert (spread == 0).mean() > 0.5
    per_image = spread.reshape(len(color), -1).max(1)
    assert per_image.min() > 20 and np.median(per_image) > 60
