import keras
import numpy as np
import pytest

from keras_ssl.augmentations import RandomResizedCrop


def _run(layer, images, training=True):
    return keras.ops.convert_to_numpy(layer(images, training=training))


def _boxes(layer, images):
    transformation = layer.get_random_transformation(images, training=True)
    return keras.ops.convert_to_numpy(transformation["boxes"])


def test_output_shape_and_dtype(images):
    layer = RandomResizedCrop(24, 16, seed=0)
    outputs = _run(layer, images)
    assert outputs.shape == (8, 24, 16, 3)
    assert outputs.dtype == np.float32
    assert layer.compute_output_shape((None, 32, 32, 3)) == (None, 24, 16, 3)


def test_uint8_input_is_cast_to_float(images):
    outputs = _run(RandomResizedCrop(32, 32, seed=0), images.astype("uint8"))
    assert outputs.dtype == np.float32
    assert 0.0 <= outputs.min() and outputs.max() <= 255.0


def test_single_image(images):
    outputs = _run(RandomResizedCrop(16, 16, seed=0), images[0])
    assert outputs.shape == (16, 16, 3)


def test_full_square_crop_is_identity(images):
    layer = RandomResizedCrop(32, 32, scale=(1.0, 1.0), ratio=(1.0, 1.0))
    np.testing.assert_allclose(_run(layer, images), images, atol=1e-4)


def test_full_square_crop_is_identity_channels_first(images):
    layer = RandomResizedCrop(
        32, 32, scale=(1.0, 1.0), ratio=(1.0, 1.0),
        data_format="channels_first",
    )
    channels_first = np.transpose(images, (0, 3, 1, 2))
    outputs = _run(layer, channels_first)
    assert outputs.shape == (8, 3, 32, 32)
    np.testing.assert_allclose(outputs, channels_first, atol=1e-4)


def test_channels_first_matches_channels_last(images):
    last = _run(RandomResizedCrop(20, 20, seed=3), images)
    first = RandomResizedCrop(20, 20, seed=3, data_format="channels_first")
    outputs = _run(first, np.transpose(images, (0, 3, 1, 2)))
    np.testing.assert_allclose(
        np.transpose(outputs, (0, 2, 3, 1)), last, atol=1e-3
    )


def test_each_image_gets_its_own_crop(images):
    same = np.repeat(images[:1], 8, axis=0)
    outputs = _run(RandomResizedCrop(32, 32, seed=0), same)
    differences = [np.abs(outputs[0] - outputs[i]).mean() for i in range(1, 8)]
    assert min(differences) > 1.0


def test_successive_calls_differ(images):
    layer = RandomResizedCrop(32, 32, seed=0)
    assert np.abs(_run(layer, images) - _run(layer, images)).mean() > 1.0


def test_same_seed_same_output(images):
    a = _run(RandomResizedCrop(32, 32, seed=7), images)
    b = _run(RandomResizedCrop(32, 32, seed=7), images)
    c = _run(RandomResizedCrop(32, 32, seed=8), images)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).mean() > 1.0


def test_boxes_respect_scale_and_ratio():
    canvas = np.zeros((512, 32, 32, 3), "float32")
    layer = RandomResizedCrop(32, 32, scale=(0.2, 0.6), ratio=(0.5, 2.0))
    top, left, height, width = _boxes(layer, canvas).T
    area = height * width / (32 * 32)
    assert area.min() >= 0.2 - 1e-4 and area.max() <= 0.6 + 1e-4
    assert 0.3 < area.mean() < 0.5
    aspect = width / height
    assert aspect.min() >= 0.5 - 1e-4 and aspect.max() <= 2.0 + 1e-4
    assert (aspect > 1).mean() > 0.3 and (aspect < 1).mean() > 0.3
    assert top.min() >= 0 and left.min() >= 0
    assert (top + height).max() <= 32 + 1e-3
    assert (left + width).max() <= 32 + 1e-3
    # Positions spread over the free space.
    assert np.std(top / np.maximum(32 - height, 1e-6)) > 0.2


def test_fallback_is_a_centred_box_with_clamped_ratio():
    layer = RandomResizedCrop(32, 32, scale=(1.0, 1.0), ratio=(2.0, 2.0))
    boxes = _boxes(layer, np.zeros((4, 32, 32, 3), "float32"))
    np.testing.assert_allclose(
        boxes, np.tile([[8.0, 0.0, 16.0, 32.0]], (4, 1)), atol=1e-4
    )


