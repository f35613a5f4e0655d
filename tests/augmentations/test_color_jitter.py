import keras
import numpy as np
import pytest

from keras_ssl.augmentations import ColorJitter


def _run(layer, images, training=True):
    return keras.ops.convert_to_numpy(layer(images, training=training))


def _apply(layer, images, transformation):
    return keras.ops.convert_to_numpy(
        layer.transform_images(images, transformation)
    )


def _grey(images):
    return images @ np.array([0.2989, 0.587, 0.114], "float32")


def test_shape_dtype_and_range(images):
    layer = ColorJitter(0.8, 0.8, 0.8, 0.2, seed=0)
    outputs = _run(layer, images.astype("uint8"))
    assert outputs.shape == images.shape and outputs.dtype == np.float32
    assert outputs.min() >= 0.0 and outputs.max() <= 255.0


def test_value_range_zero_one(images):
    layer = ColorJitter(0.8, 0.8, 0.8, 0.2, value_range=(0, 1), seed=0)
    outputs = _run(layer, images / 255.0)
    assert outputs.min() >= 0.0 and outputs.max() <= 1.0


def test_each_image_gets_its_own_jitter(images):
    same = np.repeat(images[:1], 8, axis=0)
    outputs = _run(ColorJitter(0.4, 0.4, 0.4, 0.1, seed=0), same)
    differences = [np.abs(outputs[0] - outputs[i]).mean() for i in range(1, 8)]
    assert min(differences) > 0.5


def test_same_seed_same_output(images):
    a = _run(ColorJitter(0.4, 0.4, 0.4, 0.1, seed=3), images)
    b = _run(ColorJitter(0.4, 0.4, 0.4, 0.1, seed=3), images)
    np.testing.assert_array_equal(a, b)


def test_brightness_scales_and_clips(images):
    layer = ColorJitter(brightness=0.5)
    factors = np.linspace(0.5, 1.5, 8).astype("float32")
    outputs = _apply(layer, images, {"factors": {"brightness": factors}})
    expected = np.clip(images * factors[:, None, None, None], 0, 255)
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-3)


def test_contrast_blends_with_mean_grey(images):
    layer = ColorJitter(contrast=0.5)
    factors = np.linspace(0.5, 1.5, 8).astype("float32")
    outputs = _apply(layer, images, {"factors": {"contrast": factors}})
    mean = _grey(images).mean(axis=(1, 2))[:, None, None, None]
    scaled = mean + factors[:, None, None, None] * (images - mean)
    expected = np.clip(scaled, 0, 255)
    np.testing.assert_allclose(outputs, expected, rtol=1e-4, atol=1e-2)


def test_saturation_zero_gives_grey(images):
    layer = ColorJitter(saturation=1.0)
    factors = np.zeros(8, "float32")
    outputs = _apply(layer, images, {"factors": {"saturation": factors}})
    np.testing.assert_allclose(
        outputs, np.repeat(_grey(images)[..., None], 3, axis=-1), atol=1e-2
    )


def test_hue_shift_matches_hsv_round_trip(images):
    layer = ColorJitter(hue=0.5)
    shifts = np.linspace(-0.5, 0.5, 8).astype("float32")
    outputs = _apply(layer, images, {"factors": {"hue": shifts}})
    hsv = keras.ops.convert_to_numpy(keras.ops.image.rgb_to_hsv(images / 255))
    hsv[..., 0] = np.mod(hsv[..., 0] + shifts[:, None, None], 1.0)
    expected = keras.ops.convert_to_numpy(keras.ops.image.hsv_to_rgb(hsv))
    np.testing.assert_allclose(outputs, expected * 255, atol=1e-2)


def test_factors_follow_torchvision_ranges(images):
    layer = ColorJitter(0.8, 0.4, 1.5, 0.1, seed=0)
    many = np.zeros((256, 2, 2, 3), "float32")
    factors = layer.get_random_transformation(many)["factors"]
    factors = {k: keras.ops.convert_to_numpy(v) for k, v in factors.items()}
    for name, low, high in [
        ("brightness", 0.2, 1.8),
        ("contrast", 0.6, 1.4),
        ("saturation", 0.0, 2.5),
        ("hue", -0.1, 0.1),
    ]:
        assert factors[name].min() >= low and factors[name].max() <= high
        assert factors[name].max() - factors[name].min() > 0.8 * (high - low)


def test_random_order_differs_per_image():
    layer = ColorJitter(0.4, 0.4, 0.4, 0.1, seed=0)
    order = layer.get_random_transformation(np.zeros((64, 2, 2, 3)))["order"]
    order = keras.ops.convert_to_numpy(order)
    assert sorted(order[0]) == [0, 1, 2, 3]
    assert len({tuple(row) for row in order}) > 10


