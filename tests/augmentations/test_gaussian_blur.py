import keras
import numpy as np
import pytest

from keras_ssl.augmentations import GaussianBlur
from keras_ssl.augmentations import kernel_size_for


def _reference(images, sigmas, kernel_size):
    """Separable blur with numpy; "reflect" mirrors without the edge pixel."""
    radius = kernel_size // 2
    outputs = []
    for image, sigma in zip(images, sigmas):
        taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
        taps /= taps.sum()
        for axis in (0, 1):
            pad = [(0, 0)] * 3
            pad[axis] = (radius, radius)
            padded = np.pad(image, pad, mode="reflect")
            length = image.shape[axis]
            image = sum(
                weight * np.take(padded, np.arange(i, i + length), axis=axis)
                for i, weight in enumerate(taps)
            )
        outputs.append(image)
    return np.stack(outputs)


def test_matches_numpy_reference(images):
    layer = GaussianBlur(5, sigma=(0.5, 2.0), seed=0)
    transformation = layer.get_random_transformation(images)
    sigmas = keras.ops.convert_to_numpy(transformation["sigma"])
    assert len(np.unique(sigmas)) == len(sigmas)  # one sigma per image
    outputs = keras.ops.convert_to_numpy(
        layer.transform_images(images, transformation)
    )
    expected = _reference(images.astype("float64"), sigmas, 5)
    np.testing.assert_allclose(outputs, expected, atol=1e-2)


def test_channels_first(images):
    layer = GaussianBlur(3, sigma=1.0, data_format="channels_first")
    outputs = keras.ops.convert_to_numpy(
        layer(np.transpose(images, (0, 3, 1, 2)))
    )
    expected = _reference(images.astype("float64"), [1.0] * 8, 3)
    np.testing.assert_allclose(
        np.transpose(outputs, (0, 2, 3, 1)), expected, atol=1e-2
    )


def test_keeps_constant_images_and_range(images):
    constant = np.full((2, 16, 16, 3), 200.0, "float32")
    outputs = keras.ops.convert_to_numpy(GaussianBlur(7, seed=0)(constant))
    np.testing.assert_allclose(outputs, constant, rtol=1e-5)
    blurred = keras.ops.convert_to_numpy(GaussianBlur(7, seed=0)(images))
    assert blurred.min() >= images.min() - 1e-3
    assert blurred.max() <= images.max() + 1e-3
    assert blurred.std() < images.std()


def test_inference_is_identity(images):
    outputs = GaussianBlur(3)(images, training=False)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(outputs), images)


def test_kernel_size_for():
    assert [kernel_size_for(s) for s in (32, 96, 224)] == [3, 9, 23]


def test_get_config_round_trip():
    layer = GaussianBlur(9, sigma=(0.2, 1.5), seed=2)
    assert GaussianBlur.from_config(layer.get_config()).get_config() == (
        layer.get_config()
    )


@pytest.mark.parametrize(
    "kwargs",
    [{"kernel_size": 4}, {"kernel_size": 3, "sigma": (0.0, 1.0)},
     {"kernel_size": 3, "sigma": (2.0, 1.0)}],
)
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        GaussianBlur(**kwargs)


def test_compiled(images, compiled_call):
    outputs = compiled_call(GaussianBlur(3, seed=0), images)
    assert outputs.shape == images.shape


def test_tf_data(images, tf_data_call):
    batches = tf_data_call(GaussianBlur(3, seed=0), images, 4)
    assert [batch.shape for batch in batches] == [(4, 32, 32, 3)] * 2