def test_resize_matches_keras_resize(images):
    layer = RandomResizedCrop(32, 32)
    boxes = np.tile([[4.0, 8.0, 16.0, 16.0]], (8, 1)).astype("float32")
    outputs = keras.ops.convert_to_numpy(
        layer.transform_images(images, {"boxes": keras.ops.array(boxes)})
    )
    expected = keras.ops.convert_to_numpy(
        keras.ops.image.resize(images[:, 4:20, 8:24], (32, 32))
    )
    np.testing.assert_allclose(outputs, expected, atol=1e-2)


def test_antialiased_downscale_matches_keras_resize(images):
    layer = RandomResizedCrop(16, 16, antialias=True)
    boxes = np.tile([[0.0, 0.0, 32.0, 32.0]], (8, 1)).astype("float32")
    outputs = keras.ops.convert_to_numpy(
        layer.transform_images(images, {"boxes": keras.ops.array(boxes)})
    )
    expected = keras.ops.convert_to_numpy(
        keras.ops.image.resize(images, (16, 16), antialias=True)
    )
    np.testing.assert_allclose(outputs, expected, atol=1e-2)


def test_nearest_interpolation_copies_pixels(images):
    outputs = _run(RandomResizedCrop(32, 32, interpolation="nearest"), images)
    assert np.isin(outputs[0], images[0]).all()


def test_inference_is_centre_crop_and_resize():
    wide = np.random.default_rng(1).uniform(0, 255, (2, 32, 48, 3))
    wide = wide.astype("float32")
    layer = RandomResizedCrop(32, 32)
    outputs = _run(layer, wide, training=False)
    np.testing.assert_allclose(outputs, wide[:, :, 8:40], atol=1e-4)
    square = _run(layer, wide[:, :, :32], training=False)
    np.testing.assert_allclose(square, wide[:, :, :32], atol=1e-4)


def test_get_config_round_trip(images):
    layer = RandomResizedCrop(
        24, 20, scale=(0.3, 0.9), ratio=(0.5, 1.5), antialias=True, seed=4
    )
    config = layer.get_config()
    restored = RandomResizedCrop.from_config(config)
    assert restored.get_config() == config
    np.testing.assert_allclose(_run(restored, images), _run(layer, images))
    revived = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(layer)
    )
    assert isinstance(revived, RandomResizedCrop)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"height": 0, "width": 32},
        {"height": 32, "width": 32.5},
        {"height": 32, "width": 32, "scale": (0.5, 0.2)},
        {"height": 32, "width": 32, "scale": (0.0, 1.0)},
        {"height": 32, "width": 32, "scale": (0.5, 1.5)},
        {"height": 32, "width": 32, "ratio": (1.0,)},
        {"height": 32, "width": 32, "interpolation": "bicubic"},
    ],
)
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        RandomResizedCrop(**kwargs)


def test_compiled(images, compiled_call):
    layer = RandomResizedCrop(32, 32, seed=0)
    first = compiled_call(layer, images)
    second = compiled_call(layer, images)
    assert first.shape == (8, 32, 32, 3)
    assert np.abs(first[0] - first[1]).mean() > 1.0
    assert np.abs(first - second).mean() > 1.0


def test_tf_xla(images, tf_xla_call):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("XLA through tf.function applies to TensorFlow only.")
    outputs = tf_xla_call(RandomResizedCrop(32, 32, seed=0), images)
    assert outputs.shape == (8, 32, 32, 3)


def test_tf_data(images, tf_data_call):
    layer = RandomResizedCrop(16, 16, seed=0)
    same = np.repeat(images[:1], 8, axis=0)
    batches = tf_data_call(layer, same, batch_size=4)
    assert [batch.shape for batch in batches] == [(4, 16, 16, 3)] * 2
    assert np.abs(batches[0][0] - batches[0][1]).mean() > 1.0
    assert np.abs(batches[0] - batches[1]).mean() > 1.0
    singles = tf_data_call(layer, same[:2])
    assert singles[0].shape == (16, 16, 3)
    assert np.abs(singles[0] - singles[1]).mean() > 1.0