def test_order_matters(images):
    layer = ColorJitter(brightness=0.5, saturation=0.5)
    factors = {
        "brightness": np.full(8, 1.5, "float32"),
        "saturation": np.full(8, 1.5, "float32"),
    }
    order = np.array([[0, 1], [1, 0]] * 4, "int32")
    outputs = _apply(layer, images, {"factors": factors, "order": order})
    fixed = _apply(layer, images, {"factors": factors})
    np.testing.assert_allclose(outputs[0], fixed[0], atol=1e-3)
    assert np.abs(outputs[1] - fixed[1]).max() > 1.0


def test_each_image_follows_its_own_order_of_all_four_operations(images):
    # Reference: every image run through single-operation layers, one
    # operation at a time, in the order drawn for it.
    names = ["brightness", "contrast", "saturation", "hue"]
    strengths = [0.5, 0.5, 0.5, 0.2]
    layer = ColorJitter(*strengths)
    rng = np.random.default_rng(3)
    factors = {n: rng.uniform(0.5, 1.5, 8).astype("float32") for n in names}
    factors["hue"] = rng.uniform(-0.2, 0.2, 8).astype("float32")
    order = np.stack([rng.permutation(4) for _ in range(8)]).astype("int32")
    outputs = _apply(layer, images, {"factors": factors, "order": order})
    for i in range(8):
        expected = images[i : i + 1]
        for op in order[i]:
            name = names[op]
            single = ColorJitter(**{name: strengths[op]})
            expected = _apply(single, expected, {"factors": {name: factors[name][i : i + 1]}})
        np.testing.assert_allclose(outputs[i : i + 1], expected, atol=1e-3)


def test_channels_first_matches_channels_last(images):
    last = _run(ColorJitter(0.4, 0.4, 0.4, 0.1, seed=5), images)
    layer = ColorJitter(
        0.4, 0.4, 0.4, 0.1, seed=5, data_format="channels_first"
    )
    first = _run(layer, np.transpose(images, (0, 3, 1, 2)))
    np.testing.assert_allclose(
        np.transpose(first, (0, 2, 3, 1)), last, atol=1e-2
    )


def test_grayscale_images(images):
    grey = images[..., :1]
    outputs = _run(ColorJitter(0.4, 0.4, seed=0), grey)
    assert outputs.shape == grey.shape
    with pytest.raises(ValueError, match="saturation"):
        ColorJitter(0.4, 0.4, 0.4, 0.1)(grey)


def test_inference_is_identity(images):
    outputs = _run(ColorJitter(0.8, 0.8, 0.8, 0.2), images, training=False)
    np.testing.assert_array_equal(outputs, images)


def test_get_config_round_trip(images):
    layer = ColorJitter(0.3, 0.2, 0.1, 0.05, random_order=False, seed=1)
    restored = ColorJitter.from_config(layer.get_config())
    assert restored.get_config() == layer.get_config()
    np.testing.assert_allclose(_run(restored, images), _run(layer, images))


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"brightness": -0.1}, ValueError),
        ({"hue": 0.6}, ValueError),
        ({"contrast": "0.4"}, TypeError),
        ({"value_range": (255, 0)}, ValueError),
    ],
)
def test_invalid_arguments(kwargs, error):
    with pytest.raises(error):
        ColorJitter(**kwargs)


def test_compiled(images, compiled_call):
    outputs = compiled_call(ColorJitter(0.8, 0.8, 0.8, 0.2, seed=0), images)
    assert outputs.shape == images.shape
    assert 0.0 <= outputs.min() and outputs.max() <= 255.0


def test_tf_data(images, tf_data_call):
    batches = tf_data_call(ColorJitter(0.4, 0.4, 0.4, 0.1), images, 4)
    assert [batch.shape for batch in batches] == [(4, 32, 32, 3)] * 2


def test_mixed_bfloat16_random_order_with_hue(images):
    # The random order with hue mixes typed tensors with Python constants;
    # TensorFlow refuses a float32 constant beside bfloat16 images.
    expected = _run(ColorJitter(0.4, 0.4, 0.4, 0.1, seed=0), images)
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        outputs = ColorJitter(0.4, 0.4, 0.4, 0.1, seed=0)(images, training=True)
    finally:
        keras.config.set_dtype_policy("float32")
    assert keras.backend.standardize_dtype(outputs.dtype) == "bfloat16"
    outputs = keras.ops.convert_to_numpy(keras.ops.cast(outputs, "float32"))
    difference = np.abs(outputs - expected)
    # bfloat16 keeps 8 significant bits: about 1 level of 255 per step, and
    # a hue whose max channel flips by rounding moves further (max ~20).
    assert difference.mean() < 1.0
    assert np.percentile(difference, 99) < 6.0
