import keras
import numpy as np
import pytest

from keras_ssl.augmentations import Solarize


def test_inverts_pixels_at_or_above_threshold(images):
    outputs = keras.ops.convert_to_numpy(Solarize()(images))
    expected = np.where(images >= 127.5, 255.0 - images, images)
    np.testing.assert_allclose(outputs, expected, atol=1e-4)


def test_value_range_zero_one(images):
    scaled = images / 255.0
    outputs = keras.ops.convert_to_numpy(Solarize(0.25, (0, 1))(scaled))
    np.testing.assert_allclose(
        outputs, np.where(scaled >= 0.25, 1.0 - scaled, scaled), atol=1e-6
    )


def test_inference_is_identity(images):
    outputs = Solarize()(images, training=False)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(outputs), images)


def test_get_config_round_trip():
    layer = Solarize(0.3, value_range=(0, 1))
    assert Solarize.from_config(layer.get_config()).get_config() == (
        layer.get_config()
    )


@pytest.mark.parametrize("threshold", [-0.1, 1.5])
def test_invalid_threshold(threshold):
    with pytest.raises(ValueError):
        Solarize(threshold)
